"""Large archives: one process, ``--jobs 2`` and Spark ``local[2]`` on the same generated JSON-lines file.

    python3 -m pytest bench/archives/test_bench_archives.py --benchmark-json=bench/.results/archives.json
    python3 bench/archives/report.py bench/.results/archives.json
    TAMIS_JOBS_ROUNDS=7 python3 -m pytest bench/archives/test_bench_archives.py -k interleaved \
        --benchmark-json=bench/.results/jobs.json && python3 bench/archives/report.py bench/.results/jobs.json

The file (``TAMIS_ARCHIVE_MB`` megabytes, default 200) is generated once under bench/.results/archive/.
The commands run as fresh processes writing to /dev/null, after a warm-up run that puts the file in the page
cache; Spark runs in one ``local[2]`` session started before the timing, reads the file with
``spark.read.text`` and writes to the ``noop`` sink, so that every row is computed. Before the timed job the
same job runs on the file's first lines (a file of their own): the Python workers start and compile the rules
once, and the JVM loads and compiles (JIT) the same reading, Arrow and writing code, a one-off cost of about
two CPU-seconds that a job over a real archive spreads over terabytes and that would otherwise weigh on
this 200 MB one. One round each: the point is the ratio between the three on one machine, back to back.
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
# Spark's input splits: by default its own choice (at most 128 MB, and the input shared evenly between the
# cores when it is smaller, so two splits of 100 MB here). Each task costs its Python worker a fixed
# ~0.1 CPU-second (tamis.spark's module docstring), so small splits are dearer per record.
SPLIT_MB = int(os.environ.get("TAMIS_SPARK_SPLIT_MB", "0"))
WARM_LINES = 20_000  # Spark's warm-up job: about 11 MB of the archive's first lines, two tasks


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


@pytest.mark.parametrize("kind", ["match", "redact"])
def test_jobs_2_against_1_interleaved(benchmark: Any, archive: dict[str, Any], kind: str) -> None:
    """What ``--jobs 2`` costs over one process, load aside: ``--jobs 1`` and ``--jobs 2`` alternate
    ``TAMIS_JOBS_ROUNDS`` times (default 5) and the medians are compared, CPU-seconds (the command and its
    workers) first: their ratio is records per CPU-second against one process, which bounds the speed-up on
    two idle cores at twice it."""
    import statistics

    ok = (2,) if kind == "match" else (1,)
    rounds = int(os.environ.get("TAMIS_JOBS_ROUNDS", "5"))
    taken: dict[int, list[tuple[float, float]]] = {1: [], 2: []}

    def once(jobs: int) -> None:
        cmd = _command(kind, archive, jobs)
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        proc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        wall = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
        taken[jobs].append((wall, cpu))
        assert proc.returncode in ok, cmd

    once(1)  # page cache
    taken[1].clear()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    benchmark.pedantic(lambda: (once(1), once(2)), rounds=rounds, iterations=1)
    wall = {jobs: statistics.median(w for w, _ in runs) for jobs, runs in taken.items()}
    cpu = {jobs: statistics.median(c for _, c in runs) for jobs, runs in taken.items()}
    benchmark.group = f"archive {kind} --jobs 2 against 1"
    benchmark.extra_info.update(
        {
            "kind": kind,
            "engine": "--jobs 2 against 1, interleaved",
            "rounds": rounds,
            "lines": archive["lines"],
            "bytes": archive["bytes"],
            "median_wall_seconds": {str(j): round(w, 3) for j, w in wall.items()},
            "median_cpu_seconds": {str(j): round(c, 3) for j, c in cpu.items()},
            "cpu_per_record_ratio": round(cpu[1] / cpu[2], 3),
            "wall_speed_up": round(wall[1] / wall[2], 3),
            "loadavg": [load, os.getloadavg()[0] if hasattr(os, "getloadavg") else None],
        }
    )


def _tree_cpu_seconds() -> tuple[float, float]:
    """CPU time of this process's descendants, as (JVM, Python workers): the JVM of a local Spark session
    and the Python worker daemon with its workers. Spark's workers outlive a job, so the resource usage of
    waited-for children misses them; each living process counts its own time and that of the children it
    has reaped (a worker that exits during the job still counts)."""
    children: dict[int, list[int]] = {}
    times: dict[int, float] = {}
    java: set[int] = set()
    tick = os.sysconf("SC_CLK_TCK")
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as fh:
                head, tail = fh.read().rsplit(")", 1)
        except (OSError, ValueError):
            continue
        fields = tail.split()
        pid = int(entry)
        children.setdefault(int(fields[1]), []).append(pid)
        # utime, stime, cutime, cstime (proc(5))
        times[pid] = sum(int(field) for field in fields[11:15]) / tick
        if head.rpartition("(")[2].startswith("java"):
            java.add(pid)
    jvm = python = 0.0
    todo = list(children.get(os.getpid(), []))
    while todo:
        pid = todo.pop()
        if pid in java:
            jvm += times.get(pid, 0.0)
        else:
            python += times.get(pid, 0.0)
        todo.extend(children.get(pid, []))
    return jvm, python


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    pytest.importorskip("pyspark", reason="pyspark is missing (pip install 'tamis[spark]')")
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        pytest.skip("Java is missing")
    from pyspark.sql import SparkSession

    os.environ["PYSPARK_PYTHON"] = sys.executable
    builder = (
        SparkSession.builder.master("local[2]")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.driver.memory", "2g")
    )
    if SPLIT_MB:
        builder = builder.config("spark.sql.files.maxPartitionBytes", str(SPLIT_MB << 20))
    session = builder.getOrCreate()
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

    warm = folder / "warm.jsonl"
    with open(archive["path"], "rb") as fh, warm.open("wb") as out:
        out.writelines(itertools.islice(fh, WARM_LINES))
    for _ in range(2):  # workers started, rules compiled there once, the JVM's code compiled (JIT)
        job(spark.read.text(str(warm))).write.format("noop").mode("overwrite").save()
    frame = spark.read.text(archive["path"])
    jvm, python = _tree_cpu_seconds()
    driver = time.process_time()
    start = time.perf_counter()
    benchmark.pedantic(
        lambda: job(frame).write.format("noop").mode("overwrite").save(), rounds=1, iterations=1
    )
    wall = time.perf_counter() - start
    jvm_after, python_after = _tree_cpu_seconds()
    split = {
        "jvm": jvm_after - jvm,
        "python workers": python_after - python,
        "driver": time.process_time() - driver,
    }
    _record(benchmark, archive, kind, "spark local[2]", wall, sum(split.values()))
    benchmark.extra_info["cpu_split"] = {name: round(value, 3) for name, value in split.items()}
    benchmark.extra_info["partitions"] = frame.rdd.getNumPartitions()
