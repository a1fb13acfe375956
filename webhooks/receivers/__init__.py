"""One blueprint per webhook source; each is a ``Receiver`` climbing the shared guard ladder."""

from __future__ import annotations

from flask import Flask

from webhooks.receivers.freshdesk import blueprint as freshdesk
from webhooks.receivers.github import blueprint as github
from webhooks.receivers.intake import blueprint as intake
from webhooks.receivers.jira import blueprint as jira
from webhooks.receivers.zendesk import blueprint as zendesk

BLUEPRINTS = (github, jira, zendesk, freshdesk, intake)


def init_app(app: Flask) -> None:
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
