"""The customer's acceptance page: ``/resolution/<token>`` from the resolution notice.

GET shows the problem, the fix and two buttons; POST records the answer once. A link that is
used, expired or not ours gets a page that says so, never an error. The URL is the credential:
every answer carries the board's page headers (never cached, framed or sent on as a referrer).
"""

from __future__ import annotations

from typing import Any

import structlog
from flask import Blueprint, Response, render_template, request

from bridge.jobs.clock import utcnow
from bridge.services.closing import closure, links
from webhooks.context import current_runtime
from webhooks.page_headers import protect

log = structlog.get_logger(__name__)
acceptance = Blueprint("acceptance", __name__, template_folder="templates")
Page = tuple[str, int]


@acceptance.after_request
def _protected(response: Response) -> Response:
    return protect(response)


def _notice(token: str) -> closure.Answer | Page:
    runtime = current_runtime()
    try:
        notice_id = links.notice_of(runtime.settings, token)
        return runtime.services.closure.read(notice_id)
    except links.LinkExpired:
        log.info("acceptance.link_expired")
        days = runtime.settings.closure.acceptance_link_days
        return render_template("resolution/expired.html", days=days), 410
    except (links.LinkInvalid, closure.UnknownNotice):
        log.info("acceptance.link_invalid")
        return render_template("resolution/invalid.html"), 404


def _answered(found: closure.Answer, status: int = 200) -> Page:
    return render_template("resolution/answered.html", notice=found), status


@acceptance.get("/resolution/<token>")
def show(token: str) -> Page:
    found = _notice(token)
    if isinstance(found, tuple):
        return found
    if found.answer is not None:
        return _answered(found)
    chosen = request.args.get("answer", "")
    return render_template(
        "resolution/ask.html", notice=found, chosen=chosen if chosen in links.ANSWERS else ""
    ), 200


@acceptance.post("/resolution/<token>")
def answer(token: str) -> Page:
    found = _notice(token)
    if isinstance(found, tuple):
        return found
    given = request.form.get("answer", "")
    if given not in links.ANSWERS:
        context: dict[str, Any] = {"notice": found, "chosen": "", "error": True}
        return render_template("resolution/ask.html", **context), 400
    recorded = current_runtime().services.closure.record_answer(
        found.notice_id, given, by="customer (acceptance page)", now=utcnow()
    )
    return _answered(recorded)
