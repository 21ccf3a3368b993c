"""Redaction on several threads: the native core runs RE2 without the GIL.

Scans 16 copies of the dense 256 KB message (``bench/data_protection/redact_data.py``) through a thread pool
of 1 and of 2
workers (this machine has 2 cores) and reports messages per second and the speed-up, from wall time (CPU
time would add both threads up).

Run: ``python3 -m pytest bench/data_protection/test_bench_redact_threads.py
--benchmark-json=bench/.results/threads.json``,
then ``python3 bench/data_protection/test_bench_redact_threads.py bench/.results/threads.json`` prints the
table.
"""

from __future__ import annotations

import concurrent.futures
import json
import os
import sys
from typing import Any

import pytest
import redact_data as data

import tamis

POLICY = tamis.compile_policy(data.policy())
MESSAGES = [data.message_256kb()] * 16


@pytest.mark.parametrize("workers", [1, 2])
def test_scan_threads(benchmark: Any, workers: int) -> None:
    if os.environ.get("TAMIS_BENCH_ALLOW_PYTHON") != "1":
        assert POLICY._redactor.scanner.native, "the native redactor core is not built (see tamis --version)"
    want = POLICY.scan(MESSAGES[0])
    with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as pool:

        def run() -> list[Any]:
            return list(pool.map(POLICY.scan, MESSAGES))

        assert run() == [want] * len(MESSAGES)
        benchmark.group = "redact-threads"
        benchmark.extra_info.update({"workers": workers, "messages": len(MESSAGES)})
        benchmark.pedantic(run, rounds=10, iterations=1, warmup_rounds=1)


def table(path: str) -> str:
    with open(path, encoding="utf-8") as fh:
        doc = json.load(fh)
    rows = {b["extra_info"]["workers"]: b for b in doc["benchmarks"]}
    lines = ["| threads | 16 scans (median) | messages/s | speed-up |", "|---|---|---|---|"]
    for workers in sorted(rows):
        med = rows[workers]["stats"]["median"]
        speedup = rows[1]["stats"]["median"] / med if 1 in rows else float("nan")
        lines.append(f"| {workers} | {med * 1e3:.1f} ms | {16 / med:,.0f} | {speedup:.2f}x |")
    return "\n".join(lines)


if __name__ == "__main__":
    print(table(sys.argv[1]))
