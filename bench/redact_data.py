"""Seeded workloads for the data-protection redaction benchmarks.

A policy of ten managed identifiers plus two custom ones, a ~1 KB JSON expense report, and a 256 KB
message (a JSON array of such reports and log lines), with sensitive values at realistic density.
"""

from __future__ import annotations

import json
import random
from typing import Any

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


def ratio_table(path: str) -> str:
    """Markdown ratios from a pytest-benchmark JSON of bench/test_bench_redact.py (medians)."""
    with open(path, encoding="utf-8") as fh:
        doc = json.load(fh)
    med: dict[tuple[str, str], float] = {}
    for bench in doc["benchmarks"]:
        info = bench["extra_info"]
        med[(info["workload"], info["engine"])] = bench["stats"]["median"]
    lines = [
        "| message | floor (RE2 set) | tamis apply | tamis / floor | python `re` loop | Presidio (regex) "
        "| Presidio / tamis | `re` loop / tamis |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for size in ("1KB", "256KB", "256KB-sparse"):
        w = f"redact-{size}"
        f, t, r, p = (med.get((w, e)) for e in ("floor", "tamis", "python-re", "presidio"))

        def us(v: float | None) -> str:
            return "n/a" if v is None else (f"{v * 1e6:,.1f} µs" if v < 1e-3 else f"{v * 1e3:,.2f} ms")

        def x(a: float | None, b: float | None) -> str:
            return "n/a" if a is None or b is None else f"{a / b:,.1f}x"

        lines.append(
            f"| {size} | {us(f)} | {us(t)} | {x(t, f)} | {us(r)} | {us(p)} | {x(p, t)} | {x(r, t)} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    import sys

    print(ratio_table(sys.argv[1]))
