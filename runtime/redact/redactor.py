"""Apply a compiled data-protection policy to one message: audit, deny, mask, redact.

The compiler hands over plain ``Rule`` records (one per statement) and a ``Scanner``; nothing is
parsed or compiled here. Behaviour chosen where the AWS documentation is silent (see README):
Deny wins over Redact, Redact over Mask; overlapping findings are merged into one span that gets
the strongest operation; offsets count characters of the original message; in a JSON message a
finding is only ever rewritten inside string literals (whole escape sequences) or as a whole
number token, so the result stays valid JSON (json_rewrite.py).
"""

from __future__ import annotations

import random
import time
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from tamis.runtime.redact.detector import Finding, Found, FoundList
from tamis.runtime.redact.json_rewrite import STRENGTH, rewrite
from tamis.runtime.redact.scanner import Scanner

INBOUND, OUTBOUND = "Inbound", "Outbound"


@dataclass(frozen=True)
class Rule:
    """One statement, ready to run."""

    index: int
    sid: str | None
    operation: str  # "audit" | "deny" | "mask" | "redact"
    identifiers: frozenset[str]
    direction: str | None = None  # None: every direction (CloudWatch Logs)
    principals: frozenset[str] = frozenset({"*"})
    mask_char: str = "*"
    sample_rate: int = 100  # percent of messages audited

    def applies(self, direction: str | None, principal: str | None) -> bool:
        if self.direction is not None and direction != self.direction:
            return False
        return "*" in self.principals or (principal is not None and principal in self.principals)


@dataclass(frozen=True)
class ServiceError:
    """The error the service reports when a Deny statement fires."""

    code: str
    http_status: int
    message: str
    statement: str | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "httpStatus": self.http_status,
            "message": self.message,
            "statement": self.statement,
        }


class Outcome:
    """What happens to one message for one direction and principal.

    ``findings`` may be given as the scanner's ``Found`` records: the ``Finding`` tuples are then made
    when the attribute is first read (a caller that wants the message alone never pays for them).
    """

    __slots__ = ("_findings", "_found", "action", "audit", "error", "message")

    def __init__(
        self,
        message: str | None,
        action: str,  # "accept" | "reject" (Inbound), "deliver" | "drop_delivery" (Outbound), "ingest"
        findings: list[Finding] | Found | None = None,
        error: ServiceError | None = None,
        audit: dict[str, Any] | None = None,
    ) -> None:
        self.message = message
        self.action = action
        self._findings: list[Finding] | None = None
        self._found: Found | None = None
        if findings is None or isinstance(findings, list):
            self._findings = [] if findings is None else findings
        else:
            self._found = findings
        self.error = error
        self.audit = audit

    @property
    def findings(self) -> list[Finding]:
        if self._findings is None:
            self._findings = self._found.findings() if self._found is not None else []
            self._found = None
        return self._findings

    @findings.setter
    def findings(self, value: list[Finding]) -> None:
        self._findings, self._found = value, None

    @property
    def denied(self) -> bool:
        return self.error is not None

    def _fields(self) -> tuple[Any, ...]:
        return (self.message, self.action, self.findings, self.error, self.audit)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Outcome):
            return NotImplemented
        return self._fields() == other._fields()

    __hash__ = None  # type: ignore[assignment]  # mutable, as the dataclass it replaces

    def __repr__(self) -> str:
        return (
            f"Outcome(message={self.message!r}, action={self.action!r}, findings={self.findings!r}, "
            f"error={self.error!r}, audit={self.audit!r})"
        )


