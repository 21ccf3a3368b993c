"""Rule sets for the scale benchmarks (test_bench_scale.py): large and adversarial, each with its event.

- ``crowded(n)``: the event satisfies thousands of conditions (overlapping numeric ranges, anything-but,
  `exists: false`, a shared prefix) but matches 50 rules: each other rule has one condition the event
  fails, a different one per rule.
- ``deep_paths(n)``: `exists` on n distinct paths five levels deep; the event has 20 of them.
- ``arrays(n)``: two fields inside an array of objects per rule; the event's array has 20 elements.
- ``kinds(kind, n)``: n rules of one kind (``KINDS``: exact, prefix, suffix, equals-ignore-case,
  anything-but, overlapping numeric ranges, CIDR, exists on distinct deep paths, wildcards, fields inside
  arrays of objects, the mixed sets), for the per-kind sweeps and charts; the event matches about ten.
- ``simple(n)``: one exact value per rule (the memory target's simple rule).
- ``timed_build(workload)``: the set built after a warm-up, with its seconds and the RSS before it (the
  in-process and fresh-interpreter build figures of test_bench_scale.py both take it).

Every generator is deterministic (seeded); crowded, deep_paths and arrays return (rules, event bytes,
expected match count), kinds a Workload with the expected names.
"""

from __future__ import annotations

import gc
import ipaddress
import random
import time
from typing import Any, NamedTuple

import event_data as data
import orjson

import tamis

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


# ---------------------------------------------------------------------------------------------------------
# One rule kind at a time (the per-kind sweeps and charts of test_bench_scale.py and scale_report.py)

KINDS = (
    "exact", "prefix", "suffix", "equals-ignore-case", "equals-ignore-case-ascii", "anything-but",
    "anything-but-every", "numeric", "cidr", "exists", "wildcard", "arrays", "mixed", "crowded",
)  # fmt: skip
KIND_PLANTED = 10


class Workload(NamedTuple):
    """A rule set, its event (bytes) and the names of the rules built to match it, sorted."""

    rules: list[tuple[str, Json]]
    event: bytes
    expected: list[str]


def kind_event() -> Json:
    """The bench's CloudTrail-style event (about 1.2 KB) with the fields every per-kind rule set reads, so the
    floor (``orjson.loads`` of these bytes) is that of a realistic event, not of a one-field toy."""
    event = data.cloudtrail_event()
    event["detail"].pop("errorCode", None)
    return event


# The values of the event's ``detail.wide`` (which most rules' first condition accepts) per kind.
WIDE_TEXT = "uploads/2026/12/07/équipe-Ωmega/report-final-v2.pdf"
WIDE_CASE = "Ärger-Ωmega-Été"
WIDE_IP = "10.1.2.3"
WIDE_NUMBER = 48213
# The same ignore-case values with their letters made ASCII (equals-ignore-case-ascii), to tell the cost of
# case-folding non-ASCII text from that of the operator.
_ASCII = str.maketrans("éÉäÄΩω", "eEaAOo")


def _flip_case(text: str, bits: int) -> str:
    """``text`` with the case of letter k swapped when bit k of ``bits`` is set (ASCII and not)."""
    return "".join(c.swapcase() if bits >> (k % 24) & 1 else c for k, c in enumerate(text))


def _two_star(rng: random.Random, text: str) -> str:
    """A wildcard with two stars that ``text`` satisfies: text[:a] * text[b:c] * text[d:], b < c."""
    while True:
        a, b, c, d = sorted(rng.sample(range(len(text) + 1), 4))
        if b < c:
            return f"{text[:a]}*{text[b:c]}*{text[d:]}"


