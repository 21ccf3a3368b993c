"""What a spawned worker does with a pickled tamis object (tests/test_pickle.py): calls run in the worker
on the unpickled object and return plain values to compare with the same calls in the parent."""

from __future__ import annotations

from typing import Any


def answers(obj: Any, calls: list[tuple[str, tuple[Any, ...], dict[str, Any]]]) -> list[Any]:
    """Each call's result as plain data (an Outcome becomes its message, decision and findings)."""
    out = []
    for method, args, kwargs in calls:
        result = obj(*args, **kwargs) if method == "__call__" else getattr(obj, method)(*args, **kwargs)
        if hasattr(result, "findings"):
            result = (result.message, result.action, result.error, [tuple(f) for f in result.findings])
        elif isinstance(result, list):
            result = [tuple(r) if isinstance(r, tuple) else r for r in result]
        out.append(result)
    return out
