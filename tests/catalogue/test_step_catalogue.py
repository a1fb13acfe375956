"""Each step of the procedure is declared once (``bridge.catalogue``): every surface it names
offers it, under the one label, to the people of a role bridge.yaml can set, and taking it runs
its command from the one table."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml
from flask import Flask
from pydantic import ValidationError

from bridge import catalogue
from bridge.catalogue import STEPS, Step, Surface
from bridge.catalogue.docs import DOC, with_table
from bridge.config.policy import RolesConfig
from bridge.connectors.slack.blocks import escalation_blocks
from bridge.services.workflow.step_table import HANDLERS
from webhooks import api_steps  # noqa: F401 - registers the step routes on `api`
from webhooks.api import api
from webhooks.payload import RecordIdConverter
from webhooks.slack import step_forms
from webhooks.slack.permissions import form_refusal, refusal

ROOT = Path(__file__).resolve().parents[2]


def offered(surface: Surface) -> list[str]:
    return [declared.name for declared in STEPS if surface in declared.surfaces]


def the_message() -> tuple[dict[str, str], dict[str, str]]:
    """The escalation's message as Slack shows it: its buttons and its menu, by step."""
    [actions] = [b for b in escalation_blocks("7", {"ticket": "42"}) if b["type"] == "actions"]
    buttons = {
        e["action_id"].removeprefix("escalation."): e["text"]["text"]
        for e in actions["elements"]
        if e["type"] == "button"
    }
    [menu] = [e for e in actions["elements"] if e["type"] == "static_select"]
    entries = {o["value"].removesuffix(":7"): o["text"]["text"] for o in menu["options"]}
    return buttons, entries


def test_the_message_offers_each_button_and_menu_step_under_its_label_and_nothing_else() -> None:
    buttons, entries = the_message()
    assert buttons == {s.name: s.label for s in STEPS if s.offered_on(Surface.BUTTON)}
    assert entries == {s.name: s.label for s in STEPS if s.offered_on(Surface.MENU)}


def test_each_form_opens_from_a_button_or_the_menu() -> None:
    unreachable = [
        s.name
        for s in STEPS
        if s.offered_on(Surface.FORM)
        and not (s.offered_on(Surface.BUTTON) or s.offered_on(Surface.MENU))
    ]
    assert unreachable == []


def slack_state(declared: Step, today: dt.date) -> dict[str, Any]:
    """A form filled in as a person would: the first option of each choice, today's date."""
    assert declared.form is not None
    values: dict[str, Any] = {}
    for field in declared.form.fields:
        if field.kind == "select":
            element = {"selected_option": {"value": field.choices[0][0]}}
        elif field.kind == "date":
            element = {"selected_date": today.isoformat()}
        elif field.kind == "user":
            element = {"selected_user": "U0ALICE"}
        elif field.kind == "number":
            element = {"value": "24"}
        else:
            element = {"value": "Agreed on the call; Ann, Bob"}
        values[field.block] = {"value": element}
    return values


@pytest.mark.parametrize("name", offered(Surface.FORM))
def test_each_form_step_has_its_form_and_its_answers_make_its_command(name: str) -> None:
    declared = catalogue.step(name)
    assert step_forms.FORMS[name] == declared.form
    view = step_forms.modal(name, "7", "C1")
    assert [b["block_id"] for b in view["blocks"]] == [
        f.block for f in step_forms.FORMS[name].fields
    ]
    today = dt.datetime.now(dt.UTC).date()
    answers, errors = step_forms.read(name, slack_state(declared, today), today)
    assert errors == {}
    assert declared.from_form is not None and declared.command is not None
    assert isinstance(declared.from_form(answers), declared.command)


def test_each_step_with_a_command_runs_from_the_one_table() -> None:
    assert set(HANDLERS) == {s.name for s in STEPS if s.command is not None}
    assert all(s.command is not None for s in STEPS if s.offered_on(Surface.FORM))


def served_routes() -> set[str]:
    app = Flask(__name__)
    app.url_map.converters["id"] = RecordIdConverter
    app.register_blueprint(api)
    return {rule.rule for rule in app.url_map.iter_rules() if "POST" in (rule.methods or ())}


@pytest.mark.parametrize("name", offered(Surface.API))
def test_each_api_step_is_served_at_each_of_its_routes(name: str) -> None:
    declared = catalogue.step(name)
    assert declared.api, f"{name} offers the API without a route"
    for route in declared.api:
        assert f"/api/escalations/<id:escalation_id>/{route.path}" in served_routes()


def test_a_step_not_offered_on_the_api_has_no_route_there() -> None:
    assert all(not s.api for s in STEPS if not s.offered_on(Surface.API))


def test_every_role_of_the_catalogue_is_a_key_of_roles_in_bridge_yaml_and_no_other() -> None:
    assert set(RolesConfig.model_fields) == set(catalogue.ROLES)
    assert {s.role for s in STEPS} <= set(RolesConfig.model_fields)
    example = yaml.safe_load((ROOT / "bridge.example.yaml").read_text(encoding="utf-8"))
    assert list(example["roles"]) == list(catalogue.ROLES)
    with pytest.raises(ValidationError, match="assign_enginer"):
        RolesConfig.model_validate({"assign_enginer": ["U0ALICE"]})


@pytest.mark.parametrize("declared", STEPS, ids=lambda s: s.name)
def test_a_refusal_names_the_step_by_the_label_people_see(declared: Step) -> None:
    assert refusal(declared.name, ["U0BOB"]) == (
        f"Only <@U0BOB> may press {declared.label} on escalations."
    )
    assert form_refusal(declared.name).startswith(f"You may not press {declared.label} ")


def test_the_docs_table_of_steps_is_the_catalogues() -> None:
    written = DOC.read_text(encoding="utf-8")
    assert with_table(written) == written, "run: python -m bridge.catalogue.docs"
    for declared in STEPS:
        assert f"| {declared.label} | {declared.does} |" in written


def test_the_api_docs_name_every_route_of_a_step() -> None:
    documented = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    for declared in STEPS:
        for route in declared.api:
            path = route.path.replace("<plan_id>", "<plan>").removesuffix("/reject")
            assert f"POST …/<id>/{path}" in documented, route.path
