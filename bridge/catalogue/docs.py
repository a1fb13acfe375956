"""The docs' table of steps, written from the catalogue: ``python -m bridge.catalogue.docs``
rewrites it in docs/slack.md; a test fails while the file and the catalogue disagree."""

from __future__ import annotations

import sys
from pathlib import Path

from bridge.catalogue import STEPS, Step, Surface

DOC = Path(__file__).resolve().parents[2] / "docs" / "slack.md"
BEGIN = "<!-- steps: written by `python -m bridge.catalogue.docs` from bridge/catalogue -->"
END = "<!-- /steps -->"


def _in_slack(declared: Step) -> str:
    label = f"**{declared.label}**"
    if declared.offered_on(Surface.BUTTON):
        where = f"{label} button"
    elif declared.offered_on(Surface.MENU):
        where = f"**More steps…** → {label}"
    elif declared.offered_on(Surface.REPLY):
        where = f"{label} button under a developer's comment in the thread"
    else:
        return "—"
    return f"{where} → form" if declared.offered_on(Surface.FORM) else where


def _in_api(declared: Step) -> str:
    return ", ".join(f"`POST …/{route.path}`" for route in declared.api) or "—"


def _role(declared: Step) -> str:
    if declared.taken_as:
        return f"`{declared.taken_as}`"
    return f"`{declared.name}`"


def steps_table() -> str:
    rows = [
        "| step | what it does | in Slack | in the API | who may (`roles:` key) |",
        "|---|---|---|---|---|",
    ]
    rows += [
        f"| {d.label} | {d.does} | {_in_slack(d)} | {_in_api(d)} | {_role(d)} |" for d in STEPS
    ]
    return "\n".join([BEGIN, *rows, END])


def with_table(text: str) -> str:
    """``text`` with its table of steps written afresh; ``ValueError`` if it has no place for
    one."""
    head, begin, rest = text.partition(BEGIN)
    _, end, tail = rest.partition(END)
    if not begin or not end:
        raise ValueError(f"no {BEGIN} … {END} in the document")
    return head + steps_table() + tail


def main() -> int:
    written = with_table(DOC.read_text(encoding="utf-8"))
    DOC.write_text(written, encoding="utf-8")
    print(f"wrote the table of {len(STEPS)} steps in {DOC}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
