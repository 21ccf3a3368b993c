"""Rule-set analysis: rules on one event bus (subscriptions on one SNS topic) that deliver the same event
twice to the same target.

While files are read, the template readers (cloudformation.py, terraform.py) emit a :class:`Subscriber`
per EventBridge rule or SNS subscription (and a :class:`RuleTarget` per Terraform
``aws_cloudwatch_event_target``); a parallel run records them like any other finding, so the parent holds
them all, in the serial order, when :func:`analyse` runs once every file is read. Patterns are compared by
``compiler/event_patterns/containment.py``, which proves containment or says nothing.

Buses, topics and targets are compared by the text that names them: a literal (an ARN, a bus name) as
written, a reference (``!Ref Queue``, ``aws_sqs_queue.q.arn``) within the template or Terraform folder that
holds it (logical IDs and resource addresses mean nothing outside it). A value built any other way
(``Fn::Sub``, a function call) names nothing this module can compare, and a rule with it is left out. The
files of one run are taken to deploy to one account and region (a bus named ``default`` is one bus).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from tamis.errors import Diagnostic, TamisError
from tamis.lint.targets import Target

CODE_IDENTICAL = "LNT301"  # identical-rules
CODE_CONTAINED = "LNT302"  # contained-rule
CODE_NEVER = "LNT303"  # never-matches

# The lint kinds whose targets a subscriber's pattern comes from, and the dialect each is compiled in.
_DIALECTS: dict[str, tuple[str, str | None]] = {
    "eventbridge-pattern": ("eventbridge", None),
    "sns-filter-policy": ("sns", "MessageAttributes"),
    "sns-filter-policy-body": ("sns", "MessageBody"),
}
# The kinds whose text is a subscriber's pattern (a subscription's other policies, such as its replay
# policy, are not).
PATTERN_KINDS = frozenset(_DIALECTS)
# A stand-in for "this subscription has no filter policy": it receives every message, as the empty
# policy {} does.
EVERY_MESSAGE = "{}"


@dataclass(frozen=True)
class Subscriber:
    """One EventBridge rule or SNS subscription: where events come from, which it takes, where they go."""

    channel: str  # the bus or topic, as compared ("bus default", "topic !Ref Orders @ template.yaml")
    kind: str  # the lint kind of its pattern (eventbridge-pattern, sns-filter-policy, ...)
    pattern: str | None  # the pattern's JSON text; None: not known before deployment
    targets: tuple[str, ...]  # each target, as compared
    label: str  # "AWS::Events::Rule OrdersRule"
    file: str
    line: int
    column: int
    # Terraform: the keys an aws_cloudwatch_event_target may name the rule by (its address, its name).
    keys: tuple[str, ...] = ()


@dataclass(frozen=True)
class RuleTarget:
    """A Terraform ``aws_cloudwatch_event_target``: a target added to a rule named elsewhere."""

    rule_keys: tuple[str, ...]
    target: str


Entry = Subscriber | RuleTarget


class Capture:
    """An ``emit`` that also keeps the pattern targets it passes on (to learn a rule's pattern text)."""

    def __init__(self, emit: Callable[[Any], None]) -> None:
        self.emit = emit
        self.targets: list[Target] = []

    def __call__(self, item: Any) -> None:
        if isinstance(item, Target) and item.kind in _DIALECTS:
            item.materialize()
            self.targets.append(item)
        self.emit(item)

    def pattern(self) -> str | None:
        """The one pattern text captured, when it is wholly known (no placeholder, one reading)."""
        if len(self.targets) != 1:
            return None
        target = self.targets[0]
        if target.unresolved or target.lenient_syntax:
            return None
        return target.text


def reference_text(value: Any, scope: str) -> str | None:
    """How a CloudFormation value naming a resource is compared: a literal string as itself, a ``Ref`` or
    ``Fn::GetAtt`` as its reference within ``scope`` (the template); None for anything else."""
    if isinstance(value, str):
        return value if "${" not in value else None
    if isinstance(value, dict) and len(value) == 1:
        ((key, arg),) = value.items()
        if key == "Ref" and isinstance(arg, str):
            return f"!Ref {arg} @ {scope}"
        if key == "Fn::GetAtt":
            if isinstance(arg, str) and "." in arg:
                return f"!GetAtt {arg} @ {scope}"
            if isinstance(arg, list) and len(arg) == 2 and all(isinstance(a, str) for a in arg):
                return f"!GetAtt {arg[0]}.{arg[1]} @ {scope}"
    return None


# --- the analysis -------------------------------------------------------------------------------------


def analyse(entries: Iterable[Entry]) -> list[Diagnostic]:
    """The rule-set warnings of one run's subscribers (in the order they were read)."""
    subscribers: list[Subscriber] = []
    extra: dict[str, list[str]] = {}
    for entry in entries:
        if isinstance(entry, RuleTarget):
            for key in entry.rule_keys:
                extra.setdefault(key, []).append(entry.target)
        else:
            subscribers.append(entry)
    groups: dict[tuple[str, str], list[tuple[Subscriber, frozenset[str], list[Any]]]] = {}
    compiled: dict[tuple[str, str], list[Any] | None] = {}
    out: list[Diagnostic] = []
    for sub in subscribers:
        if sub.pattern is None:
            continue
        cache_key = (sub.kind, sub.pattern)
        if cache_key not in compiled:
            compiled[cache_key] = _compile(sub.kind, sub.pattern)
        subrules = compiled[cache_key]
        if subrules is None:  # the pattern's own errors are reported where it is written
            continue
        if sub.kind == "eventbridge-pattern":
            from tamis.compiler.event_patterns.bus_events import never_matches

            why = never_matches(subrules)
            if why is not None:
                out.append(_diag(CODE_NEVER, f"{sub.label} can never match an event: {why}", sub))
                continue
        targets = set(sub.targets)
        for key in sub.keys:
            targets.update(extra.get(key, ()))
        if targets:
            groups.setdefault((sub.channel, sub.kind), []).append((sub, frozenset(targets), subrules))
    for members in groups.values():
        # Only rules that share a target are compared: a bus with thousands of rules, each to its own
        # target, costs no pairwise work.
        by_target: dict[str, list[int]] = {}
        for index, (_, targets, _) in enumerate(members):
            for target in targets:
                by_target.setdefault(target, []).append(index)
        pairs = {(j, i) for indexes in by_target.values() for n, j in enumerate(indexes) for i in indexes[:n]}
        for j, i in sorted(pairs):
            diag = _compare(members[i], members[j])
            if diag is not None:
                out.append(diag)
    return out


def _compile(kind: str, text: str) -> list[Any] | None:
    from tamis.compiler.event_patterns.dialects import dialect_for

    dialect, scope = _DIALECTS[kind]
    try:
        return dialect_for(dialect, scope).compile(text)
    except (TamisError, ValueError, RecursionError):
        return None


def _compare(
    first: tuple[Subscriber, frozenset[str], list[Any]], second: tuple[Subscriber, frozenset[str], list[Any]]
) -> Diagnostic | None:
    from tamis.compiler.event_patterns.containment import contains, identical

    a, a_targets, a_rules = first
    b, b_targets, b_rules = second
    shared = sorted(a_targets & b_targets)
    if not shared:
        return None
    a_in_b = contains(b_rules, a_rules) is True
    b_in_a = contains(a_rules, b_rules) is True
    where = _target_text(shared)
    what = "event" if a.kind == "eventbridge-pattern" else "message"
    if identical(a_rules, b_rules) or (a_in_b and b_in_a):
        message = (
            f"{b.label} matches exactly the {what}s {a.label} ({_at(a)}) matches, and both deliver to "
            f"{where}: each such {what} is delivered twice"
        )
        return _diag(CODE_IDENTICAL, message, b)
    if b_in_a:
        inner, outer = b, a
    elif a_in_b:
        inner, outer = a, b
    else:
        return None
    message = (
        f"every {what} {inner.label} matches is also matched by {outer.label} ({_at(outer)}), and both "
        f"deliver to {where}: each such {what} is delivered twice"
    )
    return _diag(CODE_CONTAINED, message, inner)


def _target_text(shared: list[str]) -> str:
    names = [t.split(" @ ")[0] for t in shared]
    return ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")


def _at(sub: Subscriber) -> str:
    return f"{sub.file}:{sub.line}"


def _diag(code: str, message: str, at: Subscriber) -> Diagnostic:
    return Diagnostic(
        code=code,
        severity="warning",
        message=message,
        line=at.line,
        column=at.column,
        source=at.file,
        extra={"anchor_lines": (at.line,)},
    )
