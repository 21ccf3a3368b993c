"""Apply a compiled data-protection policy to one message: audit, deny, mask, redact.

The compiler hands over plain ``Rule`` records (one per statement) and a ``Scanner``; nothing is
parsed or compiled here. Behaviour chosen where the AWS documentation is silent (see README):
Deny wins over Redact, Redact over Mask; overlapping findings are merged into one span that gets
the strongest operation; offsets count characters of the original message; in a JSON message a
finding is only ever rewritten inside string literals (whole escape sequences) or as a whole
number token, so the result stays valid JSON.
"""

from __future__ import annotations

import bisect
import itertools
import random
import time
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import orjson

from tamis.runtime.redact.detectors import Finding, Found, FoundList, Scanner

INBOUND, OUTBOUND = "Inbound", "Outbound"
# Strength of the de-identifying operations: merged spans take the strongest.
_STRENGTH = {"mask": 1, "redact": 2}


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
            spans = _merged_spans(listed, plan.operations)
            out = self._rewrite(message, spans) if spans else message
        return Outcome(out, ok_action, _either(listed, found), None, audit)

    # -- de-identification -----------------------------------------------------------------

    def _spans(self, found: Iterable[Finding], rules: Sequence[Rule]) -> list[tuple[int, int, str, str]]:
        """Merged (start, end, operation, mask character) spans, sorted, non-overlapping."""
        return _merged_spans(found, _operations(rules))

    def _rewrite(self, message: str, spans: list[tuple[int, int, str, str]]) -> str:
        stripped = message.lstrip()
        if stripped[:1] in ("{", "["):
            # When every span lies inside one string literal, away from quotes and escapes, the JSON
            # rewrite would cut exactly the spans: the result is the same JSON or not, so the
            # (whole-message) JSON validation is not needed.
            plain = _splice_inside_plain_strings(message, spans)
            if plain is not None:
                return plain
            if _is_json(message):
                return self._rewrite_json(message, spans)
        return _splice(message, spans)

    def _rewrite_json(self, message: str, spans: list[tuple[int, int, str, str]]) -> str:
        if "\\\\" in message:  # escaped backslashes: locate every string delimiter exactly
            return self._rewrite_json_slow(message, spans)
        # Fast path: without "\\\\", a quote is escaped exactly when a backslash precedes it, so the
        # parity of delimiters before any point is a count of '"' minus a count of '\\"' (C speed).
        pieces: list[tuple[int, int, str, str]] = []
        scanned, inside = 0, False
        n = len(message)
        backslash = "\\" in message
        for s, e, op, ch in spans:
            if s > scanned:
                quotes = message.count('"', scanned, s)
                if backslash:
                    quotes -= message.count('\\"', max(0, scanned - 1), s)
                inside ^= quotes % 2 == 1
                scanned = s
            cursor = s
            while cursor < e:
                if message[cursor] == '"' and (cursor == 0 or message[cursor - 1] != "\\"):
                    inside = not inside  # a delimiter itself is never rewritten
                    cursor += 1
                    continue
                q = message.find('"', cursor)
                while backslash and q > 0 and message[q - 1] == "\\":
                    q = message.find('"', q + 1)
                seg_end = min(e, q if q >= 0 else n)
                if inside:
                    cs, ce = cursor, seg_end
                    if backslash and "\\" in message[max(0, cs - 6) : ce + 6]:
                        start = message.rfind('"', 0, cs)
                        while start > 0 and message[start - 1] == "\\":
                            start = message.rfind('"', 0, start)
                        cs, ce = _escape_aligned(message, start + 1, q if q >= 0 else n, cs, ce)
                    pieces.append((cs, ce, op, ch))
                else:
                    _number_pieces(message, cursor, seg_end, op, ch, pieces)
                cursor = seg_end
            scanned = max(scanned, cursor)
        return _splice(message, _merge_pieces(pieces))

    def _rewrite_json_slow(self, message: str, spans: list[tuple[int, int, str, str]]) -> str:
        quotes = _quote_positions(message)
        pieces: list[tuple[int, int, str, str]] = []
        for s, e, op, ch in spans:
            pos = s
            while pos < e:
                k = bisect.bisect_right(quotes, pos)  # quotes at or before pos
                if k and quotes[k - 1] == pos:  # a string delimiter itself: never rewritten
                    pos += 1
                    continue
                if k % 2 == 1:  # inside a string literal opened at quotes[k-1]
                    close = quotes[k] if k < len(quotes) else len(message)
                    seg_end = min(e, close)
                    cs, ce = _escape_aligned(message, quotes[k - 1] + 1, close, pos, seg_end)
                    pieces.append((cs, ce, op, ch))
                    pos = seg_end if seg_end > pos else pos + 1
                else:  # outside strings: rewrite whole number tokens, leave structure alone
                    seg_end = min(e, quotes[k] if k < len(quotes) else len(message))
                    _number_pieces(message, pos, seg_end, op, ch, pieces)
                    pos = seg_end
        return _splice(message, _merge_pieces(pieces))

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
        if rule.operation not in _STRENGTH:
            continue
        for ident in rule.identifiers:
            prev = per_identifier.get(ident)
            if prev is None or _STRENGTH[rule.operation] > _STRENGTH[prev[0]]:
                per_identifier[ident] = (rule.operation, rule.mask_char)
    return per_identifier


