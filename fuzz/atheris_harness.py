"""Coverage-guided fuzzing of every public entry point with atheris (pip install atheris).

    python fuzz/atheris_harness.py --seed-corpus fuzz/corpus       # write the seeds from ../shared, once
    python fuzz/atheris_harness.py fuzz/corpus -atheris_runs=200000  # fuzz (libFuzzer options after it)
    TAMIS_NATIVE=0 python fuzz/atheris_harness.py fuzz/corpus ...   # the same on the Python twins

Each input's first byte picks the entry point and the dialect; the rest is the input, read as UTF-8 text
(lone surrogates kept, as a Python caller could pass them) or, for a few targets, as JSON decoded into
dicts. The drivers are the fuzz tests' own (tests/support/hostile.py): an answer or a ``TamisError`` is
fine; any other exception, a crash or a sanitizer report is a finding, and libFuzzer writes its input to
``crash-*`` for ``python fuzz/atheris_harness.py crash-<id>`` to replay.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))  # tests/support, where the drivers live

import atheris  # noqa: E402
from support import hostile  # noqa: E402

TARGETS = (
    "pattern-text",
    "pattern-dict",
    "event",
    "ruleset",
    "payload",
    "policy-message",
    "policy",
    "asl",
)


def _value(text: str) -> object:
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        return text


def one_input(data: bytes) -> None:
    if not data:
        return
    target = TARGETS[data[0] % len(TARGETS)]
    dialect = data[0] // len(TARGETS)
    text = (
        data[1:].decode("utf-8", "surrogatepass") if _surrogates_ok(data[1:]) else data[1:].decode("latin-1")
    )
    if target == "pattern-text":
        hostile.compile_pattern(text, dialect)
    elif target == "pattern-dict":
        hostile.compile_pattern(_value(text), dialect)
    elif target == "event":
        pattern, _, event = text.partition("\n")
        hostile.match_event(pattern or '{"a": [{"exists": true}]}', event, dialect)
        hostile.match_event(pattern or '{"a": [{"exists": true}]}', _value(event), dialect)
    elif target == "ruleset":
        *patterns, event = text.split("\n") or [""]
        hostile.rule_set(patterns, [event, _value(event)], dialect)
    elif target == "payload":
        hostile.service_payloads(text)
    elif target == "policy-message":
        hostile.policy_message(text)
        hostile.policy_message(data[1:])
    elif target == "policy":
        hostile.compile_policy(text, dialect)
        hostile.compile_policy(_value(text), dialect)
    else:
        hostile.validate_asl(text)
        value = _value(text)
        if isinstance(value, dict):
            hostile.validate_asl(value)


def _surrogates_ok(raw: bytes) -> bool:
    try:
        raw.decode("utf-8", "surrogatepass")
    except UnicodeDecodeError:
        return False
    return True


def write_seed_corpus(folder: Path) -> int:
    """One file per seed and target, from the conformance and detection corpora in ../shared."""
    folder.mkdir(parents=True, exist_ok=True)
    seeds: list[tuple[str, str]] = []
    seeds += [("pattern-text", p) for p in hostile.seed_patterns()]
    seeds += [("pattern-dict", p) for p in hostile.seed_patterns()[:50]]
    events = hostile.seed_events()
    seeds += [("event", f"{p}\n{e}") for p, e in zip(hostile.seed_patterns(), events, strict=False)]
    seeds += [
        ("ruleset", "\n".join([*hostile.seed_patterns()[i : i + 3], e])) for i, e in enumerate(events[:50])
    ]
    seeds += [("payload", e) for e in events[:50]]
    seeds += [("policy-message", m) for m in hostile.seed_messages()]
    seeds += [("policy", p) for p in hostile.seed_policies()]
    seeds += [("asl", d) for d in hostile.seed_definitions()]
    for i, (target, text) in enumerate(seeds):
        data = bytes([TARGETS.index(target)]) + text.encode("utf-8", "surrogatepass")
        (folder / f"seed-{i:05d}-{target}").write_bytes(data)
    return len(seeds)


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--seed-corpus":
        count = write_seed_corpus(Path(sys.argv[2]))
        print(f"wrote {count} seeds to {sys.argv[2]}")
        return
    # Every entry point once, so that the modules each imports lazily are loaded, then all of them
    # instrumented for coverage.
    for target in range(len(TARGETS)):
        one_input(bytes([target]) + b'{"a": ["x"]}')
    atheris.instrument_all()
    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
