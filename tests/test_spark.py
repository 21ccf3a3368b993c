"""``tamis.spark``: the same answers in a local Spark session (``local[2]``) as the public API in one process.

The Arrow batch functions are checked with pyarrow alone; the DataFrame functions in one shared Spark
session, skipped with the reason when pyspark or Java is missing. The data: generated events with bad lines
(cut short, not an object, not UTF-8), non-ASCII text and null rows, in batches of 100 rows over 2 partitions.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
from support.archive_records import lines, policy, rules

from tamis import worker_cache
from tamis.errors import PatternError, TamisError
from tamis.patterns import RuleSet, RuleSetSource
from tamis.policies import compile_policy

pa = pytest.importorskip("pyarrow", reason="pyarrow is missing (pip install 'tamis[spark]')")

COUNT = 600


def rows() -> list[tuple[int, bytes | None]]:
    out: list[tuple[int, bytes | None]] = [(i, line) for i, line in enumerate(lines(COUNT, bad_every=23))]
    out.append((COUNT, None))
    return out


def text(value: bytes | None) -> str | None:
    # Spark strings are UTF-8: a line that is not is carried with replacement characters (then not JSON)
    return None if value is None else value.decode("utf-8", "replace")


def expected_match(values: list[Any], rule_set: RuleSet) -> list[tuple[list[str] | None, str | None]]:
    out: list[tuple[list[str] | None, str | None]] = []
    for value in values:
        if value is None:
            out.append((None, None))
            continue
        try:
            out.append((rule_set.matches(value), None))
        except TamisError as exc:
            out.append((None, exc.message))
    return out


def rule_set() -> RuleSet:
    built = RuleSet()
    for name, pattern in rules().items():
        built.add(name, pattern)
    return built


# ---------------------------------------------------------------------------------------------------------
# the Arrow batch functions, without Spark


def test_match_batches_compile_once_and_answer_as_the_api(monkeypatch: pytest.MonkeyPatch) -> None:
    from tamis.spark.arrow_batches import match_batches

    monkeypatch.setattr(worker_cache, "_compiled", {})
    compiles: list[object] = []
    real = RuleSetSource.compile
    monkeypatch.setattr(RuleSetSource, "compile", lambda self: compiles.append(self) or real(self))
    values = [text(v) for _, v in rows()]
    batches = [pa.RecordBatch.from_pydict({"event": values[i : i + 50]}) for i in range(0, len(values), 50)]
    source = worker_cache.keyed(rule_set().sources())
    got = []
    for _ in range(2):  # two tasks in one worker
        for out in match_batches(source, "event", "rules", "error", iter(batches)):
            assert out.schema.names == ["event", "rules", "error"]
            got.extend(zip(out.column("rules").to_pylist(), out.column("error").to_pylist(), strict=True))
    assert len(compiles) == 1
    assert got == expected_match(values, rule_set()) * 2


def test_redact_batches_answer_as_the_api() -> None:
    from tamis.spark.arrow_batches import redact_batches

    pol = compile_policy(orjson.dumps(policy()))
    values = [text(v) for _, v in rows()]
    batch = pa.RecordBatch.from_pydict({"message": values})
    source = worker_cache.keyed(pol.source)  # type: ignore[arg-type]
    (out,) = redact_batches(source, "message", "message", "Inbound", None, "found", "denied", iter([batch]))
    assert out.schema.names == ["message", "found", "denied"]
    for value, masked, found, denied in zip(
        values, *(out.column(n).to_pylist() for n in ("message", "found", "denied")), strict=True
    ):
        if value is None:
            assert (masked, found, denied) == (None, None, None)
            continue
        outcome = pol.apply(value, direction="Inbound")
        assert masked == (outcome.message if outcome.error is None else None)
        assert found == [{"identifier": f[0], "start": f[1], "end": f[2]} for f in outcome.findings]
        assert (denied is None) == (outcome.error is None)


# ---------------------------------------------------------------------------------------------------------
# DataFrames in a local Spark session


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    pytest.importorskip("pyspark", reason="pyspark is missing (pip install 'tamis[spark]')")
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        pytest.skip("Java is missing: a local Spark session needs a JVM (java on PATH or JAVA_HOME)")
    from pyspark.sql import SparkSession

    # The workers run this interpreter and its tamis (a local session reads the variable, not the option).
    saved = os.environ.get("PYSPARK_PYTHON")
    os.environ["PYSPARK_PYTHON"] = sys.executable
    session = (
        SparkSession.builder.master("local[2]")
        .appName("tamis-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.sql.execution.arrow.maxRecordsPerBatch", "100")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()
    if saved is None:
        os.environ.pop("PYSPARK_PYTHON", None)
    else:
        os.environ["PYSPARK_PYTHON"] = saved


def frame(spark: Any, binary: bool = False) -> Any:
    kind = "binary" if binary else "string"
    data = [(i, v if binary else text(v)) for i, v in rows()]
    return spark.createDataFrame(data, f"id long, event {kind}")  # local[2]: two partitions


@pytest.mark.parametrize("binary", [False, True])
def test_match_in_spark_equals_one_process(spark: Any, binary: bool) -> None:
    from tamis import spark as tamis_spark

    df = frame(spark, binary)
    result = tamis_spark.match(df, rules(), column="event", errors="error").orderBy("id").collect()
    values = [v if binary else text(v) for _, v in rows()]
    assert [(r["rules"], r["error"]) for r in result] == expected_match(values, rule_set())
    assert [r["event"] for r in result] == [bytearray(v) if binary and v else v for v in values]
    assert any(r["error"] for r in result) and any("unicode-user" in (r["rules"] or []) for r in result)


def test_match_takes_a_rule_set(spark: Any) -> None:
    from tamis import spark as tamis_spark

    rs = rule_set()
    rs.remove("not-ok")
    result = tamis_spark.match(frame(spark), rs, output="hits").orderBy("id").collect()
    assert [r["hits"] for r in result] == [m for m, _ in expected_match([text(v) for _, v in rows()], rs)]


def test_redact_in_spark_equals_one_process(spark: Any) -> None:
    from tamis import spark as tamis_spark

    pol = compile_policy(orjson.dumps(policy()))
    df = frame(spark).withColumnRenamed("event", "message")
    in_place = tamis_spark.redact(df, pol).orderBy("id").collect()
    beside = (
        tamis_spark.redact(df, policy(), output="masked", findings="found", denied="denied")
        .orderBy("id")
        .collect()
    )
    denied = 0
    for (_, value), row, other in zip(rows(), in_place, beside, strict=True):
        message = text(value)
        assert other["message"] == message  # output= leaves the column as it was
        if message is None:
            assert row["message"] is None and other["masked"] is None
            continue
        outcome = pol.apply(message, direction="Inbound")
        expected = outcome.message if outcome.error is None else None
        assert row["message"] == expected == other["masked"]
        assert [tuple(f) for f in other["found"]] == [tuple(f) for f in outcome.findings]
        denied += other["denied"] is not None
        assert (other["denied"] is None) == (outcome.error is None)
    assert denied  # the generated lines hold blocked references


def test_mistakes_are_reported_on_the_driver(spark: Any) -> None:
    from tamis import spark as tamis_spark

    df = frame(spark)
    with pytest.raises(PatternError):
        tamis_spark.match(df, {"bad": {"source": "not-a-list"}})
    with pytest.raises(ValueError, match="no column 'message'"):
        tamis_spark.redact(df, policy())
    with pytest.raises(TypeError, match="column 'id' is bigint, not string"):
        tamis_spark.redact(df, policy(), column="id")
    with pytest.raises(ValueError, match="brings its own dialect"):
        tamis_spark.match(df, rule_set(), dialect="sns")


def test_workers_report_their_native_cores(spark: Any) -> None:
    from tamis import __version__
    from tamis import spark as tamis_spark

    info = tamis_spark.worker_info(spark)
    assert info and all(row["tamis"] == __version__ for row in info)
    if os.environ.get("TAMIS_REQUIRE_NATIVE") == "1":
        assert all(row["events_native"] for row in info)
    if os.environ.get("TAMIS_REQUIRE_REDACT_CORE") == "1":
        assert all(row["redact_native"] for row in info)


def test_text_files_with_bytes_that_are_not_utf8(spark: Any, tmp_path: Path) -> None:
    """``spark.read.text`` does not check UTF-8: such a line is a bad event to match (as in `tamis match`)
    and a message whose other bytes pass through the redactor unchanged (as in `tamis redact --jsonl`)."""
    from tamis import spark as tamis_spark

    data = [v for _, v in rows() if v is not None]
    path = tmp_path / "events.jsonl"
    path.write_bytes(b"".join(v + b"\n" for v in data))
    frame = spark.read.text(str(path))
    matched = tamis_spark.match(frame, rules(), column="value", errors="error").collect()
    assert [(r["rules"], r["error"]) for r in matched] == expected_match(data, rule_set())
    assert any("not valid UTF-8" in (r["error"] or "") for r in matched)
    pol = compile_policy(orjson.dumps(policy()))
    redacted = tamis_spark.redact(frame, pol, column="value", output="masked").collect()
    for value, row in zip(data, redacted, strict=True):
        outcome = pol.apply(value.decode("utf-8", "surrogateescape"), direction="Inbound")
        if outcome.error is not None:
            assert row["masked"] is None
            continue
        expected = (outcome.message or "").encode("utf-8", "surrogateescape")
        # pyspark hands back a string that is not UTF-8 with replacement characters
        assert row["masked"] == expected.decode("utf-8", "replace")
        assert row["value"] == value.decode("utf-8", "replace")
