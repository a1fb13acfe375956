"""Hold each request and answer to the vendor's own API description.

GitHub and Jira publish OpenAPI 3 documents, checked with openapi-core. Slack's published
description is Swagger 2.0, which openapi-core does not read, so its method parameters are
checked against the Swagger `parameters` lists and its answers against the response schemas
with jsonschema.

Strict: a request to a path or method the description does not have, or to an operation it
marks deprecated, is a violation the server refuses with a 4xx naming it (the committed
copies keep the operations the bridge uses, cut from the full published documents by
``python -m sandbox.openapi.trim``). Routes that are not the vendor's API at all (web pages,
Atlassian's edge, Slack's response URLs) are named by each server's ``sandbox_only``.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Collection
from functools import cache
from typing import Any

from flask import Request, Response
from jsonschema import Draft4Validator  # type: ignore[import-untyped]
from openapi_core import Config, OpenAPI
from openapi_core.contrib.werkzeug import WerkzeugOpenAPIRequest, WerkzeugOpenAPIResponse

from sandbox.openapi.operations import Operation, index_of, load_description

__all__ = ["OpenApiContract", "SwaggerMethodContract", "load_description", "outside_of"]


def outside_of(vendor: str, method: str, path: str, operation: Operation | None) -> list[str]:
    """The strict rule: only described operations, none of them deprecated."""
    if operation is None:
        return [
            f"{method} {path} is not an operation of {vendor}'s published API description "
            "(unknown path or method)"
        ]
    if operation.deprecated:
        return [
            f"{operation.key} ({operation.operation_id}) is deprecated in {vendor}'s "
            "published API description"
        ]
    return []


@cache
def _openapi(name: str) -> OpenAPI:
    # The committed copies are validated once, when `python -m sandbox.openapi.trim` writes
    # them (and by tests/sandbox/test_strict_descriptions.py); validating a 1 MB document again in
    # every process costs seconds.
    return OpenAPI.from_dict(load_description(name), config=Config(spec_validator_cls=None))


BodyCoercion = Callable[[Any], Any]


class _VendorRequest(WerkzeugOpenAPIRequest):
    """The request as the vendor's document sees it: the vendor's host, path and binder."""

    def __init__(
        self, request: Request, host_url: str, path: str, coerce: BodyCoercion | None = None
    ) -> None:
        super().__init__(request)
        self._host_url = host_url
        self._path = path
        self._coerce = coerce

    @property
    def body(self) -> bytes | None:
        raw = super().body
        if not raw or self._coerce is None or not self.content_type.startswith("application/json"):
            return raw
        try:
            return json.dumps(self._coerce(json.loads(raw))).encode("utf-8")
        except ValueError:
            return raw

    @property
    def host_url(self) -> str:
        return self._host_url

    @property
    def path(self) -> str:
        return self._path


def _messages(error: BaseException) -> str:
    """The schema errors behind an openapi-core failure, without the (huge) offending value."""
    found: list[str] = []
    seen: set[int] = set()
    pending: list[BaseException] = [error]
    while pending:
        current = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        for schema_error in getattr(current, "schema_errors", None) or ():
            where = "/".join(map(str, schema_error.absolute_path)) or "<root>"
            found.append(f"{where}: {schema_error.message[:200]}")
        if current.__cause__ is not None:
            pending.append(current.__cause__)
    return f"{type(error).__name__}: " + ("; ".join(found) or str(error)[:300])


class OpenApiContract:
    """Validates requests and answers against an OpenAPI 3 document, strictly.

    `deprecated_allowed` names deprecated operations ("METHOD template") a server still
    accepts, each for a reason stated where it is passed (docs/connectors.md lists them).
    """

    def __init__(
        self,
        name: str,
        rewrite_path: Callable[[str], str] = lambda p: p,
        coerce_body: BodyCoercion | None = None,
        deprecated_allowed: Collection[str] = (),
    ) -> None:
        self.name = name
        self._deprecated_allowed = frozenset(deprecated_allowed)
        self._rewrite_path = rewrite_path
        self._coerce_body = coerce_body
        self._server = load_description(name)["servers"][0]["url"].rstrip("/")

    def _vendor_request(self, request: Request) -> _VendorRequest:
        return _VendorRequest(
            request, self._server, self._rewrite_path(request.path), self._coerce_body
        )

    def operation(self, request: Request) -> Operation | None:
        return index_of(self.name).find(request.method, self._rewrite_path(request.path))

    def path_template(self, request: Request) -> str | None:
        return index_of(self.name).template(self._rewrite_path(request.path))

    def check_request(self, request: Request) -> list[str]:
        operation = self.operation(request)
        if operation is not None and operation.key in self._deprecated_allowed:
            operation = dataclasses.replace(operation, deprecated=False)
        outside = outside_of(self.name, request.method, request.path, operation)
        if outside:
            return outside
        try:
            _openapi(self.name).validate_request(self._vendor_request(request))
        except Exception as error:  # openapi-core raises one class per failed rule
            return [_messages(error)]
        return []

    def check_response(self, request: Request, response: Response) -> list[str]:
        if self.operation(request) is None:
            return []  # already refused as a request outside the description
        try:
            _openapi(self.name).validate_response(
                self._vendor_request(request), WerkzeugOpenAPIResponse(response)
            )
        except Exception as error:
            return [_messages(error)]
        return []


_SWAGGER_TYPES: dict[str, Callable[[Any], bool]] = {
    "boolean": lambda v: isinstance(v, bool) or str(v).lower() in {"true", "false", "1", "0"},
    "integer": lambda v: isinstance(v, int) or str(v).lstrip("-").isdigit(),
    "string": lambda v: True,  # Slack accepts JSON-encoded or native JSON values for strings
}


# Errors Slack's chat.* reference documents today that the 2021 description's error enums
# predate: a message past Block Kit's limits (more than 50 blocks, a section's text past 3,000
# characters) is refused with invalid_blocks (sandbox/openapi/PROVENANCE.md).
NEWER_SLACK_ERRORS = {
    "/chat.postMessage": {"invalid_blocks"},
    "/chat.postEphemeral": {"invalid_blocks"},
    "/chat.update": {"invalid_blocks"},
}


# Message metadata (2022) is newer than the 2021 description, whose message objects allow no
# other properties; conversations.history and .replies return it with include_all_metadata.
NEWER_SLACK_FIELDS = ("metadata",)


def _without_newer_fields(payload: dict[str, Any]) -> dict[str, Any]:
    messages = payload.get("messages")
    if not isinstance(messages, list):
        return payload
    kept = [
        {k: v for k, v in m.items() if k not in NEWER_SLACK_FIELDS} if isinstance(m, dict) else m
        for m in messages
    ]
    return {**payload, "messages": kept}


class SwaggerMethodContract:
    """Checks Slack Web API calls against the Swagger 2.0 `parameters` and response schemas."""

    def __init__(self, name: str = "slack") -> None:
        self.name = name
        self._doc = load_description(name)
        self._base = self._doc.get("basePath", "")

    def _operation(self, request: Request) -> dict[str, Any] | None:
        path = request.path.removeprefix(self._base)
        ops = self._doc["paths"].get(path)
        if not ops:
            return None
        operation: dict[str, Any] = ops.get(request.method.lower()) or next(iter(ops.values()))
        return operation

    def operation(self, request: Request) -> Operation | None:
        """Slack's methods take GET or POST alike ("Web API methods accept both"); the
        document gives each one verb (views.* as GET, which every client POSTs), so the
        method is found by its name alone."""
        index = index_of(self.name)
        return index.find("GET", request.path) or index.find("POST", request.path)

    def path_template(self, request: Request) -> str | None:
        return index_of(self.name).template(request.path)

    def check_request(self, request: Request, args: dict[str, Any]) -> list[str]:
        outside = outside_of(self.name, request.method, request.path, self.operation(request))
        if outside:
            return outside
        operation = self._operation(request)
        if operation is None:
            return []
        problems = []
        for param in operation.get("parameters", []):
            name = param["name"]
            if param["in"] == "header" or name == "token":
                continue  # Slack takes the token from the Authorization header for every method
            if name not in args:
                if param.get("required"):
                    problems.append(f"missing required argument {name!r}")
                continue
            check = _SWAGGER_TYPES.get(param.get("type", "string"), _SWAGGER_TYPES["string"])
            if not check(args[name]):
                problems.append(f"argument {name!r} is not a {param['type']}")
        return problems

    def check_response(self, request: Request, payload: dict[str, Any]) -> list[str]:
        operation = self._operation(request)
        if operation is None:
            return []
        path = request.path.removeprefix(self._base)
        if not payload.get("ok") and payload.get("error") in NEWER_SLACK_ERRORS.get(path, ()):
            return []
        responses = operation.get("responses", {})
        described = responses.get("200") if payload.get("ok") else responses.get("default")
        if not described or "schema" not in described:
            return []
        schema = {**described["schema"], "definitions": self._doc.get("definitions", {})}
        validator = Draft4Validator(schema)
        return [
            f"{'/'.join(map(str, e.absolute_path)) or '<root>'}: {e.message}"
            for e in validator.iter_errors(_without_newer_fields(payload))
            # Errata: the description gives `messages` minItems 1, while Slack answers an
            # empty channel's history (or a page past its end) with `"messages": []`.
            if not (list(e.absolute_path) == ["messages"] and e.validator == "minItems")
        ]
