"""The SQL pieces insights are counted with, the same on SQLite and PostgreSQL: which of the
asked weeks an instant falls in, and the seconds between two instants."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Float, case
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.elements import ColumnElement, SQLCoreOperations
from sqlalchemy.sql.functions import FunctionElement

from bridge.domain.insights import Week


def week_index(column: SQLCoreOperations[Any], weeks: Sequence[Week]) -> ColumnElement[Any]:
    """The position in ``weeks`` of the week ``column`` falls in (the caller keeps the rows to
    ``weeks[0].start <= column < weeks[-1].end``): a comparison per week, so no dialect's
    date functions are needed and the boundaries are exactly the ones the page names."""
    return case(*((column < week.end, index) for index, week in enumerate(weeks)), else_=None)


class seconds_between(FunctionElement[float]):  # a SQL function, named as one
    """``later - earlier`` in seconds, as a float."""

    type = Float()
    inherit_cache = True
    name = "seconds_between"


@compiles(seconds_between, "sqlite")
def _sqlite_seconds(element: seconds_between, compiler: Any, **kw: Any) -> str:
    later, earlier = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"((julianday({later}) - julianday({earlier})) * 86400.0)"


@compiles(seconds_between, "postgresql")
def _postgresql_seconds(element: seconds_between, compiler: Any, **kw: Any) -> str:
    later, earlier = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"EXTRACT(EPOCH FROM ({later} - {earlier}))"
