"""The run-time errors of a Choice state, named as the service names them (``States.*``)."""

from __future__ import annotations

from tamis.errors import TamisError


class StatesError(TamisError):
    """A run-time failure of a Choice state; ``error`` is the service's error name (``States.*``)."""

    error = "States.Runtime"
    family = "asl"  # its code (tamis.rules) is looked up among the state machines' rules

    def __init__(self, message: str, *, pointer: str | None = None, state: str | None = None) -> None:
        self.state = state
        super().__init__(message, rule=self.error, pointer=pointer)

    @property
    def cause(self) -> str:
        return self.message


class StatesRuntimeError(StatesError):
    """``States.Runtime``: e.g. a ``Variable`` path that is absent from the input."""

    error = "States.Runtime"


class NoChoiceMatchedError(StatesError):
    """``States.NoChoiceMatched``: no rule matched and the state has no ``Default``."""

    error = "States.NoChoiceMatched"


class QueryEvaluationError(StatesError):
    """``States.QueryEvaluationError``: a JSONata ``Condition`` failed or did not give a boolean."""

    error = "States.QueryEvaluationError"
