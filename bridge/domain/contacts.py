"""Registered contacts (rule 12): an unknown sender is held and support is told, never dropped."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from email.utils import parseaddr


def normalise_address(raw: str) -> str:
    """`"Ann <ANN@Example.com> "` -> `"ann@example.com"`."""
    return parseaddr(raw.strip())[1].strip().casefold()


@dataclass(frozen=True)
class HeldRequest:
    """A request kept aside until support decides whose it is."""

    address: str
    source_ref: str
    received_at: datetime
    reason: str = "sender is not a registered contact"


@dataclass(frozen=True)
class ContactCheck:
    address: str
    organisation: str | None
    held: HeldRequest | None

    @property
    def registered(self) -> bool:
        return self.organisation is not None

    @property
    def support_must_be_told(self) -> bool:
        return self.held is not None


def check_requester(
    raw_address: str,
    registry: Mapping[str, str],
    *,
    source_ref: str,
    received_at: datetime,
) -> ContactCheck:
    """Look the sender up in `registry` (registered address -> organisation).

    `source_ref` names the inbound message (inbox row, email Message-ID) so the held request can be
    found and released later.
    """
    address = normalise_address(raw_address)
    known = {normalise_address(k): org for k, org in registry.items()}
    organisation = known.get(address) if address else None
    if organisation is not None:
        return ContactCheck(address=address, organisation=organisation, held=None)
    held = HeldRequest(
        address=address or raw_address.strip(), source_ref=source_ref, received_at=received_at
    )
    return ContactCheck(address=address, organisation=None, held=held)
