"""No module outside a vendor's own package names a tracker or a helpdesk in its code: the core
asks the installed connectors by capability (docs/connectors.md, "What a connector is").

Comments and docstrings may name vendors (they explain); identifiers and strings may not. The
few modules that still do are listed with the reason, and the list may only shrink: a module
that stops naming a vendor must leave it. Slack (the chat surface the procedure is run from)
and email are not counted: they are the bridge's own surfaces, not plugins a team swaps.
The import contract in pyproject.toml ("only a vendor's package imports it") checks imports."""

from __future__ import annotations

import io
import re
import tokenize
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VENDOR = re.compile(r"jira|github|gitlab|zendesk|freshdesk", re.IGNORECASE)
SCANNED = ("bridge", "webhooks", "bridge_cli")
# A vendor's own package names its vendor; a migration names the columns as they were.
PROVIDER = re.compile(r"^bridge/connectors/[a-z_]+/")
SKIPPED = re.compile(r"/migrations/")

STILL_NAMING = {
    "bridge/config/connectors.py": "the built-in connectors' settings models are declared in "
    "config, which may not import their packages (bridge/config sits below bridge/connectors)",
    "bridge/config/helpdesks.py": "the built-in helpdesks' settings models, for the same reason",
    "bridge/config/settings.py": "the older top-level BRIDGE_<SOURCE>_WEBHOOK_SECRET settings, "
    "kept working for existing deployments (connectors.<key>.webhook_secret replaces them)",
    "bridge/config/policy.py": "routing.default_tracker's default, jira, as documented since "
    "the first release",
    "bridge_cli/demo.py": "the demo plays its story on the sandbox's Jira, Slack and Zendesk",
    "bridge_cli/demo_helpdesk.py": "the demo's helpdesk scenes, on the sandbox's Zendesk",
    "bridge_cli/demo_story.py": "the demo's developer and customer, on the sandbox's Jira and "
    "Zendesk",
}


def _statement_strings(tokens: list[tokenize.TokenInfo]) -> set[int]:
    """The indexes of string tokens that are a whole statement: docstrings."""
    layout = {tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT, tokenize.COMMENT}
    found = set()
    for index, token in enumerate(tokens):
        if token.type != tokenize.STRING:
            continue
        before = next((t for t in reversed(tokens[:index]) if t.type not in layout), None)
        after = next((t for t in tokens[index + 1 :] if t.type not in {tokenize.NL}), None)
        starts = before is None or before.string == ":" or tokens[index - 1].type in layout
        if starts and (after is None or after.type in {tokenize.NEWLINE, tokenize.ENDMARKER}):
            found.add(index)
    return found


def vendor_names_in(source: str) -> list[tuple[int, str]]:
    """Each identifier or string of ``source``'s code naming a vendor, with its line."""
    tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    docstrings = _statement_strings(tokens)
    code = {tokenize.NAME, tokenize.STRING, getattr(tokenize, "FSTRING_MIDDLE", tokenize.STRING)}
    return [
        (token.start[0], token.string)
        for index, token in enumerate(tokens)
        if token.type in code and index not in docstrings and VENDOR.search(token.string)
    ]


def naming_modules() -> dict[str, list[tuple[int, str]]]:
    found = {}
    for top in SCANNED:
        for path in sorted((ROOT / top).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            if PROVIDER.match(relative) or SKIPPED.search(relative):
                continue
            names = vendor_names_in(path.read_text("utf-8"))
            if names:
                found[relative] = names
    return found


def test_no_module_outside_a_vendor_package_names_a_vendor_in_its_code() -> None:
    found = naming_modules()
    new = {
        module: [f"line {line}: {text[:50]}" for line, text in names[:3]]
        for module, names in found.items()
        if module not in STILL_NAMING
    }
    assert not new, f"ask the installed connectors instead of naming a vendor: {new}"


def test_the_list_of_modules_still_naming_vendors_only_shrinks() -> None:
    assert sorted(set(STILL_NAMING) - set(naming_modules())) == []


def test_the_scan_sees_code_and_not_what_explains_it() -> None:
    source = '''"""Reads Jira's webhooks."""
# GitHub too
def read(payload):
    """Zendesk's shape."""
    return payload["freshdesk_webhook"]
'''
    assert vendor_names_in(source) == [(5, '"freshdesk_webhook"')]
