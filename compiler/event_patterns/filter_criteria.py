"""Lambda ``FilterCriteria``: the filters of an event source mapping, each a pattern as a JSON string.

``{"Filters": [{"Pattern": "<json>"}, ...]}``: a record is delivered when any filter matches it. An error
inside an embedded pattern is reported where its string starts, with its position inside the pattern.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import orjson

from tamis.compiler.event_patterns.parse import PatternInput, parse_pattern, pattern_text
from tamis.errors import PatternError
from tamis.grammar.located_json import parse_json
from tamis.runtime.events.conditions import SubRule

if TYPE_CHECKING:
    from tamis.compiler.event_patterns.dialects import Dialect


def compile_filter_criteria(criteria: PatternInput, dialect: Dialect, source: str | None) -> list[SubRule]:
    """The sub-rules of Lambda ``FilterCriteria`` (the OR of its filters), or of a bare pattern."""
    # A bare pattern is accepted too; FilterCriteria is recognised by its "Filters" key.
    probe: Any = criteria
    if not isinstance(criteria, dict):
        try:
            probe = orjson.loads(criteria)
        except orjson.JSONDecodeError:
            probe = None
    if not (isinstance(probe, dict) and "Filters" in probe):
        return parse_pattern(criteria, dialect, source)
    subrules: list[SubRule] = []
    for pattern, base_line, base_col in parse_filter_criteria(criteria, source, dialect.max_filters or 10):
        try:
            subrules.extend(parse_pattern(pattern, dialect, source))
        except PatternError as exc:
            # A pattern embedded as a JSON string: report where the string starts, plus the inner position.
            if base_line is not None and exc.line is not None:
                exc.message = (
                    f"in Filters Pattern (line {exc.line}, column {exc.column} of the pattern): {exc.message}"
                )
                exc.line, exc.column = base_line, base_col
                exc.args = (str(exc),)
            raise
    return subrules


def parse_filter_criteria(
    criteria: PatternInput, source: str | None = None, max_filters: int = 10
) -> list[Any]:
    """The patterns of Lambda ``FilterCriteria`` (``{"Filters": [{"Pattern": "<json>"}]}``), checked."""
    if isinstance(criteria, dict):
        value: Any = criteria
        locate: Callable[[tuple[Any, ...]], tuple[int | None, int | None]] = lambda _p: (None, None)  # noqa: E731
    else:
        doc = parse_json(pattern_text(criteria, source), source=source, error=PatternError)
        value = doc.value
        locate = doc.position

    def fail(path: tuple[Any, ...], message: str, rule: str) -> PatternError:
        line, column = locate(path)
        return PatternError(message, line=line, column=column, source=source, rule=rule)

    if not isinstance(value, dict) or not isinstance(value.get("Filters"), list):
        raise fail(
            (), 'filter criteria must be an object {"Filters": [{"Pattern": "..."}]}', "lambda-criteria"
        )
    filters = value["Filters"]
    # Lambda accepts up to 5 filters per event source mapping by default (a quota that can be raised to 10);
    # the dialect's ``max_filters`` says which is checked.
    if len(filters) > max_filters:
        raise fail(
            ("Filters",),
            f"at most {max_filters} filters per event source mapping, got {len(filters)}",
            "lambda-filter-count",
        )
    patterns = []
    for i, item in enumerate(filters):
        if not isinstance(item, dict) or "Pattern" not in item:
            raise fail(("Filters", i), 'each filter must be an object with a "Pattern"', "lambda-criteria")
        pattern = item["Pattern"]
        if isinstance(pattern, str):
            base_line, base_col = locate(("Filters", i, "Pattern"))
            patterns.append((pattern, base_line, base_col))
        elif isinstance(pattern, dict):
            patterns.append((pattern, None, None))
        else:
            raise fail(
                ("Filters", i, "Pattern"), '"Pattern" must be a JSON string (or an object)', "lambda-criteria"
            )
    return patterns
