"""Domain dataclasses to JSON and back, driven by their type hints.

The domain stays free of persistence concerns; the store keeps each aggregate as a JSON document
beside the columns it is queried by. Supported: dataclasses, enums, datetimes (aware, ISO 8601),
dates, timedeltas (seconds), tuples, lists, frozensets, dicts and ``X | None``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import functools
import types
import typing
from collections.abc import Mapping
from typing import Any


def to_json(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_json(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    if isinstance(value, list | tuple | frozenset | set):
        items = [to_json(item) for item in value]
        return sorted(items, key=str) if isinstance(value, frozenset | set) else items
    if isinstance(value, Mapping):
        return {str(to_json(key)): to_json(item) for key, item in value.items()}
    return value


@functools.cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def from_json(kind: Any, data: Any) -> Any:
    if data is None:
        return None
    origin = typing.get_origin(kind)
    args = typing.get_args(kind)
    if origin in (typing.Union, types.UnionType):
        present = [arg for arg in args if arg is not type(None)]
        return from_json(present[0], data)
    if origin in (list, tuple, frozenset, set):
        item_kind = args[0] if args else Any
        items = [from_json(item_kind, item) for item in data]
        return origin(items)
    if origin in (dict, Mapping) or origin is typing.get_origin(Mapping[str, int]):
        key_kind, value_kind = args or (Any, Any)
        return {from_json(key_kind, k): from_json(value_kind, v) for k, v in data.items()}
    if isinstance(kind, type) and dataclasses.is_dataclass(kind):
        hints = _hints(kind)
        values = {
            f.name: from_json(hints[f.name], data[f.name])
            for f in dataclasses.fields(kind)
            if f.name in data
        }
        return kind(**values)
    if isinstance(kind, type) and issubclass(kind, enum.Enum):
        return kind(data)
    if kind is dt.datetime:
        return dt.datetime.fromisoformat(data)
    if kind is dt.date:
        return dt.date.fromisoformat(data)
    if kind is dt.timedelta:
        return dt.timedelta(seconds=data)
    if kind in (int, float, str, bool) and not isinstance(data, kind):
        return kind(data)
    return data
