"""Signing in to Jira: the site itself (Cloud or Data Center) or, for an Atlassian scoped API
token, Atlassian's gateway ``{gateway_url}/ex/jira/{cloudId}``, the only place such a token is
accepted."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import jira
import requests

from bridge.connectors.jira.settings import JiraSettings
from bridge.domain.credentials import CredentialStatus
from bridge.services.ports import PermanentConnectorError

TENANT_INFO = "/_edge/tenant_info"
TIMEOUT = 15


def cloud_id_of(site: str) -> str:
    """The site's cloud id, which Atlassian's edge names without signing in."""
    answer = requests.get(f"{site}{TENANT_INFO}", timeout=TIMEOUT)
    try:
        cloud_id = answer.json().get("cloudId") if answer.ok else None
    except ValueError:
        cloud_id = None
    if not cloud_id:
        msg = (
            f"{site}{TENANT_INFO} names no cloud id (HTTP {answer.status_code}), which a scoped "
            "API token needs; check connectors.jira.url is the Jira Cloud site, or set "
            "connectors.jira.cloud_id"
        )
        raise PermanentConnectorError("jira", msg)
    return str(cloud_id)


def rest_base(settings: JiraSettings) -> str:
    """Where the REST API is reached: the site, or the gateway for a scoped token."""
    site = str(settings.url).rstrip("/")
    if not settings.scoped_token:
        return site
    cloud_id = settings.cloud_id or cloud_id_of(site)
    return f"{str(settings.gateway_url).rstrip('/')}/ex/jira/{cloud_id}"


def client_for(
    settings: JiraSettings,
    around_request: Callable[[], AbstractContextManager[object]] | None = None,
) -> jira.JIRA:
    """The Jira client; ``before_request`` runs before each HTTP request it sends (one call of
    the library may send several: ``create_issue_link`` first reads the link types)."""
    auth: dict[str, Any] = {}
    if settings.personal_access_token is not None:
        auth["token_auth"] = settings.personal_access_token.get_secret_value()  # Bearer
    elif settings.api_token is not None:
        auth["basic_auth"] = (settings.email or "", settings.api_token.get_secret_value())
    cloud = settings.deployment == "cloud"
    client = jira.JIRA(
        server=rest_base(settings),
        options={"rest_api_version": "3" if settings.description_format == "adf" else "2"},
        max_retries=0,  # our retry policy, not the library's sleeping one
        # Data Center: its version decides which create-metadata calls the library allows.
        get_server_info=not cloud,
        timeout=TIMEOUT,
        **auth,
    )
    if cloud:
        # Known from settings, which saves a serverInfo call on every worker start.
        client.deploymentType = "Cloud"
    if around_request is not None:
        session = client._session
        send = session.request

        def gated(method: str, url: str | bytes, **kwargs: Any) -> Any:
            with around_request():
                return send(method, url, **kwargs)

        session.request = gated  # type: ignore[method-assign]
    return client


def token_status(settings: JiraSettings) -> CredentialStatus | None:
    """The token's expiry as configured (``token_expires``); None when it is not told."""
    if settings.token_expires is None:
        return None
    personal = settings.personal_access_token is not None
    kind = "personal_access_token" if personal else "api_token"
    label = "Jira personal access token" if personal else "Jira API token"
    setting = f"connectors.jira.{kind}"
    return CredentialStatus(
        "jira",
        kind,
        label,
        renewable=False,
        expires_at=dt.datetime.combine(settings.token_expires, dt.time(), dt.UTC),
        fix=f"create a new token, then set {setting} and connectors.jira.token_expires",
    )
