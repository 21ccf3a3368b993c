"""Public API of event patterns: EventBridge rule patterns, SNS filter policies, Lambda filter criteria.

    p = tamis.compile_pattern(pattern, dialect="eventbridge"); p.matches(event)
    rs = tamis.RuleSet(); rs.add("name", pattern); rs.matches(event) -> ["name", ...]

The dialects share one compiler and one matcher; each service's differences (input shapes, limits,
operators, number precision) are small adapters here and in compiler/event_pattern.py.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from typing import Any

import orjson

from tamis.compiler.event_patterns.compiler import Dialect, compile_rule, dialect_for
from tamis.errors import PatternError, TamisError
from tamis.grammar.located_json import parse_json
from tamis.json_number import JSONNumber
from tamis.runtime.events.conditions import TRUE as C_TRUE
from tamis.runtime.events.conditions import FieldCondition, SubRule
from tamis.runtime.events.matcher import EventMatcher, InvalidEvent

PatternInput = str | bytes | bytearray | dict[str, Any]


class EventError(TamisError):
    """An event (or SNS message, or Lambda record) that is not in the shape the service accepts."""


def _text_of(value: str | bytes | bytearray, source: str | None = None) -> str:
    if isinstance(value, bytes | bytearray):
        try:
            return bytes(value).decode("utf-8")
        except UnicodeDecodeError as exc:
            raw = bytes(value)
            line = raw.count(b"\n", 0, exc.start) + 1
            column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
            raise PatternError(
                "the pattern is not valid UTF-8", rule="json", line=line, column=column, source=source
            ) from None
    return value


def parse_pattern(
    pattern: PatternInput,
    dialect: Dialect,
    source: str | None = None,
    transform: Callable[[Any], Any] | None = None,
) -> list[SubRule]:
    """Check one pattern and return its compiled sub-rules; raises a located ``PatternError``."""
    if isinstance(pattern, dict):
        limit = dialect.max_pattern_chars
        if limit is not None:
            # The service sees JSON text: measure the compact serialisation.
            size = len(json.dumps(pattern, separators=(",", ":"), ensure_ascii=False, default=str))
            if size > limit:
                raise PatternError(
                    f"the pattern is {size} characters long as JSON; {dialect.name} accepts at most {limit}",
                    source=source,
                    rule="pattern-size",
                )
        return compile_rule(transform(pattern) if transform else pattern, dialect, source=source)
    if not isinstance(pattern, str | bytes | bytearray):
        raise PatternError(
            f"a pattern must be JSON text or a dict, got {type(pattern).__name__}", rule="pattern-type"
        )
    text = _text_of(pattern, source)
    limit = dialect.max_pattern_chars
    if limit is not None and len(text) > limit:
        raise PatternError(
            f"the pattern is {len(text)} characters long; {dialect.name} accepts at most {limit}",
            line=1,
            column=1,
            source=source,
            rule="pattern-size",
        )
    value = _decode_valid(text)
    if value is not _INVALID:
        try:
            return compile_rule(transform(value) if transform else value, dialect, source=source)
        except PatternError:
            pass  # compile again below, with positions, to say where
    doc = parse_json(text, source=source, error=PatternError)
    value = transform(doc.value) if transform else doc.value
    return compile_rule(value, dialect, lambda path, key: doc.position(path, key=key), source)


_INVALID: Any = object()


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _decode_valid(text: str) -> Any:
    """Fast path for well-formed patterns: the C decoder, which accepts exactly the JSON the Lark grammar
    (grammar/json.lark) accepts, with the same numbers (exact, spelled) and duplicate-key rule (last
    wins). Anything it refuses, and any pattern the compiler rejects, goes through the Lark parser so the
    error names its line and column."""
    if text.startswith("\ufeff"):
        text = text[1:]
    try:
        return json.loads(text, parse_float=JSONNumber, parse_constant=_reject_constant)
    except (ValueError, RecursionError):
        return _INVALID


# -- SNS ---------------------------------------------------------------------------------------------
_FIVE_PLACES = Decimal("0.00001")


def _sns_number(value: Any) -> Any:
    """SNS compares numbers with five digits of accuracy after the decimal point (documented)."""
    t = type(value)
    if t is int or t is str or t is bool or value is None:
        return value  # integers need no rounding; other types are not numbers
    if t is float:
        text = repr(value)
        dot = text.find(".")
        if "e" not in text and len(text) - dot - 1 <= 5:
            return value  # already within five places, and exact
    elif not isinstance(value, Decimal):
        return value
    try:
        d = (
            value
            if isinstance(value, Decimal)
            else Decimal(repr(value) if isinstance(value, float) else value)
        )
        q = d.quantize(_FIVE_PLACES, rounding=ROUND_HALF_EVEN)
    except InvalidOperation:
        return value
    return int(q) if q == q.to_integral_value() else q


# Decimal keeps the values SNS rounds; built once (json.loads builds a decoder per call when given hooks).
_ARRAY_DECODER = json.JSONDecoder(parse_float=Decimal)


def _string_array(raw: str) -> Any:
    """A String.Array value decoded: orjson when that is exact (no fractional numbers, which must keep
    their decimal digits for the five-place rounding), else the Decimal-keeping decoder; text that is not
    JSON stays the string itself."""
    try:
        items = orjson.loads(raw)
    except orjson.JSONDecodeError:
        pass
    else:
        if type(items) is list and all(type(v) is str for v in items):
            return items
    try:
        return _ARRAY_DECODER.decode(raw)
    except ValueError:
        return raw


def _sns_number_text(text: str) -> Any:
    """A Number attribute's value: plain integers and short decimals stay int/float (exact), the rest are
    rounded to five places."""
    digits = text[1:] if text[:1] == "-" else text
    if digits.isascii() and digits.isdigit():
        return int(text)
    whole, dot, frac = digits.partition(".")
    if dot and len(frac) <= 5 and len(digits) <= 16 and (whole + frac).isascii() and (whole + frac).isdigit():
        return float(text)
    return _sns_number(Decimal(text))


def _round_numbers(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _round_numbers(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_round_numbers(v) for v in value]
    return _sns_number(value)


def _sns_rounded_pattern(pattern: Any) -> Any:
    # The policy's numbers get the same five-place accuracy as the messages'.
    return _round_numbers(pattern)


def sns_attributes_event(attributes: dict[str, Any]) -> dict[str, Any]:
    """The event SNS matches for attribute scope: typed message attributes -> plain values.

    Accepts the Publish API shape (``{"DataType": "String", "StringValue": "x"}``) and the delivered
    notification shape (``{"Type": "String", "Value": "x"}``). Binary attributes are ignored, as SNS does.
    """
    if isinstance(attributes, bytes | bytearray | str):
        try:
            attributes = json.loads(attributes)
        except ValueError as exc:
            raise EventError(f"message attributes are not valid JSON: {exc}", rule="sns-attributes") from None
    if not isinstance(attributes, dict):
        raise EventError(
            "message attributes must be an object of {name: {Type, Value}}", rule="sns-attributes"
        )
    event: dict[str, Any] = {}
    for name, attr in attributes.items():
        if not isinstance(attr, dict):
            raise EventError(
                f"message attribute {name!r} must be an object with Type and Value", rule="sns-attributes"
            )
        kind = attr["Type"] if "Type" in attr else attr.get("DataType")
        raw = attr["Value"] if "Value" in attr else attr.get("StringValue")
        if kind == "String" and type(raw) is str:  # the common case, first
            event[name] = raw
            continue
        if not isinstance(kind, str):
            raise EventError(f"message attribute {name!r} has no Type/DataType", rule="sns-attributes")
        # Custom suffixes ("Number.float", "String.url") keep the base type; the arrays are their own types.
        base = kind if kind in ("String.Array", "Number.Array") else kind.split(".", 1)[0]
        if base == "Binary":
            continue
        if not isinstance(raw, str):
            raise EventError(
                f"message attribute {name!r} has no string Value/StringValue", rule="sns-attributes"
            )
        if base == "String":
            event[name] = raw
        elif base == "Number":
            try:
                event[name] = _sns_number_text(raw.strip())
            except (InvalidOperation, ValueError):
                raise EventError(
                    f"message attribute {name!r}: {raw!r} is not a number", rule="sns-attributes"
                ) from None
        elif base == "Number.Array":
            try:
                items = _ARRAY_DECODER.decode(raw)
            except ValueError:
                raise EventError(
                    f"message attribute {name!r}: Number.Array value is not a JSON array",
                    rule="sns-attributes",
                ) from None
            event[name] = [_sns_number(v) for v in (items if isinstance(items, list) else [items])]
        elif base == "String.Array":
            # A JSON array's elements are the values; a JSON scalar is one value; other text stays a string.
            items = _string_array(raw)
            event[name] = [_sns_number(v) for v in items] if isinstance(items, list) else _sns_number(items)
        else:
            raise EventError(f"message attribute {name!r}: unknown data type {kind!r}", rule="sns-attributes")
    return event


def sns_body_event(body: Any) -> dict[str, Any]:
    """The event SNS matches for MessageBody scope: the message body, which must be a JSON object."""
    if isinstance(body, dict):
        return _round_numbers(body)
    if isinstance(body, bytes | bytearray | str):
        try:
            value = json.loads(body, parse_float=Decimal)
        except ValueError:
            return {}  # a body that is not JSON has no properties: only `exists: false`-style policies match
        return _round_numbers(value) if isinstance(value, dict) else {}
    raise EventError(f"a message body must be text or a dict, got {type(body).__name__}", rule="sns-body")


# -- Lambda ------------------------------------------------------------------------------------------
def lambda_record_event(record: Any) -> dict[str, Any]:
    """The object Lambda filters for one event-source record (SQS, Kinesis, DynamoDB Streams, MQ...).

    SQS ``body`` and Kinesis/MQ ``data`` (base64) are decoded into JSON when they hold JSON, so patterns
    can address their fields; otherwise they stay plain strings, which only plain-string patterns match.
    """
    if isinstance(record, bytes | bytearray | str):
        try:
            record = orjson.loads(record)
        except orjson.JSONDecodeError as exc:
            raise EventError(f"the record is not valid JSON: {exc}", rule="lambda-record") from None
    if not isinstance(record, dict):
        raise EventError("a record must be a JSON object", rule="lambda-record")
    if isinstance(record.get("kinesis"), dict):
        record = record["kinesis"]  # the Kinesis record's own fields are what filters address
    out = dict(record)
    body = out.get("body")
    if isinstance(body, str):
        parsed = _json_or_none(body)
        if parsed is not None:
            out["body"] = parsed
            out[_JSON_MARK["body"]] = True
    data = out.get("data")
    if isinstance(data, str):
        try:
            decoded = base64.b64decode(data, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError, ValueError):
            decoded = None
        if decoded is not None:
            parsed = _json_or_none(decoded)
            out["data"] = parsed if parsed is not None else decoded
            if parsed is not None:
                out[_JSON_MARK["data"]] = True
    return out


# Lambda drops a record whose body (data) is plain text when the filter addresses fields inside it
# (https://docs.aws.amazon.com/lambda/latest/dg/with-sqs-filtering.html, the body format table): such
# filters get a hidden condition that the payload decoded as JSON, which the record adapter marks.
_JSON_MARK = {"body": "\x00tamis:body-is-json", "data": "\x00tamis:data-is-json"}


def _require_json_payloads(subrules: list[SubRule]) -> list[SubRule]:
    out = []
    for sub in subrules:
        extra = [
            FieldCondition(mark, frozenset({(C_TRUE,)}), False, False)
            for field, mark in _JSON_MARK.items()
            if any(cond.path.startswith(field + ".") for cond in sub)
        ]
        out.append((*sub, *extra) if extra else sub)
    return out


def _json_or_none(text: str) -> Any:
    try:
        value = json.loads(text, parse_float=Decimal)
    except ValueError:
        return None
    return value if isinstance(value, dict | list) else None


def parse_filter_criteria(
    criteria: PatternInput, source: str | None = None, max_filters: int = 10
) -> list[Any]:
    """The patterns of Lambda ``FilterCriteria`` (``{"Filters": [{"Pattern": "<json>"}]}``), checked."""
    if isinstance(criteria, dict):
        value: Any = criteria
        locate: Callable[[tuple[Any, ...]], tuple[int | None, int | None]] = lambda _p: (None, None)  # noqa: E731
    else:
        doc = parse_json(_text_of(criteria, source), source=source, error=PatternError)
        value = doc.value
        locate = doc.position

    def fail(path: tuple[Any, ...], message: str, rule: str) -> PatternError:
        line, column = locate(path)
        return PatternError(message, line=line, column=column, source=source, rule=rule)

    if not isinstance(value, dict) or not isinstance(value.get("Filters"), list):
        raise fail(
            (), 'filter criteria must be an object {"Filters": [{"Pattern": "..."}]}', "lambda-criteria"
        )
    filters = value["Filters"]
    # Lambda accepts up to 5 filters per event source mapping by default (a quota that can be raised to 10).
    if len(filters) > 10:
        raise fail(
            ("Filters",),
            f"at most 10 filters per event source mapping, got {len(filters)}",
            "lambda-filter-count",
        )
    patterns = []
    for i, item in enumerate(filters):
        if not isinstance(item, dict) or "Pattern" not in item:
            raise fail(("Filters", i), 'each filter must be an object with a "Pattern"', "lambda-criteria")
        pattern = item["Pattern"]
        if isinstance(pattern, str):
            base_line, base_col = locate(("Filters", i, "Pattern"))
            patterns.append((pattern, base_line, base_col))
        elif isinstance(pattern, dict):
            patterns.append((pattern, None, None))
        else:
            raise fail(
                ("Filters", i, "Pattern"), '"Pattern" must be a JSON string (or an object)', "lambda-criteria"
            )
    return patterns


# -- the public classes ------------------------------------------------------------------------------
class RuleSet:
    """Many named patterns compiled into one matcher: which of my rules match this event?"""

    def __init__(
        self, dialect: str = "eventbridge", scope: str | None = None, *, pattern_size: int | None = None
    ) -> None:
        self.dialect = dialect_for(dialect, scope, pattern_size)
        self._matcher = EventMatcher()
        self._adapt: Callable[[Any], Any] = _adapter(self.dialect)

    def _compile(self, pattern: PatternInput, source: str | None) -> list[SubRule]:
        if self.dialect.name == "lambda":
            return _compile_lambda(pattern, self.dialect, source)
        if self.dialect.name == "sns":
            # SNS compares numbers to five decimal places: policy numbers are rounded like the messages'.
            return parse_pattern(pattern, self.dialect, source, transform=_sns_rounded_pattern)
        return parse_pattern(pattern, self.dialect, source)

    def add(self, name: str, pattern: PatternInput, *, source: str | None = None) -> None:
        """Add a named pattern (adding a name again ORs the patterns). Raises ``PatternError``."""
        self._matcher.add(name, self._compile(pattern, source))

    def remove(self, name: str) -> bool:
        """Remove a rule by name; returns whether it was there."""
        return self._matcher.remove(name)

    def __len__(self) -> int:
        return len(self._matcher)

    def __contains__(self, name: object) -> bool:
        return name in self._matcher

    @property
    def names(self) -> list[str]:
        return self._matcher.names

    def matches(self, event: Any) -> list[str]:
        """Names of the rules that match ``event`` (a dict, or JSON text/bytes), in the order added."""
        try:
            return self._matcher.match(self._adapt(event))
        except InvalidEvent as exc:
            raise EventError(str(exc), rule="event") from None


def _adapter(dialect: Dialect) -> Callable[[Any], Any]:
    if dialect.name == "sns":
        if getattr(dialect, "scope", "MessageAttributes") == "MessageBody":
            return sns_body_event
        return sns_attributes_event
    if dialect.name == "lambda":
        return lambda_record_event
    return _identity


def _identity(event: Any) -> Any:
    return event


def _compile_lambda(criteria: PatternInput, dialect: Dialect, source: str | None) -> list[SubRule]:
    # A bare pattern is accepted too; FilterCriteria is recognised by its "Filters" key.
    probe: Any = criteria
    if not isinstance(criteria, dict):
        try:
            probe = orjson.loads(criteria)
        except orjson.JSONDecodeError:
            probe = None
    if not (isinstance(probe, dict) and "Filters" in probe):
        return _require_json_payloads(parse_pattern(criteria, dialect, source))
    subrules: list[SubRule] = []
    for pattern, base_line, base_col in parse_filter_criteria(criteria, source, dialect.max_filters or 10):
        try:
            subrules.extend(parse_pattern(pattern, dialect, source))
        except PatternError as exc:
            # A pattern embedded as a JSON string: report where the string starts, plus the inner position.
            if base_line is not None and exc.line is not None:
                exc.message = (
                    f"in Filters Pattern (line {exc.line}, column {exc.column} of the pattern): {exc.message}"
                )
                exc.line, exc.column = base_line, base_col
                exc.args = (str(exc),)
            raise
    return _require_json_payloads(subrules)


class Pattern:
    """One compiled pattern. ``matches(event) -> bool``."""

    def __init__(
        self,
        pattern: PatternInput,
        dialect: str = "eventbridge",
        scope: str | None = None,
        source: str | None = None,
        *,
        pattern_size: int | None = None,
    ) -> None:
        self._rules = RuleSet(dialect, scope, pattern_size=pattern_size)
        self._rules.add("pattern", pattern, source=source)
        self.dialect = self._rules.dialect.name
        self._match = self._rules._matcher.match
        adapt = self._rules._adapt
        self._adapt = None if adapt is _identity else adapt

    def matches(self, event: Any) -> bool:
        """Whether ``event`` (a dict, or JSON text/bytes) matches the pattern."""
        try:
            if self._adapt is not None:
                event = self._adapt(event)
            return bool(self._match(event))
        except InvalidEvent as exc:
            raise EventError(str(exc), rule="event") from None


def compile_pattern(
    pattern: PatternInput,
    dialect: str = "eventbridge",
    scope: str | None = None,
    source: str | None = None,
    *,
    pattern_size: int | None = None,
) -> Pattern:
    """Compile one pattern (text, bytes or dict). Raises ``tamis.PatternError`` with line/column.

    ``pattern_size`` raises EventBridge's pattern-size limit from its default 2048 characters (up to the
    4096 a quota increase allows)."""
    return Pattern(pattern, dialect=dialect, scope=scope, source=source, pattern_size=pattern_size)
