"""Public API for SNS FIFO message archiving and replay policies.

``validate_sns_archive_policy`` checks a topic's ``ArchivePolicy`` and ``validate_sns_replay_policy`` a
subscription's ``ReplayPolicy`` with the documented rules (docs/sns_archive.md); each returns the checked
policy or raises a located ``SnsPolicyError`` (a ``PolicyError``) naming the line, column and rule broken.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tamis.compiler.sns_policies.archive import ArchivePolicy, validate_archive_policy
from tamis.compiler.sns_policies.replay import ReplayPolicy, validate_replay_policy

__all__ = ["ArchivePolicy", "ReplayPolicy", "validate_sns_archive_policy", "validate_sns_replay_policy"]


def validate_sns_archive_policy(
    policy: str | bytes | Mapping[str, Any],
    *,
    fifo_topic: bool | str | None = None,
    source: str | None = None,
) -> ArchivePolicy:
    """Check a FIFO topic's ``ArchivePolicy`` (JSON text, bytes or a dict). ``fifo_topic``: whether the
    topic is FIFO (a boolean, or the ``FifoTopic`` attribute's "true"/"false"), when known: archiving
    is for FIFO topics only. ``source`` names the file in errors."""
    return validate_archive_policy(policy, fifo_topic=fifo_topic, source=source)


def validate_sns_replay_policy(
    policy: str | bytes | Mapping[str, Any], *, source: str | None = None
) -> ReplayPolicy:
    """Check a subscription's ``ReplayPolicy`` (JSON text, bytes or a dict)."""
    return validate_replay_policy(policy, source=source)
