"""docs/procedure.md stays honest: every seed page has its table, no cell is left empty, and
every test the page names exists (read from the test module's source, without importing it)."""

from __future__ import annotations

import ast
import functools
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROCEDURE = ROOT / "docs" / "procedure.md"
TEST_ID = re.compile(r"tests/[\w/]+\.py::\w+")
SEED_TABLE = ["Sentence", "Rule", "Surface", "Test"]
EMPTY = {"", "-", "—", "…", "n/a", "tbd", "todo"}


def tables(text: str) -> list[tuple[str, list[str], list[list[str]]]]:
    """Each markdown table as (the section heading above it, its header, its rows of cells)."""
    found: list[tuple[str, list[str], list[list[str]]]] = []
    heading, block = "", []
    for line in [*text.splitlines(), ""]:
        if line.startswith("|"):
            block.append([cell.strip() for cell in line.strip().strip("|").split("|")])
            continue
        if block:
            found.append((heading, block[0], block[2:]))
            block = []
        if line.startswith("## "):
            heading = line[3:]
    return found


def problems(text: str) -> list[str]:
    """Rows with a cell missing or empty, and test cells that name no test."""
    found = []
    for heading, header, rows in tables(text):
        for number, cells in enumerate(rows, start=1):
            where = f"{heading}, row {number}"
            if len(cells) != len(header):
                found.append(f"{where}: {len(cells)} cells under {len(header)} columns")
                continue
            found += [
                f"{where}: {column} is empty"
                for column, cell in zip(header, cells, strict=True)
                if cell.lower() in EMPTY
            ]
            if "Test" in header and not TEST_ID.search(cells[header.index("Test")]):
                found.append(f"{where}: Test names no test id")
    return found


@functools.cache
def defined_names(module: Path) -> frozenset[str]:
    """The module's top-level functions, classes and assigned names (a hypothesis state
    machine's TestCase is an assignment)."""
    names: set[str] = set()
    for node in ast.parse(module.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names |= {target.id for target in node.targets if isinstance(target, ast.Name)}
    return frozenset(names)


def unknown_tests(text: str) -> list[str]:
    missing = []
    for test_id in sorted(set(TEST_ID.findall(text))):
        path, _, name = test_id.partition("::")
        module = ROOT / path
        if not module.is_file() or name not in defined_names(module):
            missing.append(test_id)
    return missing


def test_every_seed_page_has_its_table_and_the_clock_section_comes_first() -> None:
    text = PROCEDURE.read_text(encoding="utf-8")
    headings = [heading for heading, _, _ in tables(text)]
    assert headings[0] == "SLA clocks over time"
    for seed in ("000", "001", "002", "003", "004"):
        [(_, header, rows)] = [t for t in tables(text) if t[0].startswith(f"{seed} ")]
        assert header == SEED_TABLE, seed
        assert rows, seed
    assert headings[-1] == "Not yet traced"


def test_no_cell_of_the_procedure_is_empty() -> None:
    assert problems(PROCEDURE.read_text(encoding="utf-8")) == []


def test_every_test_the_procedure_names_exists() -> None:
    text = PROCEDURE.read_text(encoding="utf-8")
    assert len(set(TEST_ID.findall(text))) > 50
    assert unknown_tests(text) == []


def test_the_checks_see_an_empty_cell_a_missing_test_and_an_unknown_one() -> None:
    here = "tests/foundation/test_procedure_doc.py"
    page = (
        "## 000 x\n\n| Sentence | Rule | Surface | Test |\n|---|---|---|---|\n"
        f"| a | 1 |  | `{here}::test_no_cell_of_the_procedure_is_empty` |\n"
        "| b | 2 | Slack | none yet |\n"
        "| c | 3 | API |\n"
        f"| d | 4 | API | `{here}::test_that_was_never_written` |\n"
    )
    assert problems(page) == [
        "000 x, row 1: Surface is empty",
        "000 x, row 2: Test names no test id",
        "000 x, row 3: 3 cells under 4 columns",
    ]
    assert unknown_tests(page) == [f"{here}::test_that_was_never_written"]


DOMAIN = ROOT / "docs" / "domain.md"
CITED_RULE = re.compile(r"\brules? (\d+)(?: and (\d+))?")
CITED_SEED = re.compile(r"\((00[0-9])(?:[,;][^)]*)?\)|\b(00[0-9]) —")


def test_every_rule_and_seed_page_the_code_cites_is_in_the_repository() -> None:
    """The code cites the model as "rule N" and the seed pages as "(004)": each resolves to a
    numbered rule of docs/domain.md and a seed section of docs/procedure.md."""
    rules = set(re.findall(r"^(\d+)\. \*\*", DOMAIN.read_text(encoding="utf-8"), re.MULTILINE))
    seeds = set(re.findall(r"^## (00\d) — ", PROCEDURE.read_text(encoding="utf-8"), re.MULTILINE))
    cited_rules: dict[str, str] = {}
    cited_seeds: dict[str, str] = {}
    for package in ("bridge", "webhooks", "sandbox"):
        for module in (ROOT / package).rglob("*.py"):
            text = module.read_text(encoding="utf-8")
            where = str(module.relative_to(ROOT))
            for found in CITED_RULE.finditer(text):
                for number in filter(None, found.groups()):
                    cited_rules.setdefault(number, where)
            for found in CITED_SEED.finditer(text):
                for number in filter(None, found.groups()):
                    cited_seeds.setdefault(number, where)
    assert len(cited_rules) > 5 and len(cited_seeds) == 5, (cited_rules, cited_seeds)
    missing_rules = {n: where for n, where in cited_rules.items() if n not in rules}
    missing_seeds = {n: where for n, where in cited_seeds.items() if n not in seeds}
    assert missing_rules == {}, f"rules cited but not in docs/domain.md: {missing_rules}"
    assert missing_seeds == {}, f"seed pages cited but not in docs/procedure.md: {missing_seeds}"
