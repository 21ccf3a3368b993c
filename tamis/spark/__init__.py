"""Event patterns and data-protection policies over Spark DataFrames (``pip install 'tamis[spark]'``).

    from tamis import spark as tamis_spark
    matched = tamis_spark.match(df, {"orders": pattern}, column="event")      # + array<string> "rules"
    masked = tamis_spark.redact(df, policy_text, column="message", direction="Inbound")

Both run as Arrow batches (``DataFrame.mapInArrow``, pyspark 3.5 or newer, as in AWS Glue 5). The rules or
the policy are checked once here, on the driver (a bad pattern raises ``PatternError`` before any job
starts), and shipped to the executors as their sources, which each Python worker compiles once and keeps
(``tamis.worker_cache``): never per row or per batch. ``worker_info(spark)`` says whether the workers run
the native cores.

Cost: per record a worker does what ``tamis match`` and ``tamis redact --jsonl`` do, no more
(bench/archives/test_bench_batches.py). Spark adds its own: the JVM reads the text, and every column goes
through Arrow to the worker and back (``mapInArrow`` returns whole rows, so select away wide columns the
job does not need); and each task costs its Python worker about 0.1 CPU-second whatever its size (much of
it pyspark 3.5's worker calling ``importlib.invalidate_caches()`` per task, which on Python 3.11 reads the
directory of pyspark's zip archive again for each zip importer). Keep the input splits at Spark's default
size (``spark.sql.files.maxPartitionBytes``, 128 MB) rather than small ones. Figures: bench/RESULTS.md.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from tamis.patterns import PatternInput, RuleSet
from tamis.policies import Policy, PolicyInput, compile_policy
from tamis.worker_cache import keyed

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

__all__ = ["match", "redact", "worker_info"]

MIN_PYSPARK = (3, 5)
_INSTALL = "tamis.spark needs pyspark 3.5 or newer and pyarrow: pip install 'tamis[spark]'"


def _types() -> Any:
    try:
        import pyspark
        from pyspark.sql import types
    except ImportError:
        raise ImportError(_INSTALL) from None
    version = tuple(int(part) for part in pyspark.__version__.split(".")[:2] if part.isdigit())
    if version < MIN_PYSPARK:
        raise ImportError(f"{_INSTALL} (found pyspark {pyspark.__version__})")
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        raise ImportError(_INSTALL) from None
    return types


def match(
    df: DataFrame,
    rules: Mapping[str, PatternInput] | RuleSet,
    column: str = "event",
    output: str = "rules",
    dialect: str = "eventbridge",
    scope: str | None = None,
    *,
    errors: str | None = None,
    pattern_size: int | None = None,
) -> DataFrame:
    """``df`` with an ``array<string>`` column ``output``: the names of the rules each row's event matches, in
    the order the rules were added; null where the event is null or not a valid event (then, with
    ``errors``, a string column of that name says why). ``column`` holds the events as JSON (string or
    binary). ``rules`` is a RuleSet (which brings its own dialect) or a ``{name: pattern}`` mapping compiled
    with ``dialect``, ``scope`` and ``pattern_size``."""
    types = _types()
    if isinstance(rules, RuleSet):
        if (dialect, scope, pattern_size) != ("eventbridge", None, None):
            raise ValueError(
                "a RuleSet brings its own dialect: give dialect, scope or pattern_size with a mapping"
            )
        rule_set = rules
    else:
        rule_set = RuleSet(dialect, scope, pattern_size=pattern_size)
        for name, pattern in rules.items():
            rule_set.add(name, pattern, source=name)
    _column_of(df, column, (types.StringType, types.BinaryType))
    outputs = {output: types.ArrayType(types.StringType())}
    if errors is not None:
        outputs[errors] = types.StringType()
    schema = _schema(df, types, column, outputs)
    from tamis.spark.arrow_batches import match_batches

    work = functools.partial(match_batches, keyed(rule_set.sources()), column, output, errors)
    return df.mapInArrow(work, schema)


def redact(
    df: DataFrame,
    policy: Policy | PolicyInput,
    column: str = "message",
    direction: str | None = None,
    principal: str | None = None,
    output: str | None = None,
    *,
    dialect: str = "sns",
    findings: str | None = None,
    denied: str | None = None,
) -> DataFrame:
    """``df`` with each message of ``column`` (strings) as the service would deliver it: in place, or in a new
    column named ``output``; null where a Deny statement refuses the message. ``policy`` is a compiled Policy
    or its JSON (compiled with ``dialect``). SNS policies take ``direction`` ("Inbound", the default, or
    "Outbound") and ``principal``; CloudWatch Logs policies neither. With ``findings``, an
    ``array<struct<identifier, start, end>>`` column of what was found (character offsets, end exclusive);
    with ``denied``, a string column holding the service's error for a refused message."""
    types = _types()
    compiled_policy = policy if isinstance(policy, Policy) else compile_policy(policy, dialect)
    if compiled_policy.source is None:
        raise ValueError("this Policy was built from models directly: compile it with compile_policy")
    if compiled_policy.dialect == "sns":
        direction = direction or "Inbound"
    compiled_policy.apply("", direction=direction, principal=principal)  # the options' own errors, here
    _column_of(df, column, (types.StringType,))
    target = output or column
    outputs: dict[str, Any] = {target: types.StringType()}
    if findings is not None:
        finding = types.StructType(
            [
                types.StructField("identifier", types.StringType()),
                types.StructField("start", types.IntegerType()),
                types.StructField("end", types.IntegerType()),
            ]
        )
        outputs[findings] = types.ArrayType(finding)
    if denied is not None:
        outputs[denied] = types.StringType()
    schema = _schema(df, types, column, outputs)
    from tamis.spark.arrow_batches import redact_batches

    work = functools.partial(
        redact_batches, keyed(compiled_policy.source), column, target, direction, principal, findings, denied
    )
    return df.mapInArrow(work, schema)


def worker_info(spark: SparkSession) -> list[dict[str, Any]]:
    """What the Spark Python workers run: tamis and Python versions, and whether the event matcher's and
    the redactor's native cores load there (one row per partition of a small job)."""
    _types()
    from tamis.spark import arrow_batches

    parallelism = spark.sparkContext.defaultParallelism
    frame = spark.range(parallelism, numPartitions=parallelism)
    return [
        row.asDict()
        for row in frame.mapInArrow(arrow_batches.worker_info, arrow_batches.WORKER_INFO_SCHEMA).collect()
    ]


def _column_of(df: DataFrame, column: str, kinds: tuple[type, ...]) -> None:
    fields = {f.name: f for f in df.schema.fields}
    if column not in fields:
        raise ValueError(f"the DataFrame has no column {column!r} (columns: {', '.join(fields)})")
    if not isinstance(fields[column].dataType, kinds):
        wanted = " or ".join(k.typeName() for k in kinds)
        raise TypeError(f"column {column!r} is {fields[column].dataType.simpleString()}, not {wanted}")


def _schema(df: DataFrame, types: Any, column: str, outputs: dict[str, Any]) -> Any:
    names = [f.name for f in df.schema.fields]
    if len(set(outputs)) != len(outputs):
        raise ValueError(f"the output columns must have different names: {', '.join(outputs)}")
    fields = list(df.schema.fields)
    for name, kind in outputs.items():
        if name in names:
            fields[names.index(name)] = types.StructField(name, kind, True)
        else:
            fields.append(types.StructField(name, kind, True))
    return types.StructType(fields)
