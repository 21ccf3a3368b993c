"""The decision of one compiled Choice state: the hot path of ``tamis.compile_choice``.

The first rule whose predicate holds gives the next state; no matching rule without a ``Default`` is
``States.NoChoiceMatched``. JSONata states read exact JSON numbers as binary64, as JSONata computes."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from tamis.runtime.choice.errors import NoChoiceMatchedError
from tamis.runtime.choice.jsonata_conditions import jsonata_value
from tamis.runtime.choice.predicates import Predicate

_EMPTY: Mapping[str, Any] = {}


class ChoiceDecision:
    """Callable ``(input, variables=None, context=None) -> next state name`` of one compiled Choice state."""

    __slots__ = ("_rules", "_source", "default", "nexts", "query_language", "state_name")

    def __init__(
        self,
        rules: Sequence[tuple[Predicate, str]],
        default: str | None,
        *,
        state_name: str | None = None,
        query_language: str = "JSONPath",
    ) -> None:
        self._rules = tuple(rules)
        self.default = default
        self.nexts = tuple(n for _, n in rules)
        self.state_name = state_name
        self.query_language = query_language
        # How to compile it again: (function, args), set by the compiler that built it. Pickling keeps only
        # this (its predicates are closures), and the decision is compiled again once on load.
        self._source: tuple[Callable[..., ChoiceDecision], tuple[Any, ...]] | None = None

    def __reduce__(self) -> tuple[Any, ...]:
        if self._source is None:
            raise TypeError("a ChoiceDecision pickles only as compile_choice built it (from its source)")
        return self._source

    def __call__(self, input: Any, variables: Mapping[str, Any] | None = None, context: Any = None) -> str:
        v = _EMPTY if variables is None else variables
        if self.query_language == "JSONata":
            input, context = jsonata_value(input), jsonata_value(context)
            v = {k: jsonata_value(x) for k, x in v.items()}
        for pred, nxt in self._rules:
            if pred(input, v, context):
                return nxt
        if self.default is not None:
            return self.default
        name = f" {self.state_name!r}" if self.state_name else ""
        raise NoChoiceMatchedError(
            f"no Choice rule matched the input of state{name} and it has no Default", state=self.state_name
        )

    def __repr__(self) -> str:
        return f"<ChoiceDecision {self.state_name!r}: {len(self._rules)} rules, default={self.default!r}>"
