"""The board: ``/board`` lists the open escalations, ``/board/escalations/<id>`` shows one's
triage answers and timeline (its audit trail). Server-rendered, usable without JavaScript; a
small inline script only keeps the SLA countdowns live. Never public (see ``board_access``).

Side effects that gave up (dead letters) are shown above the list, grouped by system,
operation and channel with the command that sends them round again, and mark the rows of
their escalations: otherwise a Slack channel routing names wrongly fails silently.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import asdict, dataclass
from typing import Any

from flask import Blueprint, Response, g, redirect, render_template, request, url_for

from bridge.domain.clocks import describe, latest, shown
from bridge.domain.enums import EscalationState, Level
from bridge.services.answers import shown_triage
from bridge.store import board as queries
from bridge.store.board_timeline import timeline as read_timeline
from bridge.store.ids import record_id
from webhooks import board_access as access
from webhooks.board_json import REPLAY, gave_up, json_dead, json_row
from webhooks.board_shown import Shown, countdown, link, shown_rows, stamp
from webhooks.context import current_runtime
from webhooks.page_headers import protect

board = Blueprint("board", __name__, url_prefix="/board", template_folder="templates")
board.record_once(access.configure)

STATES = tuple(state.value for state in EscalationState if state.value != queries.CLOSED)
LEVELS = tuple(int(level) for level in Level)
OPEN_ENDPOINTS = frozenset({"board.login_form", "board.login"})


class BadFilter(Exception):
    def __init__(self, parameter: str, detail: str) -> None:
        super().__init__(detail)
        self.parameter = parameter
        self.detail = detail


@dataclass(frozen=True)
class Filters:
    state: str | None = None
    level: int | None = None
    team: str | None = None
    page: int = 1

    @property
    def active(self) -> bool:
        return any(value is not None for value in (self.state, self.level, self.team))

    def on_page(self, number: int) -> dict[str, Any]:
        """The query string of page ``number`` with these filters."""
        chosen = {"state": self.state, "level": self.level, "team": self.team}
        return {key: value for key, value in chosen.items() if value is not None} | {"page": number}


@board.before_request
def _authorised() -> Any:
    return access.authorise(OPEN_ENDPOINTS)


@board.after_request
def _protected(response: Response) -> Response:
    return protect(response, g.get("board_nonce"))


def _render(template: str, status: int = 200, **context: Any) -> tuple[str, int]:
    context.setdefault("nonce", g.get("board_nonce", ""))
    context.setdefault("logged_in", g.get("board_session", False))
    return render_template(f"board/{template}", **context), status


# -- the list -----------------------------------------------------------------------------------
def _teams(session: Any) -> list[str]:
    """Channels routing can send an escalation to, and those open escalations went to."""
    routing = current_runtime().settings.routing
    known = {routing.default_channel, *(rule.channel for rule in routing.rules)}
    return sorted(known | queries.open_channels(session))


def _filters(args: Any, teams: list[str]) -> Filters:
    state = args.get("state", "").strip() or None
    if state is not None and state not in STATES:
        raise BadFilter("state", f"state must be one of: {', '.join(STATES)}")
    raw_level = args.get("level", "").strip()
    if raw_level and raw_level not in {str(level) for level in LEVELS}:
        raise BadFilter("level", f"level must be one of: {', '.join(map(str, LEVELS))}")
    team = args.get("team", "").strip() or None
    if team is not None and team not in teams:
        raise BadFilter("team", f"team must be one of: {', '.join(teams)}")
    raw_page = args.get("page", "").strip() or "1"
    page = record_id(raw_page)
    if page is None:
        raise BadFilter("page", "page must be a whole number from 1")
    return Filters(state, int(raw_level) if raw_level else None, team, page)


@board.get("")
def index() -> Any:
    with current_runtime().sessions() as session:
        teams = _teams(session)
        try:
            filters = _filters(request.args, teams)
        except BadFilter as bad:
            return access.problem(400, "bad_filter", bad.detail, parameter=bad.parameter)
        page = queries.open_escalations(
            session,
            state=filters.state,
            level=filters.level,
            team=filters.team,
            page=filters.page,
            size=queries.PAGE_SIZE,
        )
        dead = queries.dead_letters(session)
    rows = page.rows
    now = current_runtime().clock()
    credentials = _credentials_to_mind(now)
    shown = _shown(rows, now)
    if access.wants_json():
        return {
            "escalations": [json_row(row, shown[row.id], now, dead) for row in rows],
            "page": {
                "number": page.number,
                "size": page.size,
                "pages": page.pages,
                "total": page.total,
            },
            "dead_letters": json_dead(dead, current_runtime().titles()),
            "credentials": credentials,
        }, 200
    return _render(
        "index.html",
        rows=rows,
        page=page,
        shown=shown,
        dead=dead,
        credentials=credentials,
        gave_up=functools.partial(gave_up, titles=current_runtime().titles()),
        replay=REPLAY,
        filters=filters,
        states=STATES,
        levels=LEVELS,
        teams=teams,
        team_names=current_runtime().services.names.known_channels(teams),
        now=now,
        countdown=countdown,
        stamp=stamp,
        link=link,
    )


def _credentials_to_mind(now: dt.datetime) -> list[dict[str, str]]:
    """Credentials expiring within 14 days (of those the bridge does not renew itself) or whose
    last refresh failed, each with its fix: shown before the bridge stops reaching the vendor."""
    return [
        {
            "connector": found.connector,
            "kind": found.kind,
            "detail": found.describe(now),
            "fix": found.fix,
        }
        for found in current_runtime().credentials.all()
        if found.needs_attention(now)
    ]


def _shown(rows: list[queries.BoardRow], now: dt.datetime) -> dict[int, Shown]:
    runtime = current_runtime()
    return shown_rows(rows, runtime.pages, runtime.services.names, now)


# -- one escalation -----------------------------------------------------------------------------
@board.get("/escalations/<escalation_id>")
def timeline(escalation_id: str) -> Any:
    number = record_id(escalation_id)
    found = None
    if number is not None:
        with current_runtime().sessions() as session:
            found = read_timeline(session, number)
            dead = queries.dead_letters(session)
    if found is None:
        named = escalation_id if len(escalation_id) <= 40 else escalation_id[:40] + "…"
        return access.problem(404, "escalation_not_found", f"No escalation {named} on this bridge.")
    triage = shown_triage(found.triage)
    now = current_runtime().clock()
    clocks = [
        {"kind": kind.value, "state": shown(clock, now).value, "shown": describe(clock, now)}
        for kind, clock in latest(found.clocks).items()
    ]
    view = _shown([found.escalation], now)[found.escalation.id]
    sync = [
        {
            "connector": source.connector,
            "scope": source.scope,
            "shown": source.describe(now),
            "ok": source.ok(now, current_runtime().services.catch_up.interval),
        }
        for source in current_runtime().sync_health()
        if source.connector in {record.system for record in view.records}
    ]
    # Actors, and the engineer an activation names, are Slack ids: people read their names.
    people = {event.actor for event in found.events} | {event.note for event in found.events}
    actors = current_runtime().services.names.known_people(people)
    if access.wants_json():
        events = [
            {
                **asdict(event),
                "at": event.at.isoformat(),
                "actor_name": actors.get(event.actor, event.actor),
            }
            for event in found.events
        ]
        escalation = json_row(found.escalation, view, now, dead)
        eta = found.fix_eta
        dated = {**asdict(eta), "release_date": eta.release_date.isoformat()} if eta else None
        body = {"escalation": escalation, "clocks": clocks, "triage": triage, "events": events}
        body["fix_eta"] = dated
        body["sync"] = sync
        return body, 200
    return _render(
        "timeline.html",
        row=found.escalation,
        shown=view,
        actors=actors,
        clocks=clocks,
        triage=triage,
        gave_up_here=dead.by_escalation.get(found.escalation.id, 0),
        replay=REPLAY,
        events=found.events,
        fix_eta=found.fix_eta,
        sync=sync,
        now=now,
        countdown=countdown,
        stamp=stamp,
        link=link,
    )


# -- logging in ---------------------------------------------------------------------------------
@board.get("/login")
def login_form() -> Any:
    if not access.has_secret_key():
        return access.problem(503, "no_secret_key", access.LOGIN_UNAVAILABLE)
    return _render("login.html", next=access.safe_next(request.args.get("next")))


@board.post("/login")
def login() -> Any:
    if not access.has_secret_key():
        return access.problem(503, "no_secret_key", access.LOGIN_UNAVAILABLE)
    wait = access.login_wait()
    if wait is not None:
        return access.too_many_logins(wait)
    target = access.safe_next(request.form.get("next"))
    if not access.check_token(request.form.get("token", "")):
        access.login_failed()
        return _render("login.html", 401, next=target, error=True)
    access.log_in()
    return redirect(target, code=303)


@board.post("/logout")
def logout() -> Any:
    access.log_out()
    return redirect(url_for("board.login_form"), code=303)
