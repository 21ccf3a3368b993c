"""Where the native redactor core spends its time on the benchmark's dense 256 KB message (a diagnosis).

The core's ``find`` (the scan ``apply`` runs: findings kept as records, no ``Finding`` tuples made) takes
one byte per detector saying which may report; the RE2 set pass runs first when
some detector must be ruled in by it before it is searched (none in this policy: every detector has
anchors, keyword windows or a literal prefix, and these messages never spend the budget that would run
it), the keyword pass whenever an allowed detector takes keywords. So the scan with nothing allowed
prices the set pass, if any, and the scan with one detector allowed prices that plus that detector's own
work (and the keyword pass for a keyed one). CPU time, best of several rounds, the garbage
collector off. Prints a markdown table.

Run: ``python3 bench/data_protection/redact_breakdown.py`` (needs the native core).
"""

from __future__ import annotations

import gc
import sys

import redact_data as data

import tamis


def main() -> int:
    scanner = tamis.compile_policy(data.policy())._redactor.scanner
    if not scanner.native:
        print("redact_breakdown: the native redactor core did not load (tamis --version)", file=sys.stderr)
        return 2
    core, text = scanner._native, data.message_256kb()
    names = [d.name + (f" (group {d.group})" if d.group else "") for d in scanner.detectors]
    floor = data.floor_match(det.pattern for det in scanner.detectors)
    gc.disable()

    def allowed(*keep: int) -> bytes:
        return bytes(i in keep for i in range(len(names)))

    floor_us = data.best_cpu_us(lambda: floor(text))
    whole = data.best_cpu_us(lambda: core.find(text, None))
    base = data.best_cpu_us(lambda: core.find(text, allowed()))
    ratio = whole / floor_us
    print(
        f"dense 256 KB message: floor (RE2 set) {floor_us:.0f} µs; whole scan {whole:.0f} µs ({ratio:.1f}x)"
    )
    print()
    print("| allowed | scan | over the line above | findings |")
    print("|---|---:|---:|---:|")
    print(f"| nothing (the set pass, {len(core.set_members())} detectors) | {base:.0f} µs | | 0 |")
    for i, name in enumerate(names):
        mask = allowed(i)
        cost = data.best_cpu_us(lambda mask=mask: core.find(text, mask))
        print(f"| {name} | {cost:.0f} µs | {cost - base:.0f} µs | {len(core.find(text, mask))} |")
    print(f"| everything | {whole:.0f} µs | {whole - base:.0f} µs | {len(core.find(text, None))} |")
    return 0


if __name__ == "__main__":  # run as a script, bench/ is on sys.path for redact_data
    sys.exit(main())
