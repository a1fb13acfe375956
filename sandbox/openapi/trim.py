"""Cut the committed vendor descriptions out of the full published documents.

    python -m sandbox.openapi.trim SOURCE_DIR [--check] [--vendor jira]

SOURCE_DIR holds the full documents named in ``manifest.SOURCES`` (how to get each is its
``obtain``). For each vendor this keeps exactly the operations listed in the manifest, as
published (``deprecated`` flags, parameters, request bodies and answers), every component
they reach through ``$ref`` (transitively), the names of the document's other paths (so a
request to one of them is recognised, not matched to a kept template) and a provenance
block, ``info.x-trimmed-from``. ``--check`` writes nothing and fails if a committed copy
differs from what the sources give.
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import json
import sys
from pathlib import Path
from typing import Any

from openapi_spec_validator import validate

from sandbox.openapi import manifest
from sandbox.openapi.operations import METHODS, OTHER_PATHS

HERE = Path(__file__).parent
OPERATIONS = {
    "github": manifest.GITHUB_OPERATIONS,
    "jira": manifest.JIRA_OPERATIONS,
    "slack": manifest.SLACK_OPERATIONS,
}


def _without_octokit(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _without_octokit(v) for k, v in node.items() if not k.startswith("x-octokit")}
    if isinstance(node, list):
        return [_without_octokit(v) for v in node]
    return node


def _refs(node: Any) -> set[str]:
    found: set[str] = set()
    pending = [node]
    while pending:
        current = pending.pop()
        if isinstance(current, dict):
            ref = current.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/"):
                found.add(ref)
            pending.extend(current.values())
        elif isinstance(current, list):
            pending.extend(current)
    return found


def _resolve(document: dict[str, Any], ref: str) -> Any:
    node: Any = document
    for part in ref.removeprefix("#/").split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def _closure(document: dict[str, Any], roots: Any) -> set[str]:
    """Every `$ref` reachable from `roots`, following references transitively."""
    seen: set[str] = set()
    pending = list(_refs(roots))
    while pending:
        ref = pending.pop()
        if ref in seen:
            continue
        seen.add(ref)
        pending.extend(_refs(_resolve(document, ref)) - seen)
    return seen


def _kept_paths(full: dict[str, Any], wanted: tuple[str, ...]) -> dict[str, Any]:
    by_path: dict[str, list[str]] = {}
    for key in wanted:
        method, path = key.split(" ", 1)
        if method.lower() not in full["paths"].get(path, {}):
            raise SystemExit(f"{key} is not in the full description")
        by_path.setdefault(path, []).append(method.lower())
    kept: dict[str, Any] = {}
    for path, item in full["paths"].items():  # the document's own order
        if path in by_path:
            kept[path] = {k: v for k, v in item.items() if k not in METHODS or k in by_path[path]}
    return kept


def _components(full: dict[str, Any], refs: set[str]) -> dict[str, Any]:
    """The referenced components in the full document's order (definitions for Swagger 2)."""
    if "swagger" in full:
        definitions = full.get("definitions", {})
        return {
            "definitions": {n: v for n, v in definitions.items() if f"#/definitions/{n}" in refs}
        }
    components: dict[str, Any] = {}
    for kind, entries in full.get("components", {}).items():
        prefix = f"#/components/{kind}/"
        chosen = {n: v for n, v in entries.items() if prefix + n.replace("/", "~1") in refs}
        if kind == "securitySchemes":
            chosen = entries  # named by `security`, not by $ref
        if chosen:
            components[kind] = chosen
    return {"components": components}


def _tags(operation: Any) -> list[str]:
    return list(operation.get("tags", [])) if isinstance(operation, dict) else []


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def trimmed(vendor: str, source_dir: Path) -> dict[str, Any]:
    source = manifest.SOURCES[vendor]
    path = source_dir / source.file
    digest = _sha256(path)
    if digest != source.sha256:
        raise SystemExit(f"{path}: sha256 {digest}, the manifest names {source.sha256}")
    full: dict[str, Any] = json.loads(path.read_text("utf-8"))
    document = copy.deepcopy(full)
    if vendor == "github":
        document = _without_octokit(document)
        restored = json.loads((HERE / manifest.GITHUB_RESTORED).read_text("utf-8"))
        document["info"] = restored["info"]  # GitHub's own, which Octokit rewrites
        for key, operation in restored["operations"].items():
            method, template = key.split(" ", 1)
            document["paths"][template][method.lower()] = operation
    paths = _kept_paths(document, OPERATIONS[vendor])
    webhooks = {}
    if vendor == "github":
        webhooks = {name: document["x-webhooks"][name] for name in manifest.GITHUB_WEBHOOKS}
    refs = _closure(document, [paths, webhooks])
    head = {k: v for k, v in document.items() if k not in {"paths", "components", "definitions"}}
    head.pop("x-webhooks", None)
    if "swagger" not in document:  # OpenAPI 3 copies keep only the tags their operations use
        used = {t for item in paths.values() for op in item.values() for t in _tags(op)}
        head["tags"] = [tag for tag in head.get("tags", []) if tag["name"] in used]
    head["info"] = {
        **head["info"],
        "x-trimmed-from": {
            "source": source.origin,
            "path": source.path,
            "version": source.version,
            "date": source.date,
            "sha256": digest,
            "licence": source.licence,
            "generated-by": "python -m sandbox.openapi.trim (sandbox/openapi/manifest.py)",
            "operations-kept": len(OPERATIONS[vendor]),
            "operations-published": sum(
                1 for item in full["paths"].values() for m in item if m in METHODS
            ),
        },
    }
    result: dict[str, Any] = {**head, "paths": paths}
    if webhooks:
        result["x-webhooks"] = webhooks
    result.update(_components(document, refs))
    result[OTHER_PATHS] = [p for p in full["paths"] if p not in paths]
    references(result)  # raises KeyError if the cut left a reference dangling
    if "openapi" in result:
        # Slack's Swagger 2.0 document fails the validator as published (tuple `items`).
        validate(result)
    return result


def references(document: dict[str, Any]) -> set[str]:
    """Every `$ref` the document's operations and webhooks reach, each resolved."""
    return _closure(document, [document["paths"], document.get("x-webhooks", {})])


def resolve(document: dict[str, Any], ref: str) -> Any:
    return _resolve(document, ref)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source_dir", type=Path)
    parser.add_argument("--check", action="store_true", help="compare, write nothing")
    parser.add_argument(
        "--vendor",
        action="append",
        choices=sorted(OPERATIONS),
        help="only this vendor's copy (its source alone in SOURCE_DIR); every vendor without",
    )
    args = parser.parse_args(argv)
    stale = []
    for vendor in args.vendor or OPERATIONS:
        text = json.dumps(trimmed(vendor, args.source_dir), indent=2, ensure_ascii=False) + "\n"
        target = HERE / f"{vendor}.json"
        if args.check:
            if target.read_text("utf-8") != text:
                stale.append(vendor)
            continue
        target.write_text(text, "utf-8")
        print(f"{target}: {len(OPERATIONS[vendor])} operations, {len(text):,} bytes")
    if stale:
        print("out of date: " + ", ".join(stale), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
