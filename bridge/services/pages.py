"""The pages people use for a record, never the API URL a connector called: the helpdesk's
agent view of a ticket, a tracker's issue page. Each connector's class says its own
(``ticket_page(config, ticket)``, ``issue_page(config, key)``), and mends an API URL of its
vendor stored before connectors kept the page (``mend_page(url)``); the bridge asks whichever
connectors are installed, never naming one."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from bridge.config import Settings


@dataclass(frozen=True)
class Pages:
    """``sources``: the installed connectors' classes by key (``bootstrap()`` hands them over);
    a class without a page method has no page to give."""

    sources: Mapping[str, Any]
    current_settings: Callable[[], Settings]

    def _ask(self, system: str, method: str, name: str) -> str | None:
        ask = getattr(self.sources.get(system), method, None)
        config = self.current_settings().connectors.section(system)
        if ask is None or config is None:
            return None
        page: str | None = ask(config, name)
        return page

    def ticket(self, helpdesk: str, ticket: str) -> str | None:
        """The agent view of ``ticket``; None when its helpdesk is not configured."""
        return self._ask(helpdesk, "ticket_page", ticket)

    def record(self, system: str, key: str, url: str | None) -> str | None:
        """The issue page for a SPAR or AR filed in ``system``: its stored ``url`` (mended by
        the connector whose vendor's API URL it is: ``system``'s first), else the page
        ``system`` makes of ``key``."""
        if url:
            others = sorted(name for name in self.sources if name != system)
            for name in (system, *others):
                mend = getattr(self.sources.get(name), "mend_page", None)
                page: str | None = mend(url) if mend is not None else None
                if page:
                    return page
            return url
        return self._ask(system, "issue_page", key)
