"""GitHub's settings, ``connectors.github`` in bridge.yaml: the repository ARs are filed in, and
a personal access token or a GitHub App to sign in with."""

from __future__ import annotations

from pathlib import Path

from pydantic import AnyHttpUrl, Field, SecretStr, model_validator

from bridge.config.strict import Strict, require_one


class GitHubSettings(Strict):
    base_url: AnyHttpUrl = AnyHttpUrl("https://api.github.com")
    repository: str = Field(pattern=r"^[\w.-]+/[\w.-]+$")
    token: SecretStr | None = None  # a personal access token; or a GitHub App:
    app_id: int | None = None
    installation_id: int | None = None
    private_key: SecretStr | None = None  # the App's PEM key, or its path in private_key_file
    private_key_file: Path | None = None
    labels: list[str] = Field(default_factory=lambda: ["bug", "spar"])
    # The repository webhook that delivers to the bridge (its id in the hook's settings URL):
    # catch-up then has GitHub redeliver what failed while the bridge was down.
    hook_id: int | None = Field(default=None, gt=0)
    # What the vendor signs its webhook with (several, comma-separated, during a rotation).
    webhook_secret: SecretStr | None = None

    @model_validator(mode="after")
    def _has_credentials(self) -> GitHubSettings:
        if self.app_id is not None:
            require_one(self, "private_key", "private_key_file")
            if self.installation_id is None:
                msg = "installation_id is required with app_id"
                raise ValueError(msg)
            if self.private_key_file is not None and not self.private_key_file.is_file():
                msg = f"private_key_file {self.private_key_file} is not a readable file"
                raise ValueError(msg)
            return self
        require_one(self, "token", "private_key")
        return self

    @property
    def as_app(self) -> bool:
        return self.app_id is not None

    def app_private_key(self) -> str:
        """The App's PEM private key, from the setting or the file it names."""
        if self.private_key is not None:
            return self.private_key.get_secret_value()
        if self.private_key_file is not None:
            return self.private_key_file.read_text()
        return ""
