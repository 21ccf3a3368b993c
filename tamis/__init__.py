"""tamis: parse, validate and compile event-driven policy languages into fast automata.

The public names are loaded lazily so that ``import tamis`` (and the CLI's start-up) stays cheap.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:  # what type checkers see; at run time __getattr__ below loads each name on first use
    from tamis.asl import compile_choice as compile_choice
    from tamis.asl import validate_asl as validate_asl
    from tamis.errors import DefinitionError as DefinitionError
    from tamis.errors import Diagnostic as Diagnostic
    from tamis.errors import PatternError as PatternError
    from tamis.errors import PolicyError as PolicyError
    from tamis.errors import SnsPolicyError as SnsPolicyError
    from tamis.errors import TamisError as TamisError
    from tamis.errors import UnknownRuleError as UnknownRuleError
    from tamis.patterns import Explanation as Explanation
    from tamis.patterns import Pattern as Pattern
    from tamis.patterns import RuleSet as RuleSet
    from tamis.patterns import compile_pattern as compile_pattern
    from tamis.policies import Finding as Finding
    from tamis.policies import Policy as Policy
    from tamis.policies import compile_policy as compile_policy
    from tamis.sns_policies import validate_sns_archive_policy as validate_sns_archive_policy
    from tamis.sns_policies import validate_sns_replay_policy as validate_sns_replay_policy

_EXPORTS: dict[str, str] = {
    # errors and diagnostics
    "TamisError": "tamis.errors",
    "PatternError": "tamis.errors",
    "PolicyError": "tamis.errors",
    "SnsPolicyError": "tamis.errors",
    "DefinitionError": "tamis.errors",
    "Diagnostic": "tamis.errors",
    "UnknownRuleError": "tamis.errors",
    # event patterns, SNS filter policies, Lambda filter criteria
    "compile_pattern": "tamis.patterns",
    "Pattern": "tamis.patterns",
    "RuleSet": "tamis.patterns",
    "Explanation": "tamis.patterns",
    # data-protection policies
    "compile_policy": "tamis.policies",
    "Policy": "tamis.policies",
    "Finding": "tamis.policies",
    # SNS FIFO message archiving and replay
    "validate_sns_archive_policy": "tamis.sns_policies",
    "validate_sns_replay_policy": "tamis.sns_policies",
    # Amazon States Language
    "validate_asl": "tamis.asl",
    "compile_choice": "tamis.asl",
}

__all__ = ["__version__", *_EXPORTS]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'tamis' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
