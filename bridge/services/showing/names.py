"""Names people know vendor ids by: a Slack user's display name (``users.info``), a routed
Slack channel's ``#name`` (``conversations.info``; routing may name a channel by id), a Zendesk
organisation's name (event subscriptions send only its id). Each is looked up once through
the connector, in the worker (a ticket mirrored, the minute's ``learn_names``), and
remembered in ``known_names``; the board only reads what was remembered, so a slow or absent
Slack never slows it. A lookup that fails leaves the id, and is tried again the next minute."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Collection, Mapping
from typing import Protocol, runtime_checkable

import structlog

from bridge.services.collaborators import Collaborators, Service
from bridge.services.ports import Connector, ConnectorError
from bridge.store.names import (
    SLACK_CHANNEL,
    SLACK_PERSON,
    known_names,
    open_channels_wanted,
    open_names_wanted,
    organisation_system,
    remember_name,
    requester_system,
)

log = structlog.get_logger(__name__)

SLACK_USER_ID = re.compile(r"^[UW][A-Z0-9]{6,}$")
SLACK_CHANNEL_ID = re.compile(r"^[CG][A-Z0-9]{6,}$")
# Looked up per minute at most, of each kind: a first start over many open escalations
# spreads its lookups rather than spending Slack's users.info budget at once.
LOOKUPS_PER_MINUTE = 40


def is_slack_user_id(value: str) -> bool:
    return bool(SLACK_USER_ID.match(value))


@runtime_checkable
class PeopleDirectory(Protocol):  # Slack
    def display_name(self, user: str) -> str | None: ...


@runtime_checkable
class ChannelDirectory(Protocol):  # Slack
    def channel_name(self, channel: str) -> str | None: ...


@runtime_checkable
class OrganisationDirectory(Protocol):  # Zendesk
    def organisation_name(self, organisation_id: str) -> str | None: ...


@runtime_checkable
class RequesterDirectory(Protocol):  # Zendesk
    def requester_address(self, user_id: str) -> str | None: ...


class Names(Service):
    def __init__(self, collaborators: Collaborators, connectors: Mapping[str, Connector]) -> None:
        super().__init__(collaborators)
        self._connectors = connectors

    # -- what the board reads: remembered names only ------------------------------------------
    def known_people(self, ids: Collection[str]) -> dict[str, str]:
        """``{Slack user id: display name}`` for the ids among ``ids`` a name was learnt for."""
        wanted = sorted({who for who in ids if who and is_slack_user_id(who)})
        if not wanted:
            return {}
        with self.transactions.begin() as session:
            return known_names(session, SLACK_PERSON, wanted)

    def known_channels(self, ids: Collection[str]) -> dict[str, str]:
        """``{Slack channel id: #name}`` for the routed channels among ``ids`` named so far."""
        wanted = sorted({one for one in ids if one and SLACK_CHANNEL_ID.match(one)})
        if not wanted:
            return {}
        with self.transactions.begin() as session:
            return known_names(session, SLACK_CHANNEL, wanted)

    def known_organisations(self, helpdesk: str, ids: Collection[str]) -> dict[str, str]:
        wanted = sorted({one for one in ids if one and one.isdigit()})
        if not wanted:
            return {}
        with self.transactions.begin() as session:
            return known_names(session, organisation_system(helpdesk), wanted)

    # -- what the worker looks up -------------------------------------------------------------
    def organisation(self, helpdesk: str, organisation: str) -> str:
        """The organisation's name for a bare id, else ``organisation`` as it came."""
        directory = self._connectors.get(helpdesk)
        if not organisation.isdigit() or not isinstance(directory, OrganisationDirectory):
            return organisation
        system = organisation_system(helpdesk)
        learnt = self._learn(system, [organisation], directory.organisation_name)
        return learnt.get(organisation, organisation)

    def requester(self, helpdesk: str, requester: str) -> str:
        """The requester's email for a bare user id, else ``requester`` as it came."""
        directory = self._connectors.get(helpdesk)
        if not requester.isdigit() or not isinstance(directory, RequesterDirectory):
            return requester
        system = requester_system(helpdesk)
        learnt = self._learn(system, [requester], directory.requester_address)
        return learnt.get(requester, requester)

    def known_requesters(self, helpdesk: str, ids: Collection[str]) -> dict[str, str]:
        wanted = sorted({one for one in ids if one and one.isdigit()})
        if not wanted:
            return {}
        with self.transactions.begin() as session:
            return known_names(session, requester_system(helpdesk), wanted)

    def learn_names(self, now: dt.datetime) -> int:
        """The minute's hook: look up the names open escalations show as bare ids; returns
        how many were learnt."""
        with self.transactions.begin() as session:
            people, organisations, requesters = open_names_wanted(session, LOOKUPS_PER_MINUTE)
            channels = open_channels_wanted(session, LOOKUPS_PER_MINUTE)
        learnt = 0
        slack = self._connectors.get("slack")
        slack_ids = [who for who in sorted(people) if is_slack_user_id(who)]
        if slack_ids and isinstance(slack, PeopleDirectory):
            learnt += len(self._learn(SLACK_PERSON, slack_ids, slack.display_name, now))
        channel_ids = [one for one in sorted(channels) if SLACK_CHANNEL_ID.match(one)]
        if channel_ids and isinstance(slack, ChannelDirectory):
            learnt += len(self._learn(SLACK_CHANNEL, channel_ids, slack.channel_name, now))
        for helpdesk, ids in sorted(organisations.items()):
            directory = self._connectors.get(helpdesk)
            if isinstance(directory, OrganisationDirectory):
                system = organisation_system(helpdesk)
                learnt += len(self._learn(system, sorted(ids), directory.organisation_name, now))
        for helpdesk, ids in sorted(requesters.items()):
            directory = self._connectors.get(helpdesk)
            if isinstance(directory, RequesterDirectory):
                system = requester_system(helpdesk)
                learnt += len(self._learn(system, sorted(ids), directory.requester_address, now))
        return learnt

    def _learn(
        self,
        system: str,
        ids: list[str],
        look_up: Callable[[str], str | None],
        now: dt.datetime | None = None,
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
            with self.transactions.begin() as session:
                for external_id, name in learnt.items():
                    remember_name(session, system, external_id, name, now or self.now())
        return found | learnt
