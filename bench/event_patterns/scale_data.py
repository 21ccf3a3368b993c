"""Rule sets for the scale benchmarks (test_bench_scale.py): large and adversarial, each with its event.

- ``crowded(n)``: the event satisfies thousands of conditions (overlapping numeric ranges, anything-but,
  `exists: false`, a shared prefix) but matches 50 rules: each other rule has one condition the event
  fails, a different one per rule.
- ``deep_paths(n)``: `exists` on n distinct paths five levels deep; the event has 20 of them.
- ``arrays(n)``: two fields inside an array of objects per rule; the event's array has 20 elements.
- ``kinds(kind, n)``: n rules of one kind (exact, prefix, numeric, anything-but, cidr, wildcard), for the
  per-kind charts.

Every generator is deterministic (seeded) and returns (rules, event bytes, expected match count).
"""

from __future__ import annotations

import random
from typing import Any

import event_data as data
import orjson

Json = dict[str, Any]
SEED = 20261207
PLANTED = 50
BYTES = 48213


def crowded(n: int, seed: int = SEED) -> tuple[list[tuple[str, Json]], bytes, int]:
    rng = random.Random(seed + n)
    rules: list[tuple[str, Json]] = []
    stride = max(1, n // PLANTED)
    for i in range(n):
        if i % stride == 0 and i // stride < PLANTED:
            rules.append(
                (f"hit-{i:06d}", {"source": ["aws.s3"], "detail": {"bytes": [{"numeric": [">", i % 1000]}]}})
            )
            continue
        kind = i % 4
        if kind == 0:  # a range around the event's value (they all overlap), and a name the event lacks
            low = BYTES - rng.randint(1, 40_000)
            rule: Json = {
                "source": ["aws.s3"],
                "detail": {
                    "bytes": [{"numeric": [">=", low, "<", low + rng.randint(40_001, 90_000)]}],
                    "eventName": [f"Op{i}"],
                },
            }
        elif kind == 1:  # anything-but the event does not exclude, and a user it lacks
            rule = {"detail": {"awsRegion": [{"anything-but": [f"xx-{i}"]}], "user": [f"user{i}"]}}
        elif kind == 2:  # `exists: false` it satisfies, and a request id it lacks
            rule = {"detail": {"errorCode": [{"exists": False}], "requestId": [f"req{i}"]}}
        else:  # a prefix it has, and an account it is not
            rule = {"detail": {"key": [{"prefix": "uploads/"}]}, "account": [f"{100000000000 + i}"]}
        rules.append((f"rule-{i:06d}", rule))
    # The bench's CloudTrail-style event (about 1.2 KB), with the fields these rules read.
    event = data.cloudtrail_event()
    event["source"] = "aws.s3"
    event["account"] = "123456789012"
    event["detail"].pop("errorCode", None)
    event["detail"].update(
        bytes=BYTES, eventName="PutObject", awsRegion="eu-west-1", user="alice", requestId="req-x",
        key="uploads/2026/12/07/report.pdf",
    )  # fmt: skip
    return rules, orjson.dumps(event), min(PLANTED, n)


def deep_paths(n: int) -> tuple[list[tuple[str, Json]], bytes, int]:
    rules = []
    for i in range(n):
        a, b, c, d = i % 7, i % 11, i % 13, i
        rules.append((f"p{i}", {f"a{a}": {f"b{b}": {f"c{c}": {f"d{d}": {"leaf": [{"exists": True}]}}}}}))
    event: Json = {}
    for i in range(0, min(n, 20 * 97), 97):
        a, b, c, d = i % 7, i % 11, i % 13, i
        event.setdefault(f"a{a}", {}).setdefault(f"b{b}", {}).setdefault(f"c{c}", {})[f"d{d}"] = {"leaf": 1}
    return rules, orjson.dumps(event), len(range(0, min(n, 20 * 97), 97))


def arrays(n: int) -> tuple[list[tuple[str, Json]], bytes, int]:
    rules = [
        (f"a{i}", {"resources": {"type": [f"T{i % 50}"], "arn": [{"prefix": f"arn:{i % 1000}:"}]}})
        for i in range(n)
    ]
    elements = [{"type": f"T{k}", "arn": f"arn:{k * 7}:x"} for k in range(20)]
    event = {"resources": elements}
    hits = sum(1 for i in range(n) if any(i % 50 == k and i % 1000 == k * 7 for k in range(20)))
    return rules, orjson.dumps(event), hits


KINDS = ("exact", "prefix", "numeric", "anything-but", "cidr", "wildcard")


def kinds(kind: str, n: int) -> tuple[list[tuple[str, Json]], bytes, int]:
    """n rules of one kind on one field; the event's value meets about ten of them (all, for anything-but,
    which holds for nearly every value)."""
    rules = []
    for i in range(n):
        if kind == "exact":
            value: Any = [f"v{i % max(1, n // 10)}"]
        elif kind == "prefix":
            value = [{"prefix": f"v{i % max(1, n // 10)}/"}]
        elif kind == "numeric":
            value = [{"numeric": [">=", i * 10, "<", i * 10 + 100]}]
        elif kind == "anything-but":
            value = [{"anything-but": [f"v{i}"]}]
        elif kind == "cidr":
            value = [{"cidr": f"10.{i // 256 % 256}.{i % 256}.0/24"}]
        else:
            value = [{"wildcard": f"v{i % max(1, n // 10)}/*"}]
        rules.append((f"k{i}", {"f": value}))
    sample = {"exact": "v0", "prefix": "v0/x", "numeric": 45, "anything-but": "v0", "cidr": "10.0.4.9"}
    event = {"f": sample.get(kind, "v0/x")}
    return rules, orjson.dumps(event), -1
