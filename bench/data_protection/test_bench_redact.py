"""Data-protection redaction, side by side in one pytest-benchmark run.

Engines, all given the same ``str`` message and the same policy (ten managed identifiers plus two
custom ones, ``bench/data_protection/redact_data.py``), each producing the masked message. Messages: a ~1 KB
JSON
expense report; 256 KB of reports and log lines with about ten findings per KB (dense); 256 KB of log
lines with a dozen findings in all (sparse).

- ``floor``: one ``re2.Set`` match of the policy's patterns over the message (says only *whether*
  something matched; no engine can do less);
- ``tamis``: ``Policy.apply`` (set scan, exact spans, checks, keyword windows, masking, JSON safety), on the
  native core (runtime/redact/core/);
- ``tamis-findings``: ``Policy.apply`` as above, then its ``findings`` read (the ``Finding`` tuples are made
  when first read; a caller after the masked message alone never pays for them);
- ``tamis-python``: the same policy without the native core (runtime/redact/*.py alone);
- ``python-re``: a plain loop of Python ``re.finditer`` over the same patterns, then masking (no
  checks, no keywords: a lower bound for a pure-``re`` implementation);
- ``presidio``: Presidio's regex recognizers (``CreditCardRecognizer``, ``EmailRecognizer``,
  ``UsSsnRecognizer``, ``IpRecognizer``, ``PhoneRecognizer``) plus ``PatternRecognizer`` for the
  identifiers Presidio lacks, with no NLP model (``nlp_artifacts=None``), then masking.

Run: ``python3 -m pytest bench/data_protection/test_bench_redact.py --benchmark-disable-gc
--benchmark-timer=time.process_time
--benchmark-json=bench/.results/redact.json`` (the collector is off while timing, as in ``timeit``:
Presidio's spaCy import would otherwise slow every later collection, whoever triggers it), then
``python3 bench/data_protection/redact_data.py bench/.results/redact.json`` prints the ratio table for
RESULTS.md.
``TAMIS_BENCH_BUDGET`` (seconds per benchmark, default 0.5) bounds the run.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Callable
from typing import Any

import pytest
import redact_data as data
import timing

import tamis
from tamis.runtime.redact import native

BUDGET = float(os.environ.get("TAMIS_BENCH_BUDGET", "0.5"))
MESSAGES = {
    "1KB": data.message_1kb(),
    "256KB": data.message_256kb(),
    "256KB-sparse": data.message_256kb_sparse(),
    # text that is not ASCII: one "é" in the dense message; names and notes in other languages throughout,
    # and that message's ASCII twin (each such letter one ASCII letter: as many characters)
    "256KB-one-é": data.message_256kb_one_accent(),
    "256KB-unicode": data.message_256kb_unicode(),
    "256KB-unicode-ascii": data.message_256kb_unicode(ascii_twin=True),
    # JSON string escapes: "\n" at the start of the notes of the 1 KB report, and of every dense report
    "1KB-escaped": data.message_1kb().replace('"notes": "', '"notes": "\\n', 1),
    "256KB-escaped": data.message_256kb().replace('"notes": "', '"notes": "\\n'),
}
ENGINES = ("floor", "tamis", "tamis-findings", "tamis-python", "python-re", "presidio")

POLICY = tamis.compile_policy(data.policy())
DETECTORS = POLICY._redactor.scanner.detectors
# The same policy on runtime/redact/*.py alone (no native core), for its own row.
_saved, native.USE_NATIVE = native.USE_NATIVE, False
TWIN = tamis.compile_policy(data.policy())
native.USE_NATIVE = _saved


def _mask(text: str, spans: list[tuple[int, int]]) -> str:
    out, pos = [], 0
    for s, e in sorted(spans):
        if s < pos:
            s = pos
        if s >= e:
            continue
        out.append(text[pos:s])
        out.append("#" * (e - s))
        pos = e
    out.append(text[pos:])
    return "".join(out)


def _floor() -> Callable[[str], Any]:
    return data.floor_match(det.pattern for det in DETECTORS)


def _tamis(policy: tamis.Policy = POLICY) -> Callable[[str], Any]:
    def run(text: str) -> str | None:
        return policy.apply(text, direction="Outbound", principal=data.PRINCIPAL).message

    return run


def _tamis_findings() -> Callable[[str], Any]:
    """apply, then its findings read: the Finding tuples are made only then (Outcome.findings)."""

    def run(text: str) -> str | None:
        out = POLICY.apply(text, direction="Outbound", principal=data.PRINCIPAL)
        assert out.findings is not None
        return out.message

    return run


def _tamis_python() -> Callable[[str], Any]:
    return _tamis(TWIN)


def _python_re() -> Callable[[str], Any]:
    compiled = [(re.compile(det.pattern), det.group) for det in DETECTORS]

    def run(text: str) -> str:
        spans = [m.span(g) for rx, g in compiled for m in rx.finditer(text)]
        return _mask(text, spans)

    return run


def _presidio() -> Callable[[str], Any]:
    try:
        logging.getLogger("tldextract").setLevel(logging.CRITICAL)
        logging.getLogger("presidio-analyzer").setLevel(logging.ERROR)
        from presidio_analyzer import Pattern, PatternRecognizer
        from presidio_analyzer.predefined_recognizers import (
            CreditCardRecognizer,
            EmailRecognizer,
            IpRecognizer,
            PhoneRecognizer,
            UsSsnRecognizer,
        )
    except ImportError as exc:
        pytest.skip(f"presidio-analyzer is not installed (pip install -e '.[bench]'): {exc}")
    recognizers: list[Any] = [
        CreditCardRecognizer(),
        EmailRecognizer(),
        UsSsnRecognizer(),
        IpRecognizer(),
        PhoneRecognizer(supported_regions=("US",)),
    ]
    covered = {"CreditCardNumber", "EmailAddress", "Ssn-US", "IpAddress", "PhoneNumber-US"}
    for det in DETECTORS:  # identifiers Presidio has no recognizer for: the same patterns as tamis
        if det.name not in covered:
            entity = det.name.upper().replace("-", "_")
            recognizers.append(
                PatternRecognizer(supported_entity=entity, patterns=[Pattern(det.name, det.pattern, 0.5)])
            )

    def run(text: str) -> str:
        spans = []
        for rec in recognizers:
            for res in rec.analyze(text, entities=rec.supported_entities, nlp_artifacts=None):
                spans.append((res.start, res.end))
        return _mask(text, spans)

    run("warm up: card 4539894458086459 bob@example.com")  # the public suffix list loads once
    return run


BUILDERS = {
    "floor": _floor,
    "tamis": _tamis,
    "tamis-findings": _tamis_findings,
    "tamis-python": _tamis_python,
    "python-re": _python_re,
    "presidio": _presidio,
}


@pytest.mark.parametrize("size", list(MESSAGES))
@pytest.mark.parametrize("engine", ENGINES)
def test_redact(benchmark: Any, engine: str, size: str) -> None:
    text = MESSAGES[size]
    fn = BUILDERS[engine]()
    result, one = timing.once(fn, text)
    if engine.startswith("tamis"):  # sanity: the values are masked, the length is kept, both engines agree
        assert isinstance(result, str) and len(result) == len(text) and "@example.com" not in result
        assert result == _tamis(TWIN if engine == "tamis" else POLICY)(text)
    if engine == "tamis" and os.environ.get("TAMIS_BENCH_ALLOW_PYTHON") != "1":
        assert POLICY._redactor.scanner.native, "the native redactor core is not built (see tamis --version)"
    iterations = max(1, int(0.01 / one))
    rounds = max(3, min(200, int(BUDGET / (one * iterations))))
    benchmark.group = f"redact-{size}"
    benchmark.extra_info.update({"workload": f"redact-{size}", "engine": engine, "bytes": len(text)})
    benchmark.pedantic(fn, args=(text,), rounds=rounds, iterations=iterations, warmup_rounds=1)
    # The targets' ratios once more with both sides alternating, chunk after chunk (bench/timing.py).
    if engine == "tamis":
        benchmark.extra_info["floor_ratio_interleaved"] = timing.interleaved_ratio(
            fn, text, _floor(), text, BUDGET
        )
    if engine == "presidio":
        benchmark.extra_info["tamis_ratio_interleaved"] = timing.interleaved_ratio(
            fn, text, _tamis(), text, BUDGET
        )
