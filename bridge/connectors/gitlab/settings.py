"""``connectors.gitlab`` in bridge.yaml: where the project is, the project access token, the
labels the SPARs and ARs carry, and the secret token of the project's webhook."""

from __future__ import annotations

from pydantic import AnyHttpUrl, Field, SecretStr

from bridge.config.strict import Strict

GITLAB_COM = "https://gitlab.com"


class GitLabSettings(Strict):
    """``token``: a project access token (role Reporter is enough to read; Planner or Developer
    to file, comment and close issues; Maintainer to read the project's hooks in ``doctor``),
    scope ``api``. Set it from ``BRIDGE_CONNECTORS__GITLAB__TOKEN``."""

    url: AnyHttpUrl = AnyHttpUrl(GITLAB_COM)
    # The project's full path, as in its address: group/subgroup/project.
    project: str = Field(pattern=r"^[\w.-]+(?:/[\w.-]+)+$")
    token: SecretStr
    # What every issue the bridge files carries (besides ``support-bridge``), by kind.
    spar_labels: list[str] = Field(default_factory=lambda: ["spar"])
    ar_labels: list[str] = Field(default_factory=lambda: ["bug"])
    # The severity as a label; GitLab reads ``severity::1`` as a scoped label (one at a time).
    severity_label: str = Field(default="severity::{severity}", pattern=r"\{severity\}")
    # The project webhook's "Secret token" (comma-separated while one is being rotated).
    webhook_secret: SecretStr | None = None

    @property
    def base_url(self) -> str:
        return str(self.url).rstrip("/")

    def labels_for(self, kind: str) -> list[str]:
        return list(self.spar_labels if kind == "spar" else self.ar_labels)