class Redactor:
    """Runs one policy's rules over messages."""

    def __init__(self, scanner: Scanner, rules: Sequence[Rule], *, resource_arn: str | None = None) -> None:
        self.scanner = scanner
        self.rules = tuple(rules)
        self.resource_arn = resource_arn
        # (direction, principal) -> what applies: it depends on the message not at all, so it is worked
        # out once per caller (bounded: cleared when many distinct principals pass through).
        self._plans: dict[tuple[str | None, str | None], _Applicable] = {}

    def _applicable(self, direction: str | None, principal: str | None) -> _Applicable:
        key = (direction, principal)
        plan = self._plans.get(key)
        if plan is None:
            rules = tuple(r for r in self.rules if r.applies(direction, principal))
            wanted = frozenset().union(*(r.identifiers for r in rules)) if rules else frozenset()
            plan = _Applicable(rules, wanted, _operations(rules))
            if len(self._plans) >= _PLAN_CACHE:
                self._plans.clear()
            self._plans[key] = plan
        return plan

    def apply(
        self,
        message: str,
        *,
        direction: str | None = None,
        principal: str | None = None,
        rng: random.Random | None = None,
        message_id: str | None = None,
    ) -> Outcome:
        plan = self._applicable(direction, principal)
        rules, wanted = plan.rules, plan.wanted
        found = self.scanner.find(message, wanted) if wanted else _NOTHING_FOUND
        outbound = direction == OUTBOUND
        ok_action = "deliver" if outbound else ("accept" if direction == INBOUND else "ingest")
        audit = None
        listed: list[Finding] | None = None  # the findings as tuples, made only where needed
        for rule in rules:
            if rule.operation == "audit":
                sample = (rng or random).random() * 100
                if sample < rule.sample_rate:
                    listed = found.findings()
                    mine = [f for f in listed if f.identifier in rule.identifiers]
                    audit = self._audit_record(mine, principal, message_id)
                break  # at most one Audit statement per policy
        names: frozenset[str] | None = None
        for rule in rules:
            if rule.operation != "deny":
                continue
            if names is None:
                names = found.identifiers() if found else frozenset()
            if names.isdisjoint(rule.identifiers):
                continue
            text = _DENIED_DELIVERY if outbound else _DENIED_PUBLISH
            err = ServiceError("AuthorizationError", 403, text, rule.sid or f"Statement[{rule.index}]")
            action = "drop_delivery" if outbound else "reject"
            return Outcome(None, action, _either(listed, found), err, audit)
        if not (plan.operations and found):
            return Outcome(message, ok_action, _either(listed, found), None, audit)
        out = self.scanner.rewrite(message, found, plan.operations)
        if out is None:
            if listed is None:
                listed = found.findings()
            spans = merged_spans(listed, plan.operations)
            out = rewrite(message, spans) if spans else message
        return Outcome(out, ok_action, _either(listed, found), None, audit)

    # -- de-identification -----------------------------------------------------------------

    def _spans(self, found: Iterable[Finding], rules: Sequence[Rule]) -> list[tuple[int, int, str, str]]:
        """Merged (start, end, operation, mask character) spans, sorted, non-overlapping."""
        return merged_spans(found, _operations(rules))

    def _audit_record(
        self, found: list[Finding], principal: str | None, message_id: str | None
    ) -> dict[str, Any]:
        by_name: dict[str, list[Finding]] = {}
        for f in found:
            by_name.setdefault(f.identifier, []).append(f)
        return {
            "messageId": message_id or str(uuid.uuid4()),
            "auditTimestamp": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "callerPrincipal": principal,
            "resourceArn": self.resource_arn,
            "dataIdentifiers": [
                {
                    "name": name,
                    "count": len(items),
                    "detections": [{"start": f.start, "end": f.end} for f in items],
                }
                for name, items in by_name.items()
            ],
        }


_PLAN_CACHE = 1024


class _Applicable(NamedTuple):
    """The rules that apply to one (direction, principal), and what they need."""

    rules: tuple[Rule, ...]
    wanted: frozenset[str]
    operations: dict[str, tuple[str, str]]  # identifier -> (mask | redact, mask character)


_NOTHING_FOUND = FoundList([])
# The service's messages when a Deny statement fires.
_DENIED_DELIVERY = (
    "The topic's data protection policy prohibits this message from being delivered to the subscription"
)
_DENIED_PUBLISH = "The data protection policy of the topic denies publishing this message"


def _either(listed: list[Finding] | None, found: Found) -> list[Finding] | Found:
    """The findings for an Outcome: the tuples if they were made already, else the records."""
    return listed if listed is not None else found


def _operations(rules: Sequence[Rule]) -> dict[str, tuple[str, str]]:
    """identifier -> the strongest de-identifying operation and its mask character."""
    per_identifier: dict[str, tuple[str, str]] = {}
    for rule in rules:  # document order: the first mask statement's character wins
        if rule.operation not in STRENGTH:
            continue
        for ident in rule.identifiers:
            prev = per_identifier.get(ident)
            if prev is None or STRENGTH[rule.operation] > STRENGTH[prev[0]]:
                per_identifier[ident] = (rule.operation, rule.mask_char)
    return per_identifier


def merged_spans(
    found: Iterable[Finding], per_identifier: dict[str, tuple[str, str]]
) -> list[tuple[int, int, str, str]]:
    """Merged (start, end, operation, mask character) spans, sorted, non-overlapping."""
    get = per_identifier.get
    raw = []
    for ident, s, e in found:
        op = get(ident)
        if op is not None:
            raw.append((s, e, *op))
    raw.sort()
    merged: list[tuple[int, int, str, str]] = []
    last_end = -1
    for span in raw:
        if span[0] < last_end:
            ps, pe, pop, pch = merged[-1]
            s, e, op, ch = span
            if STRENGTH[op] > STRENGTH[pop]:
                pop, pch = op, ch
            last_end = max(pe, e)
            merged[-1] = (ps, last_end, pop, pch)
        else:
            merged.append(span)
            last_end = span[1]
    return merged
