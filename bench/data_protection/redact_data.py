"""Seeded workloads for the data-protection redaction benchmarks.

A policy of ten managed identifiers plus two custom ones, a ~1 KB JSON expense report, and a 256 KB
message (a JSON array of such reports and log lines), with sensitive values at realistic density.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable, Iterable
from typing import Any

import re2

ARN = "arn:aws:dataprotection::aws:data-identifier/"
MANAGED = [
    "CreditCardNumber",
    "CreditCardSecurityCode",
    "CreditCardExpiration",
    "EmailAddress",
    "IpAddress",
    "Ssn-US",
    "PhoneNumber-US",
    "AwsSecretKey",
    "ZipCode-US",
    "VehicleIdentificationNumber",
]
CUSTOM = {"EmployeeId": "EID-\\d{9}-US", "OrderRef": "ORD-[A-Z]{3}-\\d{6}"}
PRINCIPAL = "arn:aws:iam::123456789012:role/ReportingApplicationRole"


def best_cpu_us(
    fn: Callable[..., object],
    reps: int = 20,
    rounds: int = 7,
    arguments: Callable[[], list[tuple[Any, ...]]] | None = None,
) -> float:
    """Microseconds of CPU time per call of ``fn``, best of ``rounds`` rounds of ``reps`` calls: the clock
    of the breakdown scripts. ``arguments`` makes each round's argument tuples before its clock starts
    (fresh copies of a message, say); without it ``fn`` takes none."""
    best = float("inf")
    for _ in range(rounds):
        calls = arguments() if arguments is not None else [()] * reps
        start = time.process_time()
        for args in calls:
            fn(*args)
        best = min(best, (time.process_time() - start) / len(calls))
    return best * 1e6


def policy() -> dict[str, Any]:
    return {
        "Name": "bench-redaction",
        "Version": "2021-06-01",
        "Configuration": {"CustomDataIdentifier": [{"Name": k, "Regex": v} for k, v in CUSTOM.items()]},
        "Statement": [
            {
                "Sid": "mask-for-reporting",
                "DataDirection": "Outbound",
                "Principal": [PRINCIPAL],
                "DataIdentifier": [ARN + n for n in MANAGED] + list(CUSTOM),
                "Operation": {"Deidentify": {"MaskConfig": {"MaskWithCharacter": "#"}}},
            }
        ],
    }


def floor_match(patterns: Iterable[str]) -> Callable[[str], Any]:
    """The floor of the redaction targets: one RE2 set match of the patterns over a message (it says only
    *whether* some pattern occurs)."""
    rset = re2.Set.SearchSet()
    for pattern in patterns:
        rset.Add(pattern)
    rset.Compile()
    return rset.Match


def _luhn_complete(prefix: str, length: int, rng: random.Random) -> str:
    body = prefix + "".join(rng.choice("0123456789") for _ in range(length - len(prefix) - 1))
    for check in "0123456789":
        digits = body + check
        total = 0
        for i, ch in enumerate(reversed(digits)):
            d = int(ch) * (2 if i % 2 else 1)
            total += d - 9 if d > 9 else d
        if total % 10 == 0:
            return digits
    raise AssertionError("unreachable")


WORDS = [
    *("conference", "travel", "airfare", "hotel", "taxi", "meal", "supplies", "training", "offsite"),
    *("client", "dinner", "parking", "approved", "pending", "receipt", "attached", "reimbursement"),
    *("quarterly", "budget", "team", "project", "review"),
]


def report(rng: random.Random) -> dict[str, Any]:
    first = rng.choice(["alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi"])
    last = rng.choice(["smith", "jones", "garcia", "patel", "rossi", "dubois", "nguyen", "kim"])
    return {
        "reportId": f"EXP-{rng.randrange(10**6):06d}",
        "order": f"ORD-{''.join(rng.choice('ABCDEFGH') for _ in range(3))}-{rng.randrange(10**6):06d}",
        "submittedAt": f"2024-0{rng.randint(1, 9)}-{rng.randint(10, 28)}T1{rng.randint(0, 9)}:00:00Z",
        "employee": {
            "name": f"{first.title()} {last.title()}",
            "email": f"{first}.{last}{rng.randrange(100)}@example.com",
            "employee_id": f"EID-{rng.randrange(10**9):09d}-US",
            "phone": f"({rng.randint(200, 989)}) {rng.randint(200, 989)}-{rng.randrange(10**4):04d}",
            "ssn": f"{rng.randint(100, 665)}-{rng.randint(10, 99)}-{rng.randint(1000, 9999)}",
            "zip code": f"{rng.randint(10000, 99999)}",
        },
        "payment": {
            "credit_card_number": _luhn_complete(rng.choice(["4", "51", "37", "6011"]), 16, rng),
            "cvv": f"{rng.randint(100, 999)}",
            "expiry": f"{rng.randint(1, 12):02d}/{rng.randint(25, 31)}",
        },
        "client": {"ip": f"10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(256)}"},
        "amount": round(rng.uniform(5, 5000), 2),
        "currency": "USD",
        "notes": " ".join(rng.choice(WORDS) for _ in range(rng.randint(20, 40))),
    }


def log_line(rng: random.Random) -> str:
    level = rng.choice(["INFO", "DEBUG", "WARN", "ERROR"])
    words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 20)))
    return f"2024-05-{rng.randint(10, 28)}T12:00:00Z {level} [req-{rng.randrange(16**6):06x}] {words}"


def message_1kb(seed: int = 1) -> str:
    rng = random.Random(seed)
    text = json.dumps(report(rng))
    while len(text) < 1000:
        doc = json.loads(text)
        doc["notes"] += " " + rng.choice(WORDS)
        text = json.dumps(doc)
    return text


def message_256kb(seed: int = 2) -> str:
    """A JSON array of reports and log lines: about one report per 3 KB of text."""
    rng = random.Random(seed)
    items: list[Any] = []
    size = 2
    while size < 256 * 1024:
        item: Any = report(rng) if rng.random() < 0.35 else log_line(rng)
        size += len(json.dumps(item)) + 2
        items.append(item)
    return json.dumps(items)


def message_256kb_one_accent(seed: int = 2) -> str:
    """The dense message with one "é" in it (a name in the middle): the case that left the native core."""
    text = message_256kb(seed)
    at = text.index('"name": "', len(text) // 2) + len('"name": "')
    return text[:at] + "é" + text[at + 1 :]


# Letters that are not ASCII, each with the ASCII letter that stands for it in the message's ASCII twin
# (one character for one, so the two messages have as many characters).
_LOWER, _PLAIN = "éèêàçôüöäßøåñłřčšžěůíóúýá", "eeeacouoasoanlrcszeuiouya"
ACCENTED = str.maketrans(
    _LOWER + _LOWER.replace("ß", "").upper(), _PLAIN + _PLAIN.replace("s", "", 1).upper()
)
NON_ASCII_NAMES = ["zoé", "rené", "müller", "łukasz", "dvořák", "søren", "josé", "françois", "žofie", "ángel"]
NON_ASCII_WORDS = [
    "réunion",
    "hôtel",
    "déjeuner",
    "reçu",
    "approuvé",
    "größe",
    "übernachtung",
    "cestovné",
    "año",
]


def message_256kb_unicode(seed: int = 2, *, ascii_twin: bool = False) -> str:
    """The dense message's shape with names and notes in French, German, Czech, Polish and Spanish, as a
    JSON writer that keeps characters (not ``\\u`` escapes) sends it; with ``ascii_twin``, the same message
    with every such letter replaced by an ASCII one (as many characters, a few percent fewer bytes)."""
    rng = random.Random(seed)
    items: list[Any] = []
    size = 2
    while size < 256 * 1024:
        if rng.random() < 0.35:
            item: Any = report(rng)
            first, last = rng.choice(NON_ASCII_NAMES), rng.choice(NON_ASCII_NAMES)
            item["employee"]["name"] = f"{first.title()} {last.title()}"
            item["notes"] = " ".join(rng.choice(WORDS + NON_ASCII_WORDS) for _ in range(rng.randint(20, 40)))
        else:
            words = " ".join(rng.choice(WORDS + NON_ASCII_WORDS) for _ in range(rng.randint(8, 20)))
            item = f"2024-05-{rng.randint(10, 28)}T12:00:00Z INFO [req-{rng.randrange(16**6):06x}] {words}"
        size += len(json.dumps(item, ensure_ascii=False).encode()) + 2
        items.append(item)
    text = json.dumps(items, ensure_ascii=False)
    return text.translate(ACCENTED) if ascii_twin else text


def message_256kb_sparse(seed: int = 3) -> str:
    """256 KB of plain log lines with a dozen sensitive values: what most log batches look like."""
    rng = random.Random(seed)
    lines = []
    size = 0
    while size < 256 * 1024:
        line = log_line(rng)
        if rng.random() < 0.005:
            r = report(rng)
            line += f" user={r['employee']['email']} card number {r['payment']['credit_card_number']}"
        lines.append(line)
        size += len(line) + 1
    return "\n".join(lines)


def _us(v: float | None) -> str:
    return "n/a" if v is None else (f"{v * 1e6:,.1f} µs" if v < 1e-3 else f"{v * 1e3:,.2f} ms")


def _x(a: float | None, b: float | None) -> str:
    return "n/a" if a is None or b is None else f"{a / b:,.1f}x"


# (message, what, limit): tamis / floor at most ``limit``, or Presidio / tamis at least ``limit``.
TARGETS = [
    ("1KB", "floor", 10.0),
    ("256KB", "floor", 3.0),
    ("1KB", "presidio", 100.0),
    ("256KB", "presidio", 100.0),
]


def ratio_table(path: str) -> str:
    """Markdown tables from a pytest-benchmark JSON of bench/data_protection/test_bench_redact.py: every
    engine on medians,
    then each target on medians, on best rounds and interleaved (both sides alternating in one loop)."""
    with open(path, encoding="utf-8") as fh:
        doc = json.load(fh)
    med: dict[tuple[str, str], float] = {}
    best: dict[tuple[str, str], float] = {}
    info: dict[tuple[str, str], dict[str, Any]] = {}
    for bench in doc["benchmarks"]:
        key = (bench["extra_info"]["workload"], bench["extra_info"]["engine"])
        med[key], best[key], info[key] = bench["stats"]["median"], bench["stats"]["min"], bench["extra_info"]
    lines = [
        "| message | floor (RE2 set) | tamis apply | tamis / floor | Presidio (regex) | Presidio / tamis "
        "| python `re` loop | `re` loop / tamis | tamis, findings read | its / floor "
        "| tamis, no native core | its / floor |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for size in ("1KB", "256KB", "256KB-sparse"):
        w = f"redact-{size}"
        engines = ("floor", "tamis", "python-re", "presidio", "tamis-findings", "tamis-python")
        f, t, r, p, tf, tp = (med.get((w, e)) for e in engines)
        lines.append(
            f"| {size} | {_us(f)} | {_us(t)} | {_x(t, f)} | {_us(p)} | {_x(p, t)} | {_us(r)} | {_x(r, t)} "
            f"| {_us(tf)} | {_x(tf, f)} | {_us(tp)} | {_x(tp, f)} |"
        )
    lines += ["", "| target | medians | best rounds | interleaved A/B | holds |", "|---|---|---|---|---|"]
    for size, what, limit in TARGETS:
        w = f"redact-{size}"
        if what == "floor":
            label = f"{size}: tamis within {limit:g}x the floor"
            values = [
                _ratio(med, (w, "tamis"), (w, "floor")),
                _ratio(best, (w, "tamis"), (w, "floor")),
                info.get((w, "tamis"), {}).get("floor_ratio_interleaved"),
            ]
            ok = [v is not None and v <= limit for v in values]
        else:
            label = f"{size}: at least {limit:g}x faster than Presidio"
            values = [
                _ratio(med, (w, "presidio"), (w, "tamis")),
                _ratio(best, (w, "presidio"), (w, "tamis")),
                info.get((w, "presidio"), {}).get("tamis_ratio_interleaved"),
            ]
            ok = [v is not None and v >= limit for v in values]
        cells = " | ".join("n/a" if v is None else f"{v:,.1f}x" for v in values)
        verdict = "yes" if all(ok) else ("on some measures" if any(ok) else "no")
        lines.append(f"| {label} | {cells} | {verdict} |")
    return "\n".join(lines)


def _ratio(table: dict[tuple[str, str], float], num: tuple[str, str], den: tuple[str, str]) -> float | None:
    a, b = table.get(num), table.get(den)
    return None if a is None or b is None else a / b


if __name__ == "__main__":
    import sys

    print(ratio_table(sys.argv[1]))
