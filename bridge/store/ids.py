"""Record ids as the database keeps them: the id columns are 32-bit integers on PostgreSQL, so
an id from a URL, a form or a payload is checked before it reaches a query (a larger one would
fail there as an error, not as "no such record")."""

from __future__ import annotations

MAX_ID = 2**31 - 1


def record_id(value: object) -> int | None:
    """``value`` as a record id (1 to MAX_ID), or None when it cannot be one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 10:
        number = int(value)
    else:
        return None
    return number if 0 < number <= MAX_ID else None
