"""Which operation of a vendor's description a request is: path template, id, deprecation.

Shared by the sandbox's strict contract check (a request outside the description, or to a
deprecated operation, is refused) and by the audit of a recorded run
(``python -m sandbox.openapi.audit``).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

METHODS = ("get", "put", "post", "delete", "patch", "head", "options")


@cache
def load_description(name: str) -> dict[str, Any]:
    """One of the vendor documents shipped in sandbox/openapi/ (github, jira, slack)."""
    text = resources.files("sandbox").joinpath("openapi", f"{name}.json").read_text("utf-8")
    document: dict[str, Any] = json.loads(text)
    return document


@dataclass(frozen=True)
class Operation:
    vendor: str
    method: str
    template: str
    operation_id: str
    deprecated: bool

    @property
    def key(self) -> str:
        return f"{self.method} {self.template}"


OTHER_PATHS = "x-other-paths"


def _specificity(template: str) -> tuple[tuple[int, ...], int]:
    """Literal segments first, segment by segment (OpenAPI's rule), then the longer path."""
    segments = template.split("/")
    return tuple(1 if "{" in s else 0 for s in segments), -len(segments)


def _pattern(template: str) -> re.Pattern[str]:
    parts = re.split(r"(\{[^}]+\})", template)
    return re.compile(
        "^" + "".join("[^/]+" if p.startswith("{") else re.escape(p) for p in parts) + "$"
    )


class OperationIndex:
    """The operations of one description, found by method and concrete path.

    A literal segment beats a template one, as OpenAPI requires: `/issue/createmeta` is not
    `/issue/{issueIdOrKey}` when both are described.
    """

    def __init__(self, vendor: str, document: dict[str, Any]) -> None:
        self.vendor = vendor
        # Swagger 2.0 puts the prefix in basePath; OpenAPI 3 in the server URL's path, which
        # the sandboxes leave out (their routes are the described paths themselves).
        self.base = str(document.get("basePath", "")).rstrip("/")
        described: dict[str, Any] = document.get("paths", {})
        # The trimmed copies name the full description's other paths, so a request to one of
        # them is not mistaken for a kept template it also matches.
        others = {t: None for t in document.get(OTHER_PATHS, ()) if t not in described}
        every = {**described, **others}
        templates = sorted(every, key=_specificity)
        self._paths = [(t, _pattern(t), every[t]) for t in templates]

    def _relative(self, path: str) -> str:
        base = self.base
        return path[len(base) :] if base and path.startswith(base + "/") else path

    def template(self, path: str) -> str | None:
        path = self._relative(path)
        return next((t for t, pattern, _ in self._paths if pattern.match(path)), None)

    def find(self, method: str, path: str) -> Operation | None:
        """The described operation for this request, or None (path or method undescribed)."""
        path = self._relative(path)
        for template, pattern, item in self._paths:
            if not pattern.match(path):
                continue
            operation = (item or {}).get(method.lower())
            if isinstance(operation, dict):
                return Operation(
                    vendor=self.vendor,
                    method=method.upper(),
                    template=template,
                    operation_id=str(operation.get("operationId", "")),
                    deprecated=bool(operation.get("deprecated")),
                )
            return None  # the path's own template is the one that counts, as in routing
        return None

    def operations(self) -> list[Operation]:
        return [
            Operation(
                self.vendor,
                method.upper(),
                template,
                str(op.get("operationId", "")),
                bool(op.get("deprecated")),
            )
            for template, _, item in self._paths
            for method, op in (item or {}).items()
            if method in METHODS and isinstance(op, dict)
        ]


@cache
def index_of(vendor: str) -> OperationIndex:
    return OperationIndex(vendor, load_description(vendor))
