"""Judge a run's recorded vendor requests against the vendors' published descriptions.

    BRIDGE_SANDBOX_RECORD=/tmp/run.jsonl .venv/bin/support-bridge demo
    python -m sandbox.openapi.audit /tmp/run.jsonl
    make vendor-audit    # the whole test suite and the demo, recorded and judged


Each journal line (``sandbox.core.journal``) is judged again here, against the committed
descriptions cut from the full published documents: a request to a path or method no
description has is a violation, one to an operation marked deprecated is counted as
deprecated (unless ``ALLOWED_DEPRECATED`` names it, with its reason), and the contract
violations the sandbox found in the request or its answer are added. Routes that are not a
vendor's API and vendors with no published description are counted apart, by label, and so
are the refused requests of tests that break the descriptions on purpose, to prove the
sandbox refuses (``--on-purpose tests/sandbox/``). The exit status is 1 when anything else
is violated or deprecated.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sandbox.openapi.operations import index_of

DESCRIBED = ("github", "jira", "slack")
# Deprecated operations a client library forces on the bridge, each with the reason
# (docs/connectors.md, "Exceptions"). Keyed "vendor METHOD template".
ALLOWED_DEPRECATED = {
    "jira GET /rest/api/3/search": "Jira Data Center 9's only search (the jira library's "
    "search_issues there); Cloud's document deprecates it for /search/jql, which Data Center "
    "lacks",
    "jira POST /rest/api/3/search": "as GET /search, for Data Center 9",
}


@dataclass
class Verdict:
    requests: int = 0
    operations: Counter[str] = field(default_factory=Counter)
    violations: list[str] = field(default_factory=list)
    deprecated: list[str] = field(default_factory=list)
    allowed_deprecated: Counter[str] = field(default_factory=Counter)
    apart: Counter[str] = field(default_factory=Counter)

    @property
    def clean(self) -> bool:
        return not self.violations and not self.deprecated


def _as_v3(vendor: str, template: str) -> str:
    if vendor == "jira":
        for old in ("/rest/api/2/", "/rest/api/latest/"):
            if template.startswith(old):
                return "/rest/api/3/" + template.removeprefix(old)
    return template


def judge(entries: list[dict[str, Any]], on_purpose: tuple[str, ...] = ()) -> Verdict:
    verdict = Verdict()
    for entry in entries:
        verdict.requests += 1
        test = str(entry.get("test") or "")
        deliberate = next((prefix for prefix in on_purpose if test.startswith(prefix)), None)
        if deliberate is not None and (entry.get("violations") or entry["route"] == "undescribed"):
            verdict.apart[f"made on purpose by {deliberate}"] += 1
            continue
        vendor, method = entry["vendor"], entry["method"]
        template = _as_v3(vendor, entry["template"])
        if vendor not in DESCRIBED or entry["route"] not in {"described", "undescribed"}:
            verdict.apart[f"{vendor}: {entry['route']}"] += 1
            continue
        operation = index_of(vendor).find(method, template)
        if operation is None and vendor == "slack":  # Slack takes GET and POST alike
            operation = index_of(vendor).find("POST" if method == "GET" else "GET", template)
        if operation is None:
            verdict.violations.append(f"{vendor} {method} {entry['template']}: not described")
            continue
        key = f"{vendor} {operation.key}"
        verdict.operations[key] += 1
        if operation.deprecated:
            if key in ALLOWED_DEPRECATED:
                verdict.allowed_deprecated[key] += 1
            else:
                verdict.deprecated.append(f"{key} ({operation.operation_id})")
        if entry.get("violations"):
            verdict.violations.append(
                f"{key}: {entry['violations']} contract violation(s) in request or answer"
            )
    return verdict


def read(path: Path) -> list[dict[str, Any]]:
    lines = path.read_text("utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def report(verdict: Verdict) -> str:
    lines = [
        f"requests: {verdict.requests}",
        f"operations used: {len(verdict.operations)}",
        f"violations: {len(verdict.violations)}",
        f"deprecated: {len(verdict.deprecated)}",
    ]
    lines += [f"  violation: {v}" for v in sorted(set(verdict.violations))]
    lines += [f"  deprecated: {d}" for d in sorted(set(verdict.deprecated))]
    for key, count in sorted(verdict.allowed_deprecated.items()):
        lines.append(f"  allowed deprecated ({count}): {key}: {ALLOWED_DEPRECATED[key]}")
    for label, count in sorted(verdict.apart.items()):
        lines.append(f"  not judged by a description ({count}): {label}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("journal", type=Path, nargs="+")
    parser.add_argument("--operations", action="store_true", help="list the operations used")
    parser.add_argument(
        "--on-purpose",
        action="append",
        default=[],
        metavar="TESTS",
        help="tests (a path prefix) whose refused requests are made on purpose: counted apart",
    )
    args = parser.parse_args(argv)
    entries = [e for path in args.journal for e in read(path)]
    verdict = judge(entries, tuple(args.on_purpose))
    print(report(verdict))
    if args.operations:
        for key, count in sorted(verdict.operations.items()):
            print(f"  {count:6d}  {key}")
    return 0 if verdict.clean else 1


if __name__ == "__main__":
    raise SystemExit(main())
