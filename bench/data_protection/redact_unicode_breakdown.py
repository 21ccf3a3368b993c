"""Where the native redactor core spends its time on text that is not ASCII (a diagnosis).

The benchmark's 256 KB message with 2% characters that are not ASCII against its ASCII twin (as many
characters), step by step: the RE2 set pass over the UTF-8 bytes alone, the floor as the benchmark takes
it (``re2.Set.Match`` on the ``str``: the binding encodes it on every call), the core's scan (``find``),
its keyword pass alone (``keyword_hits``, which also builds a list per detector), the native rewrite, and
``Policy.apply`` on the same ``str`` again and again (as the benchmark does) and on a fresh ``str`` each
time (as a service gets them: no UTF-8 kept from an earlier call). CPU time, best of several rounds, the
garbage collector off. Prints a markdown table.

Run: ``python3 bench/data_protection/redact_unicode_breakdown.py`` (needs the native core).
"""

from __future__ import annotations

import gc
import sys
from collections.abc import Callable

import redact_data as data

import tamis
from tamis.runtime.redact import native


def main() -> int:
    policy = tamis.compile_policy(data.policy())
    scanner = policy._redactor.scanner
    if not scanner.native or native._redact is None:
        print("redact_unicode_breakdown: the native redactor core did not load", file=sys.stderr)
        return 2
    core = scanner._native
    floor = data.floor_match(det.pattern for det in scanner.detectors)
    raw_set = floor.__self__._set  # the binding's own set: it takes bytes
    ops = {det.name: ("mask", "#") for det in scanner.detectors}
    texts = {
        "2% not ASCII": data.message_256kb_unicode(),
        "its ASCII twin": data.message_256kb_unicode(ascii_twin=True),
    }
    gc.disable()
    rows: dict[str, list[float]] = {}
    for text in texts.values():
        utf8 = text.encode()
        found = core.find(text, None)
        steps: dict[str, Callable[[], object]] = {
            "RE2 set pass on the UTF-8 bytes": lambda: raw_set.Match(utf8),  # noqa: B023
            "floor (re2.Set.Match on the str)": lambda: floor(text),  # noqa: B023
            "core scan (find)": lambda: core.find(text, None),  # noqa: B023
            "keyword pass (keyword_hits)": lambda: core.keyword_hits(text),  # noqa: B023
            "rewrite": lambda: native._redact.rewrite(text, found, ops),  # noqa: B023
            "apply, the same str": lambda: policy.apply(text, direction="Outbound", principal=data.PRINCIPAL),  # noqa: B023
        }
        for name, fn in steps.items():
            rows.setdefault(name, []).append(data.best_cpu_us(fn, rounds=9))
        fresh = data.best_cpu_us(
            lambda t: policy.apply(t, direction="Outbound", principal=data.PRINCIPAL),
            rounds=9,
            arguments=lambda: [(text.encode().decode(),) for _ in range(20)],  # noqa: B023 - a new str each call
        )
        rows.setdefault("apply, a fresh str each time", []).append(fresh)
    print(f"| step | {' | '.join(texts)} | ratio |")
    print("|---|---:|---:|---:|")
    for name, (mixed, twin) in rows.items():
        print(f"| {name} | {mixed:.0f} µs | {twin:.0f} µs | {mixed / twin:.2f}x |")
    return 0


if __name__ == "__main__":  # run as a script, bench/ is on sys.path for redact_data
    sys.exit(main())
