"""The per-record work inside a Spark Python worker against the same work in ``tamis match``/``redact``.

    python3 -m pytest bench/archives/test_bench_batches.py --benchmark-json=bench/.results/batches.json

``tamis.spark``'s batch functions (``tamis/spark/arrow_batches.py``: Arrow column in, Arrow columns out) and
the commands' block functions (``tamis/cli/match_blocks.py``, ``redact_blocks.py``: lines in, output bytes
out) on the same 20,000 lines of the large-archive file, in this process, without Spark: what the worker's
own code costs per record beyond the command's. ``vs command`` is the median of interleaved rounds
(``timing.interleaved_ratio``), so the machine's load weighs on both sides alike; ``TAMIS_BENCH_BUDGET``
(seconds per benchmark, default 0.5) bounds the run.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
import pytest
from generate import generate
from timing import interleaved_ratio

pa = pytest.importorskip("pyarrow", reason="pyarrow is missing (pip install 'tamis[spark]')")

from tamis.cli.input_streams import Block  # noqa: E402 - after the skip
from tamis.cli.match_blocks import MatchMode, MatchTask, match_block  # noqa: E402
from tamis.cli.redact_blocks import RedactTask, redact_block  # noqa: E402
from tamis.patterns import RuleSet  # noqa: E402
from tamis.policies import compile_policy  # noqa: E402
from tamis.spark.arrow_batches import match_batches, redact_batches  # noqa: E402
from tamis.worker_cache import compiled, keyed  # noqa: E402

BENCH = Path(__file__).resolve().parents[1]
BUDGET = float(os.environ.get("TAMIS_BENCH_BUDGET", "0.5"))
LINES = 20_000
BATCH = 10_000  # spark.sql.execution.arrow.maxRecordsPerBatch's default


@pytest.fixture(scope="module")
def work() -> dict[str, Any]:
    folder = BENCH / ".results" / "archive-20mb"
    info = generate(folder, 20)
    with open(str(info["path"]), "rb") as fh:
        data = b"".join(itertools.islice(fh, LINES))
    lines = data.split(b"\n")[:-1]
    # As spark.read.text hands them over: a string column whose bytes are the lines as they are.
    binary = pa.array(lines, pa.binary())
    column = pa.Array.from_buffers(pa.string(), len(binary), binary.buffers(), binary.null_count)
    batches = [
        pa.RecordBatch.from_arrays([column.slice(start, BATCH)], names=["value"])
        for start in range(0, len(column), BATCH)
    ]
    rules = RuleSet()
    for path in sorted((folder / "rules").glob("*.json")):
        rules.add(path.stem, path.read_bytes(), source=path.stem)
    policy = compile_policy(orjson.loads((folder / "policy.json").read_bytes()), "sns")
    rules_key, policy_key = keyed(rules.sources()), keyed(policy.source)
    for key in (rules_key, policy_key):
        compiled(key)  # compiled once, as a worker keeps them
    return {
        "block": Block("archive", 1, len(lines), data),
        "batches": batches,
        "rules": rules_key,
        "policy": policy_key,
    }


def _sides(kind: str, work: dict[str, Any]) -> tuple[Callable[[Any], Any], Callable[[Any], Any]]:
    """(the Spark worker's function, the command's function), each over all the lines."""
    batches, block = work["batches"], work["block"]
    if kind == "match":
        mode = MatchMode(listing=True, invert=False, count=False)  # `tamis match --rules`
        return (
            lambda _: list(match_batches(work["rules"], "value", "rules", "error", iter(batches))),
            lambda _: match_block(MatchTask(work["rules"], mode, block)),
        )
    return (
        lambda _: list(
            redact_batches(work["policy"], "value", "value", "Inbound", None, None, "denied", iter(batches))
        ),
        lambda _: redact_block(RedactTask(work["policy"], "Inbound", None, block)),
    )


@pytest.mark.parametrize("kind", ["match", "redact"])
def test_worker_batches(benchmark: Any, work: dict[str, Any], kind: str) -> None:
    worker, command = _sides(kind, work)
    benchmark.group = f"archive worker {kind}"
    benchmark.extra_info["records"] = LINES
    benchmark.extra_info["vs command"] = round(interleaved_ratio(worker, None, command, None, BUDGET), 3)
    benchmark.pedantic(worker, args=(None,), rounds=3, iterations=1)
