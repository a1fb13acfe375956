"""Connectors the core has never heard of, installed as another package would install them: a
dist-info with an ``entry_points.txt`` on a temporary path (``install``). They declare only what
docs/connectors.md says a connector declares; no core module names them."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, ClassVar

import pytest

from bridge.domain.identifiers import TicketIds
from bridge.observability.health import Check
from bridge.services.ar_events import ArIdentity
from bridge.services.ports import CheckResult, Kind
from bridge.services.readings import TrackerReading
from bridge.services.signals import ShipSignal


class AcmeEvents:
    """Acme's deliveries: a deployment ships the fix, a merge only fixes it in code."""

    release_event = None
    signal_meanings: ClassVar[dict[str, str]] = {
        "acme.deployed": "fix_available",
        "acme.merged": "fixed_in_code",
    }

    def content_key(self, event_type: str, payload: dict[str, Any]) -> str | None:
        return None

    def read(self, event_type: str, payload: dict[str, Any]) -> TrackerReading:
        return TrackerReading()

    def identity(self, event_type: str, payload: dict[str, Any]) -> ArIdentity | None:
        return None

    def release_of(self, stored: dict[str, Any]) -> ShipSignal | None:
        return None

    def duplicate_named(self, key: str, stored_comment: dict[str, Any]) -> str:
        return ""

    def project_of(self, key: str) -> str:
        return key.split("-")[0]


class AcmeTracker:
    """A tracker named ``acme``."""

    key = "acme"
    title: ClassVar[str] = "Acme Tracker"
    kind = Kind.TRACKER
    features = frozenset({"create_record"})
    events = AcmeEvents()

    @classmethod
    def probe(cls, config: dict[str, Any]) -> Check:
        if config.get("down"):
            return Check("connector acme", False, f"cannot reach {config['site']}", "try later")
        return Check("connector acme", True, f"{config['site']} answered")

    @classmethod
    def issue_page(cls, config: dict[str, Any], key: str) -> str | None:
        return f"{config['site']}/issues/{key}"

    @classmethod
    def mend_page(cls, url: str) -> str | None:
        api = "https://api.acme.example/v1/issues/"
        return url.replace(api, "https://acme.example/issues/") if url.startswith(api) else None

    @classmethod
    def from_settings(cls, config: dict[str, Any], context: Any) -> AcmeTracker:
        return cls()

    def perform(self, operation: str, payload: dict[str, Any], key: str) -> dict[str, Any]:
        return {}

    def check(self) -> CheckResult:
        return CheckResult(True, "signed in to acme")

    def is_own_write(self, event: dict[str, Any]) -> bool:
        return False


class AcmeDesk:
    """A helpdesk named ``acmedesk``."""

    key = "acmedesk"
    title: ClassVar[str] = "Acme Desk"
    ticket_ids: ClassVar[TicketIds] = TicketIds("Acme", re.compile(r"AD-[1-9][0-9]*"), "AD-<n>")
    kind = Kind.HELPDESK
    features: ClassVar[frozenset[str]] = frozenset()

    @classmethod
    def ticket_page(cls, config: dict[str, Any], ticket: str) -> str | None:
        return f"{config['site']}/desk/{ticket}"

    @classmethod
    def from_settings(cls, config: dict[str, Any], context: Any) -> AcmeDesk:
        return cls()

    def perform(self, operation: str, payload: dict[str, Any], key: str) -> dict[str, Any]:
        return {}

    def check(self) -> CheckResult:
        return CheckResult(True, "signed in to acmedesk")

    def field_problems(self, wanted: list[tuple[str, str]]) -> list[tuple[str, str]]:
        return [(f"{path}: no field {field}", "pick a field") for path, field in wanted]

    def is_own_write(self, event: dict[str, Any]) -> bool:
        return False


ENTRIES = {
    "acme": f"{__name__}:AcmeTracker",
    "acmedesk": f"{__name__}:AcmeDesk",
}


def install(site: Path, monkeypatch: pytest.MonkeyPatch, entries: dict[str, str] = ENTRIES) -> None:
    """Publish ``entries`` (name → ``module:Class``) in the connectors' entry-point group."""
    dist = site / "unheard_of-1.0.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: unheard-of\nVersion: 1.0\n", encoding="utf-8"
    )
    lines = "".join(f"{name} = {target}\n" for name, target in entries.items())
    (dist / "entry_points.txt").write_text(
        f"[support_bridge.connectors]\n{lines}", encoding="utf-8"
    )
    monkeypatch.syspath_prepend(str(site))
