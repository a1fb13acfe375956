"""A connector's settings are validated by the model its own package declares
(``settings_model``), a built-in's or a third party's alike: its section's mistakes are said
as any setting's, its secrets come from the environment and stay masked, and the connector is
built from the model. A connector declaring none keeps its section as written."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest
import yaml
from click.testing import CliRunner
from pydantic import BaseModel, ConfigDict, SecretStr

from bridge.config import ConfigError, load_settings
from bridge.connectors.ratelimit import RateGate
from bridge.connectors.registry import Context, build_connectors
from bridge.connectors.registry import installed as installed_classes
from bridge.services.ports import CheckResult, Kind
from bridge_cli import main
from tests.capabilities.unheard_of import ENTRIES, install


class AcmeMailSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    server: str
    password: SecretStr
    recipients: list[str] = []


class AcmeMail:
    """A mailer whose package declares its settings' model."""

    key = "acmemail"
    kind = Kind.MAILER
    features: ClassVar[frozenset[str]] = frozenset()
    settings_model: ClassVar[type[AcmeMailSettings]] = AcmeMailSettings

    def __init__(self, config: AcmeMailSettings) -> None:
        self.config = config

    @classmethod
    def from_settings(cls, config: AcmeMailSettings, context: Any) -> AcmeMail:
        return cls(config)

    def perform(self, operation: str, payload: dict[str, Any], key: str) -> dict[str, Any]:
        return {}

    def check(self) -> CheckResult:
        return CheckResult(True, f"signed in to {self.config.server}")

    def is_own_write(self, event: dict[str, Any]) -> bool:
        return False


MAIL = {"server": "smtp.acme.example", "password": "s3cret"}


@pytest.fixture
def acmemail(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    install(tmp_path / "site", monkeypatch, ENTRIES | {"acmemail": f"{__name__}:AcmeMail"})
    yield


def configure(workdir: Path, connectors: dict[str, object]) -> None:
    (workdir / "bridge.yaml").write_text(yaml.safe_dump({"connectors": connectors}))


def problems(workdir: Path, connectors: dict[str, object]) -> list[str]:
    configure(workdir, connectors)
    with pytest.raises(ConfigError) as caught:
        load_settings()
    return [str(problem) for problem in caught.value.problems]


def built(settings: Any) -> dict[str, Any]:
    return build_connectors(settings, Context(gate=RateGate.from_url(None, rates={})))


@pytest.mark.usefixtures("acmemail")
def test_a_connector_is_built_from_the_settings_model_it_declares(
    isolated_settings: Path,
) -> None:
    configure(isolated_settings, {"acmemail": MAIL, "acme": {"site": "https://acme.example"}})

    settings = load_settings()
    connectors = built(settings)

    assert settings.connectors.acmemail == AcmeMailSettings(
        server="smtp.acme.example", password=SecretStr("s3cret")
    )
    assert connectors["acmemail"].config is settings.connectors.acmemail
    assert settings.connectors.acme == {"site": "https://acme.example"}  # declares no model
    assert settings.connectors.jira is None  # installed, not configured


@pytest.mark.usefixtures("acmemail")
def test_mistakes_in_a_declared_section_are_said_with_their_key(isolated_settings: Path) -> None:
    assert problems(isolated_settings, {"acmemail": MAIL | {"pasword": "x"}}) == [
        "connectors.acmemail.pasword: unknown key: did you mean 'password'?"
    ]
    assert problems(isolated_settings, {"acmemail": {"password": "s3cret"}}) == [
        "connectors.acmemail.server: required key is missing"
    ]
    assert problems(isolated_settings, {"acmemail": MAIL | {"password": ""}}) == [
        'connectors: acmemail.password is blank (""): set it, here or with '
        "BRIDGE_CONNECTORS__ACMEMAIL__PASSWORD, or remove the key"
    ]


def test_a_built_in_sections_mistakes_are_said_with_their_key(isolated_settings: Path) -> None:
    jira = {"url": "https://acme.atlassian.net", "email": "a@acme.test", "api_tokn": "t"}
    github = {"repository": "not a repository", "token": "t"}

    assert problems(isolated_settings, {"jira": jira, "github": github}) == [
        "connectors.github.repository: String should match pattern '^[\\w.-]+/[\\w.-]+$'",
        "connectors.jira.api_tokn: unknown key: did you mean 'api_token'?",
    ]


@pytest.mark.usefixtures("acmemail")
def test_the_environment_reaches_a_declared_section_as_its_model_types_it(
    isolated_settings: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    configure(isolated_settings, {"acmemail": {"server": "smtp.acme.example"}})
    monkeypatch.setenv("BRIDGE_CONNECTORS__ACMEMAIL__PASSWORD", "from-env")
    monkeypatch.setenv("BRIDGE_CONNECTORS__ACMEMAIL__RECIPIENTS", '["ops@acme.example"]')
    monkeypatch.setenv("BRIDGE_CONNECTORS__JIRA__LABELS", '["support", "bridge"]')
    monkeypatch.setenv("BRIDGE_CONNECTORS__JIRA__URL", "https://acme.atlassian.net")
    monkeypatch.setenv("BRIDGE_CONNECTORS__JIRA__PERSONAL_ACCESS_TOKEN", "pat")

    connectors = load_settings().connectors

    assert connectors.acmemail.password.get_secret_value() == "from-env"
    assert connectors.acmemail.recipients == ["ops@acme.example"]
    assert connectors.jira.labels == ["support", "bridge"]


@pytest.mark.usefixtures("acmemail")
def test_config_show_masks_a_declared_sections_secrets_and_only_those(
    isolated_settings: Path,
) -> None:
    jira = {"url": "https://acme.atlassian.net", "email": "a@acme.test", "api_token": "t0ken"}
    configure(isolated_settings, {"acmemail": MAIL, "jira": jira | {"token_expires": "2027-01-31"}})

    shown = CliRunner().invoke(main, ["config", "show"])

    assert shown.exit_code == 0, shown.output
    sections = yaml.safe_load(shown.output)["connectors"]
    assert sections["acmemail"] == {
        "server": "smtp.acme.example",
        "password": "**********",
        "recipients": [],
    }
    assert (sections["jira"]["api_token"], sections["jira"]["token_expires"]) == (
        "**********",
        "2027-01-31",
    )
    assert sections["jira"]["scoped_token"] is False


def test_every_built_in_connector_declares_its_settings_model() -> None:
    declared = {
        name: getattr(cls, "settings_model", None) for name, cls in installed_classes().items()
    }

    for name in ("jira", "github", "gitlab", "slack", "zendesk", "freshdesk", "email"):
        model = declared[name]
        assert isinstance(model, type) and issubclass(model, BaseModel), name
        assert model.__module__ == f"bridge.connectors.{name}.settings"
