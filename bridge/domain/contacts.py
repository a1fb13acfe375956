"""Registered contacts (rule 12): an unknown sender is held and support is told, never dropped."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from email.errors import HeaderParseError
from email.headerregistry import Address
from email.utils import getaddresses

NOT_ONE_ADDRESS = "requester is not exactly one valid email address"


def single_address(raw: str) -> str | None:
    """The one mailbox ``raw`` names, lower-cased: `"Ann <ANN@Example.com> "` ->
    `"ann@example.com"`. None unless it names exactly one valid address: a list
    (`"ops@a.example, x@evil.example"`), a line break or a malformed address is never a
    recipient, or the first of several would pass a check the others never had."""
    if "\r" in raw or "\n" in raw:
        return None
    found = getaddresses([raw.strip()])
    if len(found) != 1:
        return None
    spec = found[0][1].strip()
    try:
        address = Address(addr_spec=spec)
    except (HeaderParseError, ValueError, IndexError):
        return None
    if not address.username or "." not in address.domain or address.addr_spec != spec:
        return None
    return spec.casefold()


def normalise_address(raw: str) -> str:
    """`"Ann <ANN@Example.com> "` -> `"ann@example.com"`; "" unless exactly one valid address."""
    return single_address(raw) or ""


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
    if not address:
        held = HeldRequest("(not one address)", source_ref, received_at, NOT_ONE_ADDRESS)
    else:
        held = HeldRequest(address=address, source_ref=source_ref, received_at=received_at)
    return ContactCheck(address=address, organisation=None, held=held)
