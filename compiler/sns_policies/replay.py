"""A FIFO topic subscription's ``ReplayPolicy``: which archived messages SNS delivers again.

The documented shape (https://docs.aws.amazon.com/sns/latest/dg/message-archiving-and-replay-subscriber.html):
``PointType`` (``"Timestamp"``), ``StartingPoint`` (required: the time to replay from) and ``EndingPoint``
(optional: replay stops there; without it the replay goes on to the messages published now). Points are
timestamps in ISO 8601 form, date and time with a zone (``2023-10-31T19:01:22Z``); the end cannot come
before the start. A replay reads the topic's archive, so the topic needs an ``ArchivePolicy``: that is a
fact about the topic, checked where both are known (``tamis lint``, one template).

What the pages leave open, tamis does not guess: the start "should be after" the archive's beginning and
the window cannot lie in the future, but both depend on the time the policy is applied, which a file does
not hold.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from functools import cache
from typing import Any

import re2

from tamis.compiler.sns_policies.document import PolicyDocument, load, spelled
from tamis.errors import Diagnostic, SnsPolicyError

POINT_TYPES = ("Timestamp",)
KEYS = ("PointType", "StartingPoint", "EndingPoint")
# Date, time (seconds and fraction optional) and a zone: Z or an offset.
_TIMESTAMP = r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|z|[+-]\d{2}:?\d{2})"


@cache
def _timestamp_re() -> Any:
    return re2.compile(_TIMESTAMP)


@dataclass(frozen=True)
class ReplayPolicy:
    """A checked replay policy; the points are timezone-aware."""

    point_type: str
    starting_point: datetime
    ending_point: datetime | None
    # Advisory findings: the policy is accepted, but does something a reader may not expect (SNS206).
    warnings: tuple[Diagnostic, ...] = ()


def parse_timestamp(text: str) -> datetime | None:
    """The instant an ISO 8601 date-time with a zone names, or None when ``text`` is not one."""
    m = _timestamp_re().fullmatch(text)
    if m is None:
        return None
    year, month, day, hour, minute = (int(m.group(i)) for i in range(1, 6))
    second = int(m.group(6) or 0)
    micro = int((m.group(7) or "0").ljust(6, "0")[:6])
    zone = m.group(8)
    if zone in ("Z", "z"):
        tz = timezone.utc
    else:
        digits = zone[1:].replace(":", "")
        hours, minutes = int(digits[:2]), int(digits[2:])
        if hours > 23 or minutes > 59:
            return None
        offset = timedelta(hours=hours, minutes=minutes)
        tz = timezone(-offset if zone[0] == "-" else offset)
    try:
        return datetime(year, month, day, hour, minute, second, micro, tzinfo=tz)
    except ValueError:  # February 30th, hour 24, ...
        return None


def _point(doc: PolicyDocument, key: str) -> datetime | None:
    raw = doc.value[key]
    when = parse_timestamp(raw) if isinstance(raw, str) else None
    if when is None:
        doc.fail(
            f'{key} must be a timestamp with date, time and zone, such as "2023-10-31T19:01:22Z", '
            f"not {spelled(raw)}",
            (key,),
            "replay-timestamp",
        )
    return when


def validate_replay_policy(
    policy: str | bytes | Mapping[str, Any], *, source: str | None = None
) -> ReplayPolicy:
    """Check a ``ReplayPolicy``. Raises a located ``SnsPolicyError`` (the first mistake, the others in
    ``more``)."""
    doc = load(policy, name="ReplayPolicy", source=source)
    value = doc.object_with(
        KEYS,
        ("PointType", "StartingPoint"),
        '{"PointType": "Timestamp", "StartingPoint": "2023-10-31T19:01:22Z"}',
        "replay-policy",
    )
    point_type = value.get("PointType")
    if "PointType" in value and point_type not in POINT_TYPES:
        doc.fail(
            f'PointType must be "Timestamp" (the one point type SNS replays from), not {spelled(point_type)}',
            ("PointType",),
            "replay-point-type",
        )
    start = _point(doc, "StartingPoint") if "StartingPoint" in value else None
    end = _point(doc, "EndingPoint") if "EndingPoint" in value else None
    if start is not None and end is not None and end < start:
        doc.fail(
            f"EndingPoint {value['EndingPoint']} is before StartingPoint {value['StartingPoint']}: "
            "a replay runs forward from its start",
            ("EndingPoint",),
            "replay-window",
        )
    doc.raise_found()
    if start is None:  # unreachable: a missing or bad StartingPoint is a mistake raised just above
        raise SnsPolicyError("a ReplayPolicy needs StartingPoint", source=source, rule="replay-policy")
    warnings = () if end is None else (_pauses(doc),)
    return ReplayPolicy(str(point_type), start, end, warnings)


def _pauses(doc: PolicyDocument) -> Diagnostic:
    """SNS206: the subscriber page, "Understanding the EndingPoint": with an end, SNS replays up to it and
    then "effectively pauses the subscription"; messages published meanwhile are not delivered until a new
    ReplayPolicy without EndingPoint is set. Right for a one-off recovery, a surprise in a template that
    keeps the policy for good."""
    line, column = doc.doc.position(("EndingPoint",), key=True) if doc.doc is not None else (None, None)
    return Diagnostic(
        code="SNS206",
        severity="warning",
        message="with EndingPoint, SNS pauses the subscription once the replay reaches it: messages "
        "published after that are not delivered until a ReplayPolicy without EndingPoint is set",
        pointer="/EndingPoint",
        line=line,
        column=column,
        source=doc.source,
    )
