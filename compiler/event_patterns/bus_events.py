"""What every event on an EventBridge event bus holds, and the patterns that provably match none of them.

Every event delivered to a bus has the same top-level fields, its metadata ("Amazon service event
metadata", https://docs.aws.amazon.com/eventbridge/latest/ref/events-structure.html): ``version``, ``id``,
``detail-type``, ``source``, ``account``, ``time``, ``region`` and, on a replayed event, ``replay-name``
(strings), ``resources`` (an array of ARN strings) and ``detail`` (the event's own JSON object). A
condition that needs a value anywhere else, or a non-string value in one of the string fields, can never
hold; a pattern whose every ``$or`` branch has such a condition can never match. Only what follows from
the envelope is claimed: nothing is said about ``detail``, whose content each source decides.
"""

from __future__ import annotations

from tamis.runtime.events import conditions as C
from tamis.runtime.events.conditions import FieldCondition, SubRule

# Top-level fields whose value (each element, for resources) is always a string.
STRING_FIELDS = frozenset(
    {"version", "id", "detail-type", "source", "account", "time", "region", "replay-name", "resources"}
)
ENVELOPE = STRING_FIELDS | {"detail"}
# Tests that accept no string value.
_NO_STRING = frozenset({C.NUM, C.NUMLIT, C.RANGE, C.NULL, C.TRUE, C.FALSE})


def impossible_condition(cond: FieldCondition) -> str | None:
    """Why no event on a bus satisfies ``cond``, or None when some event may."""
    if cond.absent_ok:
        return None  # satisfied by an event without the field
    head, _, rest = cond.path.partition(".")
    if head not in ENVELOPE:
        return f'"{head}" is not a field of events on an event bus (only {", ".join(sorted(ENVELOPE))})'
    if head in STRING_FIELDS:
        if rest:
            return f'"{head}" is a string on every event: "{cond.path}" never holds a value'
        if all(t[0] in _NO_STRING for t in cond.tests):
            return f'"{head}" is a string on every event, and the pattern accepts no string there'
    return None


def never_matches(subrules: list[SubRule]) -> str | None:
    """Why a pattern matches no event on a bus (each sub-rule's first impossible condition), or None."""
    if not subrules:
        return None
    reasons: list[str] = []
    for sub in subrules:
        reason = next((r for cond in sub if (r := impossible_condition(cond)) is not None), None)
        if reason is None:
            return None
        if reason not in reasons:
            reasons.append(reason)
    return "; ".join(reasons)
