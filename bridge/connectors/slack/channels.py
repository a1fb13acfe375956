"""Routing checked against the workspace: each channel ``routing:`` (and the digest) names
must exist, not be archived, and have the bot as a member, or every Slack side effect of an
escalation sent there becomes a dead letter.

The channels come from ``conversations.list`` (public channels, and the private ones the bot
is in: a bot cannot see the others). Archived channels are asked for only when a routed
channel was not found among the live ones, so a healthy workspace costs one listing.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Protocol

from bridge.config.policy import DigestConfig, RoutingConfig

INVITE = "invite the bot with /invite @Support Bridge in {channel}"


@dataclass(frozen=True)
class SlackChannel:
    id: str
    name: str
    is_member: bool
    is_archived: bool
    is_private: bool

    def named_by(self, ref: str) -> bool:
        """Routing may name a channel by id (``C…``) or by name, with or without ``#``."""
        return ref == self.id or ref.removeprefix("#").lower() == self.name.lower()


@dataclass(frozen=True)
class RoutedChannel:
    """One routing key, its channel, and what is wrong with it there (None: nothing)."""

    key: str
    channel: str
    problem: str | None = None
    fix: str | None = None


class ChannelDirectory(Protocol):
    def channels(self, *, archived: bool = False) -> Iterator[SlackChannel]: ...


def routed_channels(routing: RoutingConfig, digest: DigestConfig) -> dict[str, str]:
    """Every channel the bridge may post to, by the key that names it in bridge.yaml."""
    routed = {"routing.default_channel": routing.default_channel}
    for number, rule in enumerate(routing.rules):
        routed[f"routing.rules[{number}].channel"] = rule.channel
    if digest.channel:
        routed["digest.channel"] = digest.channel
    return routed


def _first_match(listing: Iterable[SlackChannel], refs: set[str]) -> dict[str, SlackChannel]:
    """The channel each ref names, reading pages only until every ref is found."""
    found: dict[str, SlackChannel] = {}
    for channel in listing:
        for ref in refs - found.keys():
            if channel.named_by(ref):
                found[ref] = channel
        if found.keys() == refs:
            break
    return found


def _judged(key: str, ref: str, channel: SlackChannel | None) -> RoutedChannel:
    if channel is None:
        return RoutedChannel(
            key,
            ref,
            f"no channel {ref} in the workspace (or it is private and the bot is not in it)",
            f"fix {key}, or create the channel and " + INVITE.format(channel=ref),
        )
    if channel.is_archived:
        return RoutedChannel(
            key, ref, f"{ref} is archived", f"fix {key} to name a live channel, or unarchive it"
        )
    if not channel.is_member:
        return RoutedChannel(
            key, ref, f"the bot is not a member of {ref}", INVITE.format(channel=ref)
        )
    return RoutedChannel(key, ref)


def check_routing(directory: ChannelDirectory, routed: dict[str, str]) -> list[RoutedChannel]:
    """Each routed channel as the workspace has it; raises the connector's errors."""
    refs = set(routed.values())
    found = _first_match(directory.channels(), refs)
    missing = refs - found.keys()
    if missing:
        found |= _first_match(directory.channels(archived=True), missing)
    return [_judged(key, ref, found.get(ref)) for key, ref in routed.items()]
