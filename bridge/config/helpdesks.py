"""What marks a ticket for escalation in a helpdesk, as its admin UI can express it: every
helpdesk's settings may hold an ``escalation_entry`` (a vendor's settings model, in its own
package, says which of these markers its helpdesk can send)."""

from __future__ import annotations

from pydantic import model_validator

from bridge.config.strict import Strict


class EscalationEntry(Strict):
    """What marks a ticket for escalation in the helpdesk: a ``tag``, a custom field
    (``field_id``) holding ``value``, or a ticket ``type`` (Freshdesk, whose types are the
    account's own). Exactly one is set."""

    tag: str | None = None
    field_id: int | None = None
    value: str | None = None
    type: str | None = None

    @model_validator(mode="after")
    def _one_marker(self) -> EscalationEntry:
        chosen = [self.tag is not None, self.field_id is not None, self.type is not None]
        if chosen.count(True) != 1:
            msg = "set exactly one of tag, field_id (with value) or type"
            raise ValueError(msg)
        if (self.field_id is None) != (self.value is None):
            msg = "field_id and value go together: the field, and the value that marks it"
            raise ValueError(msg)
        return self


ESCALATION_TAG = EscalationEntry(tag="escalation")
