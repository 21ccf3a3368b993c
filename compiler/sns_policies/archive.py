"""A FIFO topic's ``ArchivePolicy``: how many days the topic keeps its messages for replay.

The documented rules (https://docs.aws.amazon.com/sns/latest/dg/message-archiving-and-replay-topic-owner.html):
messages are archived "for a minimum of one day to a maximum of 365 days" (``MessageRetentionPeriod``,
written as a string of digits in the API's examples, a number in templates); archiving "is only available
for application-to-application (A2A) FIFO topics"; an empty JSON object turns archiving off. The pages name
no other key: any other is refused rather than guessed at.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from tamis.compiler.sns_policies.document import load, spelled

MIN_RETENTION_DAYS = 1
MAX_RETENTION_DAYS = 365
KEYS = ("MessageRetentionPeriod",)


@dataclass(frozen=True)
class ArchivePolicy:
    """A checked archive policy: ``retention_days`` is None when the policy is ``{}`` (archiving off)."""

    retention_days: int | None

    @property
    def active(self) -> bool:
        return self.retention_days is not None


def retention_days(value: Any) -> int | None:
    """The whole number of days ``value`` writes (an integer, or a string of digits), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, Decimal | float) and value == int(value):
        return int(value)
    if isinstance(value, str) and value.strip().isascii() and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    return None


def fifo(value: bool | str | None) -> bool | None:
    """A topic's ``FifoTopic`` as a boolean: SNS attributes are strings ("true"), templates write either;
    None when unknown."""
    if isinstance(value, str):
        return {"true": True, "false": False}.get(value.strip().lower())
    return value


def validate_archive_policy(
    policy: str | bytes | Mapping[str, Any],
    *,
    fifo_topic: bool | str | None = None,
    source: str | None = None,
) -> ArchivePolicy:
    """Check an ``ArchivePolicy``; ``fifo_topic`` is what the topic says of itself (``FifoTopic``: a
    boolean or the attribute's string), None when unknown. Raises a located ``SnsPolicyError`` (the first
    mistake, the others in ``more``)."""
    fifo_topic = fifo(fifo_topic)
    doc = load(policy, name="ArchivePolicy", source=source)
    value = doc.object_with(KEYS, (), '{"MessageRetentionPeriod": "30"}', "archive-policy")
    days: int | None = None
    if "MessageRetentionPeriod" in value:
        raw = value["MessageRetentionPeriod"]
        days = retention_days(raw)
        if days is None:
            doc.fail(
                f"MessageRetentionPeriod must be a whole number of days, not {spelled(raw)}",
                ("MessageRetentionPeriod",),
                "retention-period",
            )
        elif not MIN_RETENTION_DAYS <= days <= MAX_RETENTION_DAYS:
            doc.fail(
                f"MessageRetentionPeriod is {days} days; SNS archives messages for "
                f"{MIN_RETENTION_DAYS} to {MAX_RETENTION_DAYS} days",
                ("MessageRetentionPeriod",),
                "retention-period",
            )
            days = None
    elif value and not doc.errors:
        doc.fail(
            "an ArchivePolicy needs MessageRetentionPeriod (or is {} to turn archiving off)",
            (),
            "archive-policy",
        )
    if fifo_topic is False and value:
        doc.fail(
            "message archiving is only available for FIFO topics: make the topic FIFO (a name ending in "
            ".fifo) or remove its archive policy",
            (),
            "archive-fifo-only",
        )
    doc.raise_found()
    return ArchivePolicy(days)