def _merged_spans(
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
            if _STRENGTH[op] > _STRENGTH[pop]:
                pop, pch = op, ch
            last_end = max(pe, e)
            merged[-1] = (ps, last_end, pop, pch)
        else:
            merged.append(span)
            last_end = span[1]
    return merged


def _splice_inside_plain_strings(message: str, spans: list[tuple[int, int, str, str]]) -> str | None:
    """``_splice(message, spans)`` when, read as JSON, each span lies inside a string literal with no
    quote in it and no backslash within six characters (what ``_rewrite_json``'s fast path leaves
    exactly as it is); None otherwise.

    The parity of delimiters is counted as ``_rewrite_json``'s fast path counts it (a quote is escaped
    exactly when a backslash precedes it, true when the text holds no escaped backslash).
    """
    if "\\\\" in message:
        return None
    backslash = "\\" in message
    count, find = message.count, message.find
    scanned, inside = 0, False
    parts: list[str] = []
    append = parts.append
    for s, e, op, ch in spans:
        if s > scanned:
            quotes = count('"', scanned, s)
            if backslash:
                quotes -= count('\\"', max(0, scanned - 1), s)
            inside ^= quotes % 2 == 1
        if not inside or find('"', s, e) >= 0:
            return None
        if backslash and "\\" in message[max(0, s - 6) : e + 6]:
            return None
        append(message[scanned:s])
        if op == "mask":
            append(ch * (e - s))
        scanned = e
    append(message[scanned:])
    return "".join(parts)


_NUMBER_CHARS = frozenset("0123456789+-.eE")


def _number_pieces(
    message: str, start: int, end: int, op: str, ch: str, pieces: list[tuple[int, int, str, str]]
) -> None:
    """Whole number tokens touched by ``[start, end)`` outside strings (structure is left alone)."""
    i = start
    while i < end:
        if message[i] in _NUMBER_CHARS:
            ts = i
            while ts > 0 and message[ts - 1] in _NUMBER_CHARS:
                ts -= 1
            te = i
            while te < len(message) and message[te] in _NUMBER_CHARS:
                te += 1
            pieces.append((ts, te, "json-" + op, ch))
            i = te
        else:
            i += 1


def _quote_positions(message: str) -> list[int]:
    """Offsets of the unescaped double quotes of a JSON text (string delimiters), in order."""
    pieces = message.split('"')
    positions = list(itertools.accumulate(len(p) + 1 for p in pieces[:-1]))
    quotes = [p - 1 for p in positions]
    if "\\" not in message:
        return quotes
    # A quote preceded by an odd run of backslashes is escaped: it is part of a string, not a delimiter.
    out = []
    for q in quotes:
        run = 0
        while q - run - 1 >= 0 and message[q - run - 1] == "\\":
            run += 1
        if run % 2 == 0:
            out.append(q)
    return out


def _is_json(message: str) -> bool:
    try:
        orjson.loads(message)
    except (orjson.JSONDecodeError, UnicodeEncodeError):
        return False
    return True


def _escape_covering(text: str, lo: int, p: int) -> tuple[int, int] | None:
    """The JSON escape sequence (``\\n``, ``\\u00e9``) strictly around position ``p``, if any.

    Local: only the few characters before ``p`` are looked at, so rewriting stays linear.
    """
    for j in range(p - 1, max(lo, p - 6) - 1, -1):
        if text[j] != "\\":
            continue
        k = j
        while k > lo and text[k - 1] == "\\":
            k -= 1
        if (j - k) % 2 == 0:  # an even run of backslashes before j: j starts an escape
            width = 6 if text[j + 1 : j + 2] == "u" else 2
            if j < p < j + width:
                return j, j + width
    return None


def _escape_aligned(text: str, content_start: int, content_end: int, s: int, e: int) -> tuple[int, int]:
    """Widen ``[s, e)`` so that it never cuts a JSON escape sequence (``\\n``, ``\\u00e9``) in two."""
    around = _escape_covering(text, content_start, s)
    if around is not None:
        s = around[0]
    around = _escape_covering(text, content_start, e)
    if around is not None:
        e = min(around[1], content_end)
    return s, e


def _merge_pieces(pieces: list[tuple[int, int, str, str]]) -> list[tuple[int, int, str, str]]:
    pieces.sort()
    out: list[tuple[int, int, str, str]] = []
    for p in pieces:
        if out and p[0] < out[-1][1]:
            ps, pe, pop, pch = out[-1]
            if _STRENGTH[p[2].removeprefix("json-")] > _STRENGTH[pop.removeprefix("json-")]:
                pop, pch = p[2], p[3]  # the stronger operation wins, as for findings
            out[-1] = (ps, max(pe, p[1]), pop, pch)
        else:
            out.append(p)
    return out


def _splice(message: str, spans: list[tuple[int, int, str, str]]) -> str:
    parts: list[str] = []
    append = parts.append
    pos = 0
    for s, e, op, ch in spans:
        append(message[pos:s])
        n = e - s
        if op == "mask":
            append(ch * n)
        elif op == "json-mask":
            append('"' + ch * (n - 2) + '"' if n >= 2 else "0")
        elif op == "json-redact":
            append('""')
        # "redact": nothing
        pos = e
    parts.append(message[pos:])
    return "".join(parts)
