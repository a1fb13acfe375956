"""Vendor servers from other packages, found through the entry-point group
``support_bridge.sandboxes``: a vendor added as a package brings its sandbox the same way it
brings its connector, and ``Sandbox()`` starts it beside the built-in ones.

An entry point names a factory: called with no argument, it gives a ``SandboxedVendor``, the
vendor's server with its default world already seeded, and what a client needs to talk to it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from typing import Any

from sandbox.core.vendor import VendorServer

ENTRY_POINT_GROUP = "support_bridge.sandboxes"


def _no_credentials() -> dict[str, Any]:
    return {}


@dataclass
class SandboxedVendor:
    """One vendor's server as a sandbox package gives it. ``credentials`` is read when asked,
    once the server runs (a value may name its URL, through ``server.base_url``)."""

    server: VendorServer
    credentials: Callable[[], dict[str, Any]] = field(default=_no_credentials)


VendorFactory = Callable[[], SandboxedVendor]


def discover(taken: set[str] | frozenset[str] = frozenset()) -> dict[str, VendorFactory]:
    """Every installed sandbox vendor by name, in name order, but those named in ``taken``
    (the built-in servers keep their names)."""
    found = {entry.name: entry for entry in entry_points(group=ENTRY_POINT_GROUP)}
    return {name: found[name].load() for name in sorted(found) if name not in taken}
