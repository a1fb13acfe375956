"""Plain words for the mistakes people make in bridge.yaml: the parser's and pydantic's own
messages name what went wrong for them, not what to write instead."""

from __future__ import annotations

import re
import types
from collections.abc import Iterator
from difflib import get_close_matches
from typing import Any, Union, get_args, get_origin

from pydantic import BaseModel

UNKNOWN_KEY = "unknown key (check the spelling against bridge.example.yaml)"
_INDENTATION = (
    "this line is indented differently from the lines around it: the keys of one mapping line "
    "up, and the keys of a list item line up with the first one after its dash"
)
_INDENTATION_PROBLEMS = ("expected <block end>", "mapping values are not allowed", "expected key")


def parser_problem(problem: str) -> str:
    """The YAML parser's complaint, and for the indentation mistakes what to do about it."""
    if any(words in problem for words in _INDENTATION_PROBLEMS):
        return f"{problem}; {_INDENTATION}"
    return problem


def unknown_key(root: type[BaseModel], location: list[str]) -> str:
    """For a key the model does not have: the key meant ("did you mean"), or the place the key
    belongs when it is a key of another part (mis-indented), else the plain complaint."""
    key, parent = location[-1], _model_at(root, location[:-1])
    homes = [path for path, model in _models(root, "") if key in _keys(model)]
    near = [path for path in homes if path.startswith(".".join(location[:-1]))]
    close = get_close_matches(key, list(_keys(parent)), n=1) if parent else []
    if near or (homes and not close):
        return f"not a key here; {key!r} is a key of {(near or homes)[0]}: check its indentation"
    if close:
        return f"unknown key: did you mean {close[0]!r}?"
    return UNKNOWN_KEY


def empty_value(key: str, text: str) -> str | None:
    """An unquoted ``key: #word`` reads as an empty value followed by a comment."""
    match = re.search(rf"^\s*-?\s*{re.escape(key)}:\s+(#\S*)", text, flags=re.MULTILINE)
    if match is None:
        return None
    value = match.group(1)
    return (
        f"is empty, because YAML reads everything from ' #' on as a comment; "
        f"quote it: {key}: '{value}'"
    )


def url_without_scheme(value: Any) -> str | None:
    if isinstance(value, str) and value and "://" not in value:
        return f"{value!r} has no scheme; write the whole address: https://{value}"
    return None


def _model_at(root: type[BaseModel], location: list[str]) -> type[BaseModel] | None:
    annotation: Any = root
    for part in location:
        model = _model_of(annotation)
        if model is not None:
            annotation = _keys(model).get(part)
            if annotation is None:
                return None
        else:
            annotation = _item_of(annotation)
            if annotation is None:
                return None
    return _model_of(annotation)


def _models(model: type[BaseModel], path: str) -> Iterator[tuple[str, type[BaseModel]]]:
    """Every model under ``model`` with its key path (``routing.rules[]`` for a list's items,
    ``calendars.<name>`` for a mapping's values)."""
    yield path or "the top level", model
    for name, annotation in _keys(model).items():
        suffix = ""
        while _model_of(annotation) is None and _item_of(annotation) is not None:
            suffix += "[]" if get_origin(_unwrap(annotation)) is list else ".<name>"
            annotation = _item_of(annotation)
        child = _model_of(annotation)
        if child is not None and child is not model:
            yield from _models(child, f"{path}.{name}{suffix}" if path else f"{name}{suffix}")


def _keys(model: type[BaseModel]) -> dict[str, Any]:
    """A model's keys with their types: its fields, and the sections it keeps by name with the
    model of each (``section_models()``: the connectors' settings, typed by the installed
    connectors)."""
    keys = {name: field.annotation for name, field in model.model_fields.items()}
    sections = getattr(model, "section_models", None)
    return keys | (sections() if callable(sections) else {})


def _unwrap(annotation: Any) -> Any:
    if get_origin(annotation) in (Union, types.UnionType):
        for arg in get_args(annotation):
            if arg is not type(None):
                return arg
    return annotation


def _model_of(annotation: Any) -> type[BaseModel] | None:
    annotation = _unwrap(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    return None


def _item_of(annotation: Any) -> Any:
    """The type of a list's items or a mapping's values; None for anything else."""
    annotation = _unwrap(annotation)
    origin, args = get_origin(annotation), get_args(annotation)
    if origin is list and args:
        return args[0]
    if origin is dict and len(args) == 2:
        return args[1]
    return None
