"""Which Slack channel and which tracker an escalation goes to (``routing:`` in bridge.yaml)."""

from __future__ import annotations

from dataclasses import dataclass

from bridge.config.policy import RouteMatch, RoutingConfig
from bridge.domain.records import Ticket


@dataclass(frozen=True)
class Route:
    channel: str
    tracker: str


def _matches(match: RouteMatch, ticket: Ticket) -> bool:
    checks = (
        (match.severity, int(ticket.severity)),
        (match.product, ticket.product),
        (match.customer, ticket.organisation),
        (match.region, ticket.region),
    )
    return all(not allowed or value in allowed for allowed, value in checks)


def route(routing: RoutingConfig, ticket: Ticket) -> Route:
    """The first rule whose every listed criterion matches wins; else the defaults."""
    for rule in routing.rules:
        if _matches(rule.match, ticket):
            return Route(rule.channel, rule.tracker or routing.default_tracker)
    return Route(routing.default_channel, routing.default_tracker)
