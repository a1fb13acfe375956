"""Signing in to GitHub: a personal access token, or a GitHub App installation.

An App signs a short JWT with its private key (RS256), trades it for an installation access
token (``POST /app/installations/{id}/access_tokens``, valid one hour) and acts as
``<app-slug>[bot]``. PyGithub's ``AppInstallationAuth`` does the exchange and asks for a new
token shortly before the old one expires; ``RenewableInstallationAuth`` also renews one that
GitHub refused early (a token revoked, or a clock that disagrees with GitHub's)."""

from __future__ import annotations

import github
from github.Auth import AppAuth, AppInstallationAuth
from github.GithubException import GithubException
from github.InstallationAuthorization import InstallationAuthorization

from bridge.connectors.credentials import CredentialWatch
from bridge.connectors.github.settings import GitHubSettings
from bridge.domain.credentials import CredentialStatus

SYSTEM = "github"
KIND = "app_installation"
APP_SETTINGS = "connectors.github.app_id, installation_id and the App's private key"
INSTALLATION = CredentialStatus(
    SYSTEM,
    KIND,
    "GitHub App installation token",
    renewable=True,
    fix=f"check {APP_SETTINGS}, and that the App is still installed on the repository",
)


class RenewableInstallationAuth(AppInstallationAuth):
    """An installation token that can be declared spent; the next request fetches a new one."""

    _spent = False
    watch = CredentialWatch()

    def spend(self) -> None:
        self._spent = True

    @property
    def _is_expired(self) -> bool:
        return self._spent or bool(super()._is_expired)

    def _get_installation_authorization(self) -> InstallationAuthorization:
        self._spent = False
        try:
            granted = super()._get_installation_authorization()
        except GithubException as exc:
            self.watch.failed(SYSTEM, KIND, _reason(exc))
            raise
        self.watch.renewed(SYSTEM, KIND, granted.expires_at)
        return granted


def _reason(error: GithubException) -> str:
    """GitHub's own words (``A JSON web token could not be decoded``), never the JWT."""
    message = error.data.get("message") if isinstance(error.data, dict) else None
    return f"HTTP {error.status}: {message}" if message else f"HTTP {error.status}"


def app_auth(settings: GitHubSettings) -> AppAuth:
    assert settings.app_id is not None
    return AppAuth(settings.app_id, settings.app_private_key())


def client_auth(settings: GitHubSettings, watch: CredentialWatch) -> github.Auth.Auth:
    if settings.as_app and settings.installation_id is not None:
        installation = RenewableInstallationAuth(app_auth(settings), settings.installation_id)
        installation.watch = watch
        return installation
    secret = settings.token or settings.private_key
    return github.Auth.Token(secret.get_secret_value() if secret else "")


def bot_login(settings: GitHubSettings, **client_options: object) -> str:
    """The account an installation acts as: ``<slug>[bot]``, the slug from ``GET /app``
    (asked with the App's JWT; GitHub refuses ``GET /user`` to installation tokens)."""
    integration = github.GithubIntegration(
        base_url=str(settings.base_url).rstrip("/"),
        auth=app_auth(settings),
        **client_options,  # type: ignore[arg-type]
    )
    return f"{integration.get_app().slug}[bot]"
