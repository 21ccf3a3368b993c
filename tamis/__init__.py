"""tamis: parse, validate and compile event-driven policy languages into fast automata.

The public names are loaded lazily so that ``import tamis`` (and the CLI's start-up) stays cheap.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_EXPORTS: dict[str, str] = {
    # errors and diagnostics
    "TamisError": "tamis.errors",
    "PatternError": "tamis.errors",
    "PolicyError": "tamis.errors",
    "DefinitionError": "tamis.errors",
    "Diagnostic": "tamis.errors",
    # event patterns, SNS filter policies, Lambda filter criteria
    "compile_pattern": "tamis.patterns",
    "Pattern": "tamis.patterns",
    "RuleSet": "tamis.patterns",
    # data-protection policies
    "compile_policy": "tamis.policies",
    "Policy": "tamis.policies",
    "Finding": "tamis.policies",
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
