"""``closure:`` and ``resolution:`` in bridge.yaml: what shipping, accepting and closing a fix
do."""

from __future__ import annotations

from typing import Literal, get_args

from pydantic import Field, model_validator

from bridge.config.installed import installed_signal_meanings
from bridge.config.policy import _Strict


class ClosureConfig(_Strict):
    monitoring_days: int = Field(default=14, ge=0)
    reminder_days: list[int] = Field(default_factory=lambda: [3, 7])
    auto_close_after_days: int | None = Field(default=21, ge=1)
    acceptance_link_days: int = Field(default=30, ge=1)

    @model_validator(mode="after")
    def _reminders_before_auto_close(self) -> ClosureConfig:
        last = self.auto_close_after_days
        if last is not None and any(day >= last for day in self.reminder_days):
            msg = f"every reminder day must come before auto_close_after_days ({last})"
            raise ValueError(msg)
        return self


SignalMeaning = Literal["fix_available", "fixed_in_code"]


class ShippedSignals(_Strict):
    """Which development signal means what for the customer (issue 7).

    ``fix_available`` signals notify every waiting customer; ``fixed_in_code`` signals only tell
    support (Slack thread, internal helpdesk note). Each installed tracker names its signals and
    their default meaning (``signal_meanings`` of its ``events``): Jira ``jira.version_released``
    (fix available) and ``jira.issue_done``; GitHub ``github.release_published`` (fix
    available), ``github.pull_request_merged`` and ``github.milestone_closed``. A list left
    unset takes those defaults, read when asked: the trackers' packages build on this one.
    """

    fix_available: list[str] | None = None
    fixed_in_code: list[str] | None = None
    # Per repository or Jira project ("owner/repo", "DEV"), a mapping that replaces the default.
    per_project: dict[str, ShippedSignalsMapping] = Field(default_factory=dict)

    def signals_meaning(self, meaning: SignalMeaning) -> list[str]:
        """The signals that mean ``meaning`` outside ``per_project``: as set, else the installed
        trackers' defaults."""
        chosen: list[str] | None = getattr(self, meaning)
        if chosen is not None:
            return list(chosen)
        return [name for name, said in installed_signal_meanings().items() if said == meaning]

    def meaning(self, signal: str, project: str) -> str | None:
        mapping = self.per_project.get(project)
        if mapping is not None:
            return mapping.meaning(signal)
        for meaning in get_args(SignalMeaning):
            if signal in self.signals_meaning(meaning):
                return str(meaning)
        return None


class ShippedSignalsMapping(_Strict):
    fix_available: list[str] = Field(default_factory=list)
    fixed_in_code: list[str] = Field(default_factory=list)

    def meaning(self, signal: str) -> str | None:
        if signal in self.fix_available:
            return "fix_available"
        if signal in self.fixed_in_code:
            return "fixed_in_code"
        return None


ShippedSignals.model_rebuild()


class ResolutionConfig(_Strict):
    """``resolution:`` in bridge.yaml: what shipping and accepting a fix do (issue 7)."""

    signals: ShippedSignals = Field(default_factory=ShippedSignals)
    # Accepting the fix closes the AR in its tracker (moved to this status), not only comments.
    close_ar_on_accept: bool = False
    ar_done_status: str = "Done"
    # Accepting the fix closes the SPAR in its tracker too (moved to this status; a GitHub
    # issue is closed). None: the SPAR's record is left as it is.
    spar_done_status: str | None = "Done"