def kinds(kind: str, n: int, seed: int = SEED) -> Workload:
    """n rules of one kind; the event matches ``KIND_PLANTED`` of them (spread evenly through the set).

    Each rule has two conditions of its kind, on ``detail.wide`` and ``detail.narrow``. The event satisfies
    nearly every rule's wide condition (overlapping ranges, prefixes and suffixes of one value, anything-but
    of other values, nested CIDR blocks, two-star wildcards it fits, `exists: false` on distinct absent
    paths), each one distinct (a second value in the list makes it so), and the narrow condition of the
    planted rules only: the answer stays at ten rules while the conditions met grow with n. Values of the
    string kinds are not all ASCII (``equals-ignore-case-ascii`` is the ignore-case set made ASCII).
    ``exists`` reads distinct paths four levels deep; ``arrays`` reads three fields of one element of a
    20-element array, each met by some element for every rule but all three by the same element only for the
    planted ones. ``anything-but-every`` keeps the older one-condition shape whose answer is every rule but
    one (its cost follows the answer). ``mixed`` is event_data.mixed_rules (its answer grows with n: n / 1,000
    rules), ``crowded`` is crowded() (50 rules).
    """
    if kind == "mixed":
        rules = data.mixed_rules(n)
        return Workload(rules, orjson.dumps(data.cloudtrail_event()), data.expected_matches(n))
    if kind == "crowded":
        rules, event_bytes, _ = crowded(n)
        return Workload(rules, event_bytes, sorted(name for name, _ in rules if name.startswith("hit-")))
    rng = random.Random(seed * 7 + n)
    stride = max(1, n // KIND_PLANTED)
    planted = {k * stride for k in range(min(n, KIND_PLANTED))}
    event = kind_event()
    detail = event["detail"]
    rules: list[tuple[str, Json]] = []
    if kind == "anything-but-every":
        for i in range(n):
            rules.append((f"k{i:06d}", {"detail": {"wide": [{"anything-but": [f"v{i}"]}]}}))
        detail["wide"] = "v0"
        return Workload(rules, orjson.dumps(event), sorted(name for name, _ in rules[1:]))
    if kind == "arrays":
        detail["items"] = [
            {"type": f"T{k}", "arn": f"arn:aws:s3:::b{k:02d}", "size": k * 1000} for k in range(20)
        ]
    for i in range(n):
        hit = i in planted
        rule = _kind_rule(kind, i, hit, rng)
        rules.append((f"{'hit' if hit else 'k'}{i:06d}", {"detail": rule}))
    detail.update(_kind_event_fields(kind, sorted(planted)))
    expected = sorted(name for name, _ in rules if name.startswith("hit"))
    return Workload(rules, orjson.dumps(event), expected)


def _kind_rule(kind: str, i: int, hit: bool, rng: random.Random) -> Json:
    if kind == "exact":
        return {"wide": ["région-東京", f"région-{i}"], "narrow": ["clé-cible" if hit else f"clé-{i}"]}
    if kind == "prefix":
        cut = 1 + i % len(WIDE_TEXT)
        narrow = "target/0000042/" if hit else f"target/{i:07d}x"
        return {"wide": [{"prefix": WIDE_TEXT[:cut]}, {"prefix": f"z{i}/"}], "narrow": [{"prefix": narrow}]}
    if kind == "suffix":
        cut = 1 + i % len(WIDE_TEXT)
        narrow = "-0000042.log" if hit else f"x{i:07d}.log"
        return {"wide": [{"suffix": WIDE_TEXT[-cut:]}, {"suffix": f".z{i}"}], "narrow": [{"suffix": narrow}]}
    if kind in ("equals-ignore-case", "equals-ignore-case-ascii"):
        narrow = "CLÉ-CIBLE-été" if hit else f"Clé-{i}-ÉTÉ"
        wide = _flip_case(WIDE_CASE, i)
        if kind.endswith("-ascii"):
            narrow, wide = narrow.translate(_ASCII), wide.translate(_ASCII)
        return {
            "wide": [{"equals-ignore-case": wide}, {"equals-ignore-case": f"z{i}"}],
            "narrow": [{"equals-ignore-case": narrow}],
        }
    if kind == "anything-but":
        narrow = [f"w{i}"] if hit else ["blocked", f"w{i}"]
        return {"wide": [{"anything-but": [f"x{i}", f"y{i}"]}], "narrow": [{"anything-but": narrow}]}
    if kind == "numeric":
        low = WIDE_NUMBER - rng.randint(1, 40_000)
        wide = [">=", low, "<", low + rng.randint(40_001, 90_000)]
        if hit:
            narrow: list[Any] = [">=", 500 - (i % 100 + 1), "<=", 500 + i % 100]
        else:  # ranges above the event's 500 that overlap one another
            start = 501 + i % 50_000
            narrow = [">=", start, "<", start + rng.randint(1, 1_000_000)]
        return {"wide": [{"numeric": wide}], "narrow": [{"numeric": narrow}]}
    if kind == "cidr":
        block = ipaddress.ip_network(f"{WIDE_IP}/{8 + i % 24}", strict=False)
        other = f"172.{16 + i // 16384 % 16}.{i // 64 % 256}.{i % 64 * 4}/30"
        narrow = "2001:db8:0:2a::/64" if hit else f"2001:db9:{i // 65536:x}:{i % 65536:x}::/64"
        return {"wide": [{"cidr": str(block)}, {"cidr": other}], "narrow": [{"cidr": narrow}]}
    if kind == "exists":
        return {
            "absent": {f"x{i}": [{"exists": False}]},
            "deep": {f"a{i % 7}": {f"b{i % 11}": {f"c{i}": {"leaf": [{"exists": True}]}}}},
        }
    if kind == "wildcard":
        narrow = "logs/*/app-0000042/*.gz" if hit else f"logs/*/app-{i:07d}x/*.gz"
        return {"wide": [{"wildcard": _two_star(rng, WIDE_TEXT)}], "narrow": [{"wildcard": narrow}]}
    if kind == "arrays":
        t = i % 20
        j = t if hit else (t + 1 + (i // 20) % 19) % 20
        return {
            "items": {
                "type": [f"T{t}"],
                "arn": [{"prefix": f"arn:aws:s3:::b{j:02d}"}],
                "size": [{"numeric": [">=", 0, "<", 1_000_000 + i]}],
            }
        }
    raise ValueError(f"unknown rule kind {kind!r}; known: {', '.join(KINDS)}")


def _kind_event_fields(kind: str, planted: list[int]) -> Json:
    if kind in ("exact",):
        return {"wide": "région-東京", "narrow": "clé-cible"}
    if kind in ("prefix", "wildcard"):
        return {
            "wide": WIDE_TEXT,
            "narrow": "target/0000042/item" if kind == "prefix" else "logs/2026/app-0000042/part.gz",
        }
    if kind == "suffix":
        return {"wide": WIDE_TEXT, "narrow": "item-0000042.log"}
    if kind == "equals-ignore-case":
        return {"wide": WIDE_CASE.lower(), "narrow": "clé-cible-ÉTÉ"}
    if kind == "equals-ignore-case-ascii":
        return {"wide": WIDE_CASE.lower().translate(_ASCII), "narrow": "clé-cible-ÉTÉ".translate(_ASCII)}
    if kind == "anything-but":
        return {"wide": "eu-west-1", "narrow": "blocked"}
    if kind == "numeric":
        return {"wide": WIDE_NUMBER, "narrow": 500}
    if kind == "cidr":
        return {"wide": WIDE_IP, "narrow": "2001:db8:0:2a::7"}
    if kind == "exists":
        deep: Json = {}
        for i in planted:
            deep.setdefault(f"a{i % 7}", {}).setdefault(f"b{i % 11}", {})[f"c{i}"] = {"leaf": 1}
        return {"deep": deep}
    return {}


# Every operator once, on fields and values no per-kind set uses: built before a measured build so that
# imports and first-use set-up are not counted per rule.
WARM_UP: Json = {
    "warm": {
        "a": ["x"], "b": [{"prefix": "p"}], "c": [{"suffix": "s"}], "d": [{"equals-ignore-case": "E"}],
        "e": [{"anything-but": ["n"]}], "f": [{"numeric": [">", 0]}], "g": [{"cidr": "192.0.2.0/24"}],
        "h": [{"exists": True}], "i": [{"wildcard": "w*x"}], "j": {"k": ["y"]},
    }
}  # fmt: skip


def rss() -> int | None:
    """The resident set of this process in bytes (None where /proc is not there)."""
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * 4096
    except OSError:
        return None


def timed_build(workload: Workload) -> tuple[tamis.RuleSet, float, int | None]:
    """The workload's set, its build seconds (compile and the first match included) and the RSS just
    before it. Imports and first-use set-up are paid first, once per process, not per rule: a one-rule
    set using every operator on other fields and values (``WARM_UP``), so the figures are those of adding
    this kind's rules."""
    warm = tamis.RuleSet()
    warm.add("warm-up", WARM_UP)
    warm.matches(workload.event)
    del warm
    gc.collect()
    before = rss()
    start = time.perf_counter()
    rs = tamis.RuleSet()
    for name, pattern in workload.rules:
        rs.add(name, pattern)
    rs.matches(workload.event)
    return rs, time.perf_counter() - start, before


def simple(n: int) -> list[tuple[str, Json]]:
    """n rules of one exact value each on one field (the "simple rule" of the memory target)."""
    return [(f"s{i}", {"f": [f"v{i % max(1, n // 10)}"]}) for i in range(n)]
