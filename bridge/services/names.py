"""Names people know vendor ids by: a Slack user's display name (``users.info``), a Zendesk
organisation's name (event subscriptions send only its id). Each is looked up once through
the connector and remembered in ``known_names``; a lookup that fails leaves the id, and is
tried again the next time the id is shown."""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping
from typing import Protocol, runtime_checkable

import structlog

from bridge.services.collaborators import Collaborators, Service
from bridge.services.ports import Connector, ConnectorError
from bridge.store.names import SLACK_PERSON, known_names, organisation_system, remember_name

log = structlog.get_logger(__name__)

SLACK_USER_ID = re.compile(r"^[UW][A-Z0-9]{6,}$")


def is_slack_user_id(value: str) -> bool:
    return bool(SLACK_USER_ID.match(value))


@runtime_checkable
class PeopleDirectory(Protocol):  # Slack
    def display_name(self, user: str) -> str | None: ...


@runtime_checkable
class OrganisationDirectory(Protocol):  # Zendesk
    def organisation_name(self, organisation_id: str) -> str | None: ...


class Names(Service):
    def __init__(self, collaborators: Collaborators, connectors: Mapping[str, Connector]) -> None:
        super().__init__(collaborators)
        self._connectors = connectors

    def organisation(self, helpdesk: str, organisation: str) -> str:
        """The organisation's name for a bare id, else ``organisation`` as it came."""
        return self.organisations(helpdesk, [organisation]).get(organisation, organisation)

    def organisations(self, helpdesk: str, ids: Collection[str]) -> dict[str, str]:
        """``{organisation id: name}`` for the bare ids among ``ids`` the helpdesk could name."""
        wanted = sorted({one for one in ids if one and one.isdigit()})
        if not wanted:
            return {}
        directory = self._connectors.get(helpdesk)
        system = organisation_system(helpdesk)
        if not isinstance(directory, OrganisationDirectory):
            with self.transactions.begin() as session:
                return known_names(session, system, wanted)
        return self._learn(system, wanted, directory.organisation_name)

    def people(self, ids: Collection[str]) -> dict[str, str]:
        """``{Slack user id: display name}`` for the ids among ``ids`` Slack could name."""
        wanted = sorted({who for who in ids if who and is_slack_user_id(who)})
        if not wanted:
            return {}
        directory = self._connectors.get("slack")
        if not isinstance(directory, PeopleDirectory):
            with self.transactions.begin() as session:
                return known_names(session, SLACK_PERSON, wanted)
        return self._learn(SLACK_PERSON, wanted, directory.display_name)

    def _learn(
        self, system: str, ids: list[str], look_up: Callable[[str], str | None]
    ) -> dict[str, str]:
        with self.transactions.begin() as session:
            found = known_names(session, system, ids)
        learnt: dict[str, str] = {}
        for external_id in ids:
            if external_id in found:
                continue
            try:
                name = look_up(external_id)
            except ConnectorError as exc:
                log.info("names.lookup_failed", system=system, id=external_id, error=str(exc))
                continue
            if name:
                learnt[external_id] = name
        if learnt:
            now = self.now()
            with self.transactions.begin() as session:
                for external_id, name in learnt.items():
                    remember_name(session, system, external_id, name, now)
        return found | learnt
