"""The base every vendor server builds on: one Flask app with the sandbox's request pipeline.

Per request, in order: injected faults (latency, error status), authentication, the
vendor's built-in rate limits (when switched on), the contract check of the request, the
vendor's view under the state lock, the contract check of the answer, the request log,
delivery of the webhooks the view queued, and finally an injected hold of the answer.
"""

from __future__ import annotations

import threading
from typing import Any

from flask import Blueprint, Flask, Request, Response, g, jsonify, request

from sandbox.core import journal
from sandbox.core.faults import Fault, FaultBook, LimitHit, VendorLimits
from sandbox.core.recorder import RecordedRequest, Recorder, Violation, decode_body
from sandbox.core.webhooks import Signer, WebhookSender
from sandbox.openapi.operations import Operation

CONTROL_PREFIX = "/_sandbox"


class _LockedFlask(Flask):
    state_lock: threading.RLock

    def dispatch_request(self) -> Any:
        with self.state_lock:
            return super().dispatch_request()


class VendorServer:
    """One vendor's server. Subclasses add routes, state and the vendor's error shapes."""

    name = "vendor"
    limit_defaults: dict[str, str] = {}

    def __init__(self, signer: Signer) -> None:
        self.recorder = Recorder()
        self.faults = FaultBook()
        self.limits = VendorLimits(self.limit_defaults)
        self.webhooks = WebhookSender(self.name, signer)
        self.lock = threading.RLock()
        self.base_url = ""  # set by the runner once the port is known
        self.app = self._build_app()

    # -- vendor hooks -------------------------------------------------------------------
    def error(self, status: int, message: str, headers: dict[str, str] | None = None) -> Response:
        response = jsonify({"message": message})
        response.status_code = status
        response.headers.update(headers or {})
        return response

    def rate_limit_headers(self, retry_after: int) -> dict[str, str]:
        return {"Retry-After": str(retry_after)}

    def authorized(self, req: Request) -> bool:
        return True

    def limit_hit(self, req: Request) -> LimitHit | None:
        return None

    def limit_message(self, hit: LimitHit) -> str:
        return f"rate limit {hit.limit} exceeded"

    def check_request(self, req: Request) -> list[str]:
        return []

    def operation(self, req: Request) -> Operation | None:
        """The operation of the vendor's published description this request is, if any."""
        return None

    def path_template(self, req: Request) -> str | None:
        """The template of the vendor's full description this path matches, described or not."""
        return None

    def sandbox_only(self, req: Request) -> str | None:
        """A label when the route is not the vendor's API (a web page, Atlassian's edge...),
        so no API description judges it; None for the vendor's API."""
        return None

    # The journal's label for an API route no description judges (a vendor with no
    # published description here says so).
    undescribed_label = "undescribed"

    def reject(self, problems: list[str]) -> Response:
        return self.error(400, "; ".join(problems))

    def check_response(self, req: Request, response: Response) -> list[str]:
        return []

    def decorate(self, response: Response) -> None:
        """Headers the vendor puts on every answer."""

    def register_routes(self, app: Flask) -> None:
        raise NotImplementedError

    def register_control(self, control: Blueprint) -> None:
        """Vendor-specific /_sandbox routes."""

    def snapshot(self) -> dict[str, Any]:
        return {}

    # -- helpers for subclasses and tests ---------------------------------------------------
    def check_webhook(self, event: str, payload: dict[str, Any]) -> list[str]:
        """Problems with an outgoing webhook as the vendor describes it."""
        return []

    def emit(self, event: str, payload: dict[str, Any]) -> None:
        for problem in self.check_webhook(event, payload):
            self.recorder.violate(Violation(self.name, "webhook", "POST", event, problem))
        self.webhooks.send(event, payload)

    # -- pipeline -------------------------------------------------------------------------
    def _build_app(self) -> Flask:
        app = _LockedFlask(f"sandbox.{self.name}")
        app.state_lock = self.lock
        app.json.sort_keys = False  # type: ignore[attr-defined]
        app.before_request(self._before)
        app.after_request(self._after)
        control = Blueprint(f"{self.name}_control", __name__, url_prefix=CONTROL_PREFIX)
        self._register_common_control(control)
        self.register_control(control)
        app.register_blueprint(control)
        self.register_routes(app)
        return app

    def _before(self) -> Response | None:
        if request.path.startswith(CONTROL_PREFIX):
            return None
        g.judged = True
        hits = self.faults.take(request.method, request.path)
        g.hold = sum(f.hold for f in hits)
        self.faults.wait(sum(f.latency for f in hits))
        failing = next((f for f in hits if f.status), None)
        if failing is not None:
            g.judged = False
            return self._fault_response(failing)
        if not self.authorized(request):
            g.judged = False
            return self.error(401, "Bad credentials")
        hit = self.limit_hit(request)
        if hit is not None:
            g.judged = False
            headers = self.rate_limit_headers(hit.retry_after)
            return self.error(429, self.limit_message(hit), headers)
        problems = self.check_request(request)
        g.violations = len(problems)
        if problems:
            g.judged = False
            for problem in problems:
                self.recorder.violate(
                    Violation(self.name, "request", request.method, request.path, problem)
                )
            return self.reject(problems)
        return None

    def _journal(self, status: int) -> None:
        if journal.journal_path() is None:
            return
        label = self.sandbox_only(request)
        operation = None if label else self.operation(request)
        journal.append(
            journal.entry_for(
                self.name,
                request.method,
                request.path,
                None if label else self.path_template(request),
                operation,
                label or self.undescribed_label,
                status,
                g.get("violations", 0),
            )
        )

    def primary_limit_response(self, fault: Fault) -> Response:
        headers = self.rate_limit_headers(fault.reset or 1)
        return self.error(
            fault.status or 429, "rate limit exceeded (injected by the sandbox)", headers
        )

    def _fault_response(self, fault: Fault) -> Response:
        if fault.reset is not None:
            return self.primary_limit_response(fault)
        status = fault.status or 500
        if status == 429:
            headers = self.rate_limit_headers(fault.retry_after or 1)
            return self.error(429, "rate limit exceeded (injected by the sandbox)", headers)
        headers = {"Retry-After": str(fault.retry_after)} if fault.retry_after else {}
        return self.error(
            status, fault.message or "server error (injected by the sandbox)", headers
        )

    def _after(self, response: Response) -> Response:
        if request.path.startswith(CONTROL_PREFIX):
            self.webhooks.flush()
            return response
        if g.get("judged"):
            for problem in self.check_response(request, response):
                g.violations = g.get("violations", 0) + 1
                self.recorder.violate(
                    Violation(self.name, "response", request.method, request.path, problem)
                )
        self._journal(response.status_code)
        self.recorder.record(
            RecordedRequest(
                vendor=self.name,
                method=request.method,
                path=request.path,
                query={k: request.args.getlist(k) for k in request.args},
                body=decode_body(request.get_data(), request.content_type),
                status=response.status_code,
            )
        )
        self.decorate(response)
        self.webhooks.flush()
        self.faults.wait(g.get("hold", 0.0))  # outside the state lock: others go on meanwhile
        return response

    # -- common control API ---------------------------------------------------------------
    def _register_common_control(self, control: Blueprint) -> None:
        @control.get("/requests")
        def list_requests() -> Any:
            return jsonify([r.as_dict() for r in self.recorder.requests])

        @control.delete("/requests")
        def clear_requests() -> Any:
            self.recorder.clear()
            return "", 204

        @control.get("/violations")
        def list_violations() -> Any:
            return jsonify([v.as_dict() for v in self.recorder.violations])

        @control.get("/state")
        def state() -> Any:
            with self.lock:
                return jsonify(self.snapshot())

        @control.get("/faults")
        def list_faults() -> Any:
            return jsonify([f.as_dict() for f in self.faults.armed])

        @control.post("/faults")
        def add_fault() -> Any:
            fault = self.faults.add(Fault.from_dict(request.get_json(force=True)))
            return jsonify(fault.as_dict()), 201

        @control.delete("/faults")
        def clear_faults() -> Any:
            self.faults.clear()
            self.limits.disable()
            self.webhooks.clear_faults()
            return "", 204

        @control.get("/limits")
        def list_limits() -> Any:
            return jsonify({"active": self.limits.active, "defaults": self.limits.defaults})

        @control.post("/limits")
        def enable_limit() -> Any:
            body = request.get_json(force=True)
            try:
                self.limits.enable(body["name"], body.get("rate"))
            except (KeyError, ValueError) as error:
                return jsonify({"error": str(error)}), 400
            return jsonify(self.limits.active), 201

        @control.post("/webhooks")
        def register_webhook() -> Any:
            body = request.get_json(force=True)
            target = self.webhooks.register(
                body["url"], body["secret"], tuple(body.get("events") or ("*",))
            )
            return jsonify({"url": target.url, "events": list(target.events)}), 201

        @control.get("/webhooks/deliveries")
        def deliveries() -> Any:
            return jsonify([d.as_dict() for d in self.webhooks.deliveries])

        @control.post("/webhooks/faults")
        def webhook_fault() -> Any:
            body = request.get_json(force=True)
            times, event = int(body.get("times", 1)), body.get("event", "*")
            if body.get("kind") == "drop":
                self.webhooks.drop_next(times, event)
            elif body.get("kind") == "duplicate":
                self.webhooks.duplicate_next(times, event)
            else:
                return jsonify({"error": "kind must be 'drop' or 'duplicate'"}), 400
            return "", 204

        @control.post("/webhooks/flush")
        def flush() -> Any:
            self.webhooks.flush()
            return "", 204
