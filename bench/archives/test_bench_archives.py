"""Large archives: one process, ``--jobs 2`` and Spark ``local[2]`` on the same generated JSON-lines file.

    python3 -m pytest bench/archives/test_bench_archives.py --benchmark-json=bench/.results/archives.json
    python3 bench/archives/report.py bench/.results/archives.json

The file (``TAMIS_ARCHIVE_MB`` megabytes, default 200) is generated once under bench/.results/archive/.
The commands run as fresh processes writing to /dev/null, after a warm-up run that puts the file in the page
cache; Spark runs in one ``local[2]`` session started (and warmed on a small frame) before the timing, reads
the file with ``spark.read.text`` and writes to the ``noop`` sink, so that every row is computed. One round
each: the point is the ratio between the three on one machine, back to back.
"""

from __future__ import annotations

import itertools
import os
import resource
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from generate import generate

BENCH = Path(__file__).resolve().parents[1]
MEGABYTES = int(os.environ.get("TAMIS_ARCHIVE_MB", "200"))


@pytest.fixture(scope="module")
def archive() -> dict[str, Any]:
    info = generate(BENCH / ".results" / "archive", MEGABYTES)
    return {**info, "dir": BENCH / ".results" / "archive"}


def _record(
    benchmark: Any, archive: dict[str, Any], kind: str, engine: str, wall: float, cpu: float | None
) -> None:
    benchmark.group = f"archive {kind}"
    benchmark.extra_info.update(
        {
            "kind": kind,
            "engine": engine,
            "lines": archive["lines"],
            "bytes": archive["bytes"],
            "wall_seconds": round(wall, 3),
            "cpu_seconds": None if cpu is None else round(cpu, 3),
            "loadavg": os.getloadavg()[0] if hasattr(os, "getloadavg") else None,
        }
    )


def _command(kind: str, archive: dict[str, Any], jobs: int) -> list[str]:
    folder = archive["dir"]
    tamis = [sys.executable, "-m", "tamis"]
    if kind == "match":
        return [*tamis, "match", "--rules", str(folder / "rules"), archive["path"], "--jobs", str(jobs)]
    return [
        *tamis,
        "redact",
        "--policy",
        str(folder / "policy.json"),
        "--jsonl",
        archive["path"],
        "--jobs",
        str(jobs),
    ]


@pytest.mark.parametrize("kind", ["match", "redact"])
@pytest.mark.parametrize("jobs", [1, 2])
def test_command(benchmark: Any, archive: dict[str, Any], kind: str, jobs: int) -> None:
    cmd = _command(kind, archive, jobs)
    # Bad lines (match: exit 2) and denied messages (redact: exit 1) are part of the generated data.
    ok = (2,) if kind == "match" else (1,)
    timings: list[tuple[float, float]] = []

    def once() -> None:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        proc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        wall = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        timings.append((wall, after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime))
        assert proc.returncode in ok, cmd

    if jobs == 1 and kind == "match":
        once()  # page cache
    benchmark.pedantic(once, rounds=1, iterations=1)
    wall, cpu = timings[-1]
    _record(benchmark, archive, kind, f"--jobs {jobs}", wall, cpu)
    benchmark.extra_info["command"] = " ".join(cmd[1:])


def _tree_cpu_seconds() -> float:
    """CPU time of this process's living descendants (the JVM of a local Spark session and its Python
    workers): Spark's workers outlive a job, so the resource usage of waited-for children misses them."""
    children: dict[int, list[int]] = {}
    times: dict[int, float] = {}
    tick = os.sysconf("SC_CLK_TCK")
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid = int(entry)
        children.setdefault(int(fields[1]), []).append(pid)
        times[pid] = (int(fields[11]) + int(fields[12])) / tick
    total, todo = 0.0, list(children.get(os.getpid(), []))
    while todo:
        pid = todo.pop()
        total += times.get(pid, 0.0)
        todo.extend(children.get(pid, []))
    return total


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    pytest.importorskip("pyspark", reason="pyspark is missing (pip install 'tamis[spark]')")
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        pytest.skip("Java is missing")
    from pyspark.sql import SparkSession

    os.environ["PYSPARK_PYTHON"] = sys.executable
    session = (
        SparkSession.builder.master("local[2]")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.memory", "2g")
        # 16 MB splits: a dozen tasks for the two cores to share, so neither waits on a long last one
        .config("spark.sql.files.maxPartitionBytes", str(16 << 20))
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.mark.parametrize("kind", ["match", "redact"])
def test_spark_local_2(benchmark: Any, spark: Any, archive: dict[str, Any], kind: str) -> None:
    import orjson

    from tamis import spark as tamis_spark

    folder = archive["dir"]
    rules = {p.stem: p.read_bytes() for p in sorted((folder / "rules").glob("*.json"))}
    policy = orjson.loads((folder / "policy.json").read_bytes())

    def job(frame: Any) -> Any:
        if kind == "match":
            return tamis_spark.match(frame, rules, column="value", errors="error")
        return tamis_spark.redact(frame, policy, column="value", denied="denied")

    with open(archive["path"], encoding="utf-8", errors="replace") as fh:
        warm = spark.createDataFrame([(line,) for line in itertools.islice(fh, 2000)], "value string")
    job(warm).write.format("noop").mode("overwrite").save()  # workers started, rules compiled there once
    frame = spark.read.text(archive["path"])
    cpu = _tree_cpu_seconds() + time.process_time()
    start = time.perf_counter()
    benchmark.pedantic(
        lambda: job(frame).write.format("noop").mode("overwrite").save(), rounds=1, iterations=1
    )
    wall = time.perf_counter() - start
    cpu = _tree_cpu_seconds() + time.process_time() - cpu
    _record(benchmark, archive, kind, "spark local[2]", wall, cpu)
    benchmark.extra_info["partitions"] = frame.rdd.getNumPartitions()
