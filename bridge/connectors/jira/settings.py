"""Jira's settings, ``connectors.jira`` in bridge.yaml: the site, how the bridge signs in, and
where it files SPARs and ARs. Secrets are ``SecretStr``: never printed, never logged."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import AnyHttpUrl, Field, SecretStr, model_validator

from bridge.config.strict import Strict, require_one


class JiraSettings(Strict):
    url: AnyHttpUrl
    deployment: Literal["cloud", "datacenter"] = "cloud"
    email: str | None = None
    api_token: SecretStr | None = None
    personal_access_token: SecretStr | None = None
    # The day the token stops working, as set when it was created: doctor, /metrics and the
    # board warn 14 days before (Atlassian's API tokens expire within a year).
    token_expires: dt.date | None = None
    # Jira Cloud with an Atlassian scoped API token: Atlassian accepts one only through its
    # gateway, {gateway_url}/ex/jira/{cloud_id}; the cloud id is read from the site's
    # /_edge/tenant_info when not set.
    scoped_token: bool = False
    cloud_id: str | None = Field(default=None, pattern=r"^[0-9a-fA-F-]{36}$")
    gateway_url: AnyHttpUrl = AnyHttpUrl("https://api.atlassian.com")
    support_project: str = "SUP"
    spar_issue_type: str = "SPAR"
    development_project: str = "DEV"
    ar_issue_type: str = "Bug"
    link_type: str = "Relates"
    description_format: Literal["wiki", "adf"] = "wiki"
    labels: list[str] = Field(default_factory=lambda: ["support-bridge"])
    # What the vendor signs its webhook with (several, comma-separated, during a rotation).
    webhook_secret: SecretStr | None = None

    @model_validator(mode="after")
    def _has_credentials(self) -> JiraSettings:
        require_one(self, "api_token", "personal_access_token")
        if self.api_token is not None and not self.email:
            msg = "email is required with api_token (Jira Cloud basic auth is email + token)"
            raise ValueError(msg)
        if self.scoped_token and (self.deployment != "cloud" or self.api_token is None):
            msg = "scoped_token is for Jira Cloud with email + api_token (a scoped API token)"
            raise ValueError(msg)
        if self.deployment == "datacenter" and self.description_format == "adf":
            msg = "Jira Data Center has REST v2 only: set description_format: wiki"
            raise ValueError(msg)
        return self
