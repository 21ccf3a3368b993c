"""Decision functions of compiled Choice states: the hot path of ``tamis.compile_choice``.

The compiler (``tamis.compiler.asl.choice_compiler``) resolves everything it can once: reference paths
become tuples of keys and indexes (``paths``), literal timestamps become comparable tuples
(``timestamps``), operators become functions (``operators``, ``string_matches``) and rules become
predicates (``predicates``, ``jsonata_conditions``). A ``ChoiceDecision`` (``decision``) then only reads
the input and compares. This package imports neither lark nor jsonschema.

Run-time semantics follow the Step Functions developer guide (``state-choice.html``) and the ASL
specification (§Choice State): a comparison whose operand has the wrong type is false, a missing
``Variable`` (or ``...Path`` operand) is the run-time error ``States.Runtime`` except under ``IsPresent``,
and no matching rule without a ``Default`` is ``States.NoChoiceMatched``.
"""

from tamis.runtime.choice.decision import ChoiceDecision
from tamis.runtime.choice.errors import (
    NoChoiceMatchedError,
    QueryEvaluationError,
    StatesError,
    StatesRuntimeError,
)

__all__ = [
    "ChoiceDecision",
    "NoChoiceMatchedError",
    "QueryEvaluationError",
    "StatesError",
    "StatesRuntimeError",
]
