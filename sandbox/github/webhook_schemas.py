"""Outgoing GitHub webhooks held to GitHub's own webhook schemas (`x-webhooks`)."""

from __future__ import annotations

from functools import cache
from typing import Any

from openapi_schema_validator import OAS30Validator

from sandbox.core.contract import load_description


@cache
def _validator(name: str) -> OAS30Validator | None:
    document = load_description("github")
    if name not in document.get("x-webhooks", {}):
        return None
    pointer = f"#/x-webhooks/{name}/post/requestBody/content/application~1json/schema"
    # The document is the root so the schema's #/components/... references resolve.
    root = {"components": document["components"], "x-webhooks": document["x-webhooks"]}
    return OAS30Validator(root | {"$ref": pointer})


def check_webhook(event: str, payload: dict[str, Any]) -> list[str]:
    """Problems with `payload` as GitHub describes `event`/`action`; [] when undescribed."""
    name = event.replace("_", "-")
    validator = _validator(f"{name}-{payload['action']}" if "action" in payload else name)
    if validator is None:
        return []
    return [
        f"{'/'.join(map(str, e.absolute_path)) or '<root>'}: {e.message[:200]}"
        for e in validator.iter_errors(payload)
    ]
