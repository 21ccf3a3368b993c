"""JSONata conditions: a parsed expression evaluated with $states and the workflow variables bound.
Step Functions adds six functions to JSONata (DG transforming-data.html, "JSONata functions provided by
Step Functions"); the compiler registers these on every parsed condition."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from tamis.runtime.choice.errors import QueryEvaluationError
from tamis.runtime.choice.operators import as_binary64, is_number
from tamis.runtime.choice.predicates import Predicate

_HASHES = {"MD5": "md5", "SHA-1": "sha1", "SHA-256": "sha256", "SHA-384": "sha384", "SHA-512": "sha512"}


def _whole(x: Any, what: str) -> int:
    if not is_number(x) or x != int(x):
        raise ValueError(f"{what} must be an integer, not {x!r}")
    return int(x)


def _sfn_partition(array: Any, size: Any) -> list[Any]:
    n = _whole(size, "$partition size")
    if not isinstance(array, list) or n <= 0:
        raise ValueError("$partition takes an array and a positive chunk size")
    return [list(array[i : i + n]) for i in range(0, len(array), n)]


def _sfn_range(start: Any, end: Any, step: Any) -> list[int]:
    a, b, s = _whole(start, "$range start"), _whole(end, "$range end"), _whole(step, "$range step")
    if s == 0:
        raise ValueError("$range step must not be 0")
    return list(range(a, b + (1 if s > 0 else -1), s))


def _sfn_hash(value: Any, algorithm: Any) -> str:
    import hashlib

    if type(value) is not str or algorithm not in _HASHES:
        raise ValueError(f"$hash takes a string and one of {sorted(_HASHES)}")
    return hashlib.new(_HASHES[algorithm], value.encode("utf-8")).hexdigest()


def _sfn_random(*seed: Any) -> float:
    import random

    return random.Random(_whole(seed[0], "$random seed")).random() if seed else random.random()


def _sfn_uuid() -> str:
    import uuid

    return str(uuid.uuid4())


def _sfn_parse(text: Any) -> Any:
    import json

    if type(text) is not str:
        raise ValueError("$parse takes a JSON string")
    return json.loads(text)


def jsonata_value(x: Any) -> Any:
    """``x`` with exact JSON numbers (Decimal) as binary64 floats, which is what JSONata computes with.

    Returns ``x`` itself when it holds no Decimal, so plain inputs are not copied.
    """
    t = type(x)
    if t is dict:
        out = None
        for k, v in x.items():
            w = jsonata_value(v)
            if w is not v:
                if out is None:
                    out = dict(x)
                out[k] = w
        return x if out is None else out
    if t is list:
        items = [jsonata_value(v) for v in x]
        return x if all(a is b for a, b in zip(items, x, strict=True)) else items
    if t is not bool and t is not int and t is not float and isinstance(x, Decimal):
        return as_binary64(x)
    return x


STEP_FUNCTIONS_JSONATA: dict[str, Callable[..., Any]] = {
    "partition": _sfn_partition,
    "range": _sfn_range,
    "hash": _sfn_hash,
    "random": _sfn_random,
    "uuid": _sfn_uuid,
    "parse": _sfn_parse,
}


def jsonata_condition(expression: Any, source: str, pointer: str) -> Predicate:
    """``expression`` is a parsed ``jsonata.Jsonata``; the result must be a boolean (DG state-choice.html)."""

    # The library reads a variable bound to None as undefined; JSON null has its own marker there.
    from jsonata.utils import Utils

    null = Utils.NULL_VALUE

    def test(i: Any, v: Mapping[str, Any], c: Any) -> bool:
        bindings = {k: null if x is None else x for k, x in v.items()}
        bindings["states"] = {"input": i, "context": {} if c is None else c}
        try:
            result = expression.evaluate(None, bindings)
        except Exception as exc:  # the library raises its own exceptions and RuntimeErrors
            raise QueryEvaluationError(
                f"the JSONata expression {source!r} failed: {exc}", pointer=pointer
            ) from None
        if type(result) is not bool:
            shown = "undefined" if result is None else type(result).__name__
            raise QueryEvaluationError(
                f"the JSONata expression {source!r} returned {shown}, not a boolean", pointer=pointer
            )
        return result

    return test
