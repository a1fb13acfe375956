"""Reading a path parameter defensively: the URL is the sender's, not ours.

What a receiver reads of a delivery's body is in bridge/services/receiving.py.
"""

from __future__ import annotations

from werkzeug.routing import BaseConverter, ValidationError

from bridge.store.ids import record_id


class RecordIdConverter(BaseConverter):
    """``<id:…>`` in a route: a record id the database can hold (``bridge.store.ids``); any
    other value matches no route, so the answer is a 404, never a database error."""

    regex = r"\d{1,20}"

    def to_python(self, value: str) -> int:
        number = record_id(value)
        if number is None:
            raise ValidationError()
        return number

    def to_url(self, value: object) -> str:
        return str(value)
