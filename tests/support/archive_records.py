"""Seeded archives of JSON-lines records for the record commands and ``tamis.spark``: events to match and
log lines to redact in one file, with bad lines and non-ASCII text at a known rate.

Each line is an EventBridge event (CloudTrail-style, about 600 bytes) whose ``detail`` carries a log message
with personal data at realistic density. One line in ``bad_every`` is not a valid event (cut short, a JSON
array, or a byte sequence that is not UTF-8). ``bench/archives/generate.py`` writes the benchmarks' 200 MB
file from the same function; the tests use a few thousand lines.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any

import orjson

SOURCES = ("aws.ec2", "aws.s3", "aws.iam", "aws.lambda", "com.example.orders", "com.example.billing")
EVENT_NAMES = ("RunInstances", "PutObject", "CreateUser", "Invoke", "OrderPlaced", "InvoicePaid", "Delete")
REGIONS = ("us-east-1", "eu-west-1", "ap-southeast-2", "eu-central-1")
# Non-ASCII on purpose: the redactor's native core takes ASCII messages, the rest take the Python path.
NAMES = ("alice", "bob", "zoë", "józef", "søren", "ngọc", "黄伟", "amélie", "oğuz", "carol")
WORDS = ("payment", "refund", "login", "failed", "approved", "retry", "timeout", "café", "naïve", "straße")


def rules() -> dict[str, dict[str, Any]]:
    """Twenty rules over the events: exact values, prefixes, numeric ranges, anything-but, wildcards."""
    out: dict[str, dict[str, Any]] = {}
    for i, source in enumerate(SOURCES):
        out[f"source-{i}"] = {"source": [source]}
    for i, name in enumerate(EVENT_NAMES):
        out[f"event-{i}"] = {"source": [{"prefix": "aws."}], "detail": {"eventName": [name]}}
    out["big-orders"] = {"detail": {"amount": [{"numeric": [">", 900]}]}}
    out["small-eu"] = {"region": [{"prefix": "eu-"}], "detail": {"amount": [{"numeric": ["<", 50]}]}}
    out["not-ok"] = {"detail": {"status": [{"anything-but": ["ok"]}]}}
    out["admin-users"] = {"detail": {"user": {"name": [{"wildcard": "*admin*"}]}}}
    out["ipv4-range"] = {"detail": {"sourceIp": [{"cidr": "10.0.0.0/8"}]}}
    out["has-error"] = {"detail": {"errorCode": [{"exists": True}]}}
    out["unicode-user"] = {"detail": {"user": {"name": ["zoë", "黄伟"]}}}
    return out


def policy() -> dict[str, Any]:
    """An SNS policy: mask e-mail addresses, card numbers, IP addresses and a custom token on publish; deny a
    message holding a blocked reference."""
    arn = "arn:aws:dataprotection::aws:data-identifier/"
    return {
        "Name": "archive-redaction",
        "Version": "2021-06-01",
        "Configuration": {
            "CustomDataIdentifier": [
                {"Name": "SessionToken", "Regex": "tok_[a-z0-9]{12}"},
                {"Name": "BlockedRef", "Regex": "BLK-\\d{6}"},
            ]
        },
        "Statement": [
            {
                "Sid": "deny-blocked",
                "DataDirection": "Inbound",
                "Principal": ["*"],
                "DataIdentifier": ["BlockedRef"],
                "Operation": {"Deny": {}},
            },
            {
                "Sid": "mask",
                "DataDirection": "Inbound",
                "Principal": ["*"],
                "DataIdentifier": [
                    arn + "EmailAddress",
                    arn + "CreditCardNumber",
                    arn + "IpAddress",
                    "SessionToken",
                ],
                "Operation": {"Deidentify": {"MaskConfig": {"MaskWithCharacter": "#"}}},
            },
        ],
    }


def _card(rng: random.Random) -> str:
    body = "4" + "".join(rng.choice("0123456789") for _ in range(14))
    for check in "0123456789":
        total = 0
        for i, ch in enumerate(reversed(body + check)):
            d = int(ch) * (2 if i % 2 else 1)
            total += d - 9 if d > 9 else d
        if total % 10 == 0:
            return body + check
    raise AssertionError("unreachable")


def event(rng: random.Random, index: int) -> dict[str, Any]:
    name = rng.choice(NAMES)
    user = name + ("-admin" if rng.random() < 0.05 else "")
    ip = f"10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(256)}"
    if rng.random() < 0.5:
        ip = f"192.0.2.{rng.randrange(256)}"
    words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(4, 12)))
    message = f"{words} user={name}@example.com ip={ip}"
    if rng.random() < 0.3:
        message += f" card number {_card(rng)}"
    if rng.random() < 0.2:
        message += f" session tok_{''.join(rng.choice('abcdefghij0123456789') for _ in range(12))}"
    if rng.random() < 0.01:
        message += f" ref BLK-{rng.randrange(10**6):06d}"
    detail: dict[str, Any] = {
        "eventName": rng.choice(EVENT_NAMES),
        "amount": rng.randrange(1000) + rng.randrange(100) / 100,
        "status": rng.choice(("ok", "ok", "ok", "failed", "pending")),
        "user": {"name": user, "groups": rng.sample(("dev", "ops", "finance", "sales"), 2)},
        "sourceIp": ip,
        "message": message,
    }
    if rng.random() < 0.1:
        detail["errorCode"] = rng.choice(("AccessDenied", "Throttling"))
    return {
        "version": "0",
        "id": f"{index:08x}-0000-4000-8000-{rng.randrange(16**12):012x}",
        "detail-type": "AWS API Call via CloudTrail",
        "source": rng.choice(SOURCES),
        "account": "123456789012",
        "time": f"2026-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}T{rng.randint(0, 23):02d}:00:00Z",
        "region": rng.choice(REGIONS),
        "resources": [f"arn:aws:ec2:us-east-1:123456789012:instance/i-{rng.randrange(16**8):08x}"],
        "detail": detail,
    }


def lines(count: int, *, seed: int = 20, bad_every: int = 97) -> Iterator[bytes]:
    """``count`` lines (without line endings); line ``i`` (from 1) is bad when ``i % bad_every == 0``."""
    rng = random.Random(seed)
    for i in range(1, count + 1):
        text = orjson.dumps(event(rng, i))
        if bad_every and i % bad_every == 0:
            kind = (i // bad_every) % 3
            if kind == 0:
                text = text[: len(text) // 2]  # cut short
            elif kind == 1:
                text = b"[" + text + b"]"  # JSON, but not an event
            else:
                text = text[:20] + b"\xff\xfe" + text[20:]  # not UTF-8
        yield text
