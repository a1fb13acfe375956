"""The run's journal of vendor requests, for the audit against the published descriptions.

With ``BRIDGE_SANDBOX_RECORD=path.jsonl`` set, every server appends one JSON line per request
it answers on a vendor route: vendor, method, the described path template and operation id
(or the path with its numbers as ``{id}`` when nothing describes it), whether the operation
is deprecated, the status and how many contract violations the request and its answer
raised, and under pytest the test's id. No bodies, query strings, headers or tokens.
``python -m sandbox.openapi.audit path.jsonl`` judges the lines.
"""

from __future__ import annotations

import json
import os
import re
import threading
from dataclasses import asdict, dataclass
from pathlib import Path

from sandbox.openapi.operations import Operation

RECORD_ENV = "BRIDGE_SANDBOX_RECORD"
_NUMBER = re.compile(r"(?<=/)\d+(?=[/.]|$)")
_lock = threading.Lock()


@dataclass(frozen=True)
class JournalEntry:
    vendor: str
    method: str
    template: str
    operation_id: str | None
    deprecated: bool
    # "described" (an operation of the vendor's description), "undescribed" (a vendor API
    # route the description lacks), or the label of a route that is not the vendor's API
    # (`VendorServer.sandbox_only`) or of a vendor with no description here.
    route: str
    status: int
    violations: int


def entry_for(
    vendor: str,
    method: str,
    path: str,
    template: str | None,
    operation: Operation | None,
    route: str,
    status: int,
    violations: int,
) -> JournalEntry:
    if operation is not None:
        return JournalEntry(
            vendor,
            operation.method,
            operation.template,
            operation.operation_id,
            operation.deprecated,
            "described",
            status,
            violations,
        )
    where = template or _NUMBER.sub("{id}", path)
    return JournalEntry(vendor, method, where, None, False, route, status, violations)


def _from_environment() -> Path | None:
    value = os.environ.get(RECORD_ENV, "").strip()
    return Path(value).resolve() if value else None


# Read once, when the sandbox is imported: the test suite's isolation drops every BRIDGE_*
# variable before each test, and tests change the working directory.
_target: list[Path | None] = [_from_environment()]


def journal_path() -> Path | None:
    return _target[0]


def record_to(path: Path | None) -> Path | None:
    """Journal to `path` from now on (None: stop); gives back the previous target."""
    previous, _target[0] = _target[0], path
    return previous


def append(entry: JournalEntry) -> None:
    target = journal_path()
    if target is None:
        return
    record = asdict(entry)
    test = os.environ.get("PYTEST_CURRENT_TEST")  # which test asked, when pytest runs
    if test:
        record["test"] = test.removesuffix(" (call)")
    line = json.dumps(record, sort_keys=True) + "\n"
    with _lock, target.open("a", encoding="utf-8") as out:  # one line per write: no interleaving
        out.write(line)
