"""The inputs of SNS and Lambda as the events their filters match: per event, so part of the runtime.

SNS matches a policy against the message attributes (typed values, numbers to five decimal places) or
against the message body; Lambda against each event-source record, with an SQS ``body`` or a Kinesis/MQ
``data`` payload decoded when it holds JSON. EventBridge matches events as given. The dialects
(compiler/event_patterns/dialects.py) say which shaping each service applies.
"""

from __future__ import annotations

import base64
import binascii
import json
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from typing import Any

import orjson

from tamis.errors import EventError
from tamis.json_number import JSONNumber
from tamis.runtime.events.event_json import nesting_message
from tamis.runtime.json_values import (
    EVENT_MAX_DEPTH,
    INT_MAX_DIGITS,
    lone_surrogate,
    text_may_be_deeper,
    too_deep,
    without_surrogates,
)

# -- SNS ---------------------------------------------------------------------------------------------
_FIVE_PLACES = Decimal("0.00001")


def sns_number(value: Any) -> Any:
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


def _exact_number(text: str) -> Any:
    # Decimal keeps the digits SNS rounds; JSONNumber also holds what Decimal cannot (1e99999999999999999999).
    try:
        return Decimal(text)
    except InvalidOperation:
        return JSONNumber(text)


def _exact_int(text: str) -> Any:
    # An integer longer than the interpreter converts (4,300 digits) stays a Decimal.
    return int(text) if len(text) <= INT_MAX_DIGITS else Decimal(text)


# Built once (json.loads builds a decoder per call when given hooks).
_ARRAY_DECODER = json.JSONDecoder(parse_float=_exact_number, parse_int=_exact_int)


def _decode_payload(text: str | bytes, rule: str) -> Any:
    """JSON text decoded with exact numbers, or ValueError; nesting past ``EVENT_MAX_DEPTH`` levels is an
    ``EventError`` (``rule`` names the input) whichever reader meets it."""
    if isinstance(text, bytes | bytearray):
        text = bytes(text).decode("utf-8")  # UnicodeDecodeError is a ValueError: not JSON text
    elif not text.isascii() and lone_surrogate(text) is not None:
        text = without_surrogates(text)  # read as the UTF-8 the services would have received
    try:
        value = _ARRAY_DECODER.decode(text)
    except RecursionError:
        raise EventError(nesting_message(None), rule=rule) from None
    if len(text) > 2 * EVENT_MAX_DEPTH and text_may_be_deeper(text, EVENT_MAX_DEPTH):
        path = too_deep(value, EVENT_MAX_DEPTH)
        if path is not None:
            raise EventError(nesting_message(path), rule=rule)
    return value


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
        return _decode_payload(raw, "sns-attributes")
    except EventError:
        raise
    except ValueError:
        return raw


def _sns_number_text(text: str) -> Any:
    """A Number attribute's value: plain integers and short decimals stay int/float (exact), the rest are
    rounded to five places."""
    digits = text[1:] if text[:1] == "-" else text
    if digits.isascii() and digits.isdigit():
        return int(text) if len(digits) <= INT_MAX_DIGITS else Decimal(text)
    whole, dot, frac = digits.partition(".")
    if dot and len(frac) <= 5 and len(digits) <= 16 and (whole + frac).isascii() and (whole + frac).isdigit():
        return float(text)
    return sns_number(Decimal(text))


def round_numbers(value: Any) -> Any:
    """A JSON value with every number rounded as SNS rounds it (messages' and policies' alike)."""
    if isinstance(value, dict):
        return {k: round_numbers(v) for k, v in value.items()}
    if isinstance(value, list):
        return [round_numbers(v) for v in value]
    return sns_number(value)


def sns_attributes_event(attributes: dict[str, Any]) -> dict[str, Any]:
    """The event SNS matches for attribute scope: typed message attributes -> plain values.

    Accepts the Publish API shape (``{"DataType": "String", "StringValue": "x"}``) and the delivered
    notification shape (``{"Type": "String", "Value": "x"}``). Binary attributes are ignored, as SNS does.
    """
    if isinstance(attributes, bytes | bytearray | str):
        try:
            attributes = _decode_payload(attributes, "sns-attributes")
        except EventError:
            raise
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
                items = _decode_payload(raw, "sns-attributes")
            except EventError:
                raise
            except ValueError:
                raise EventError(
                    f"message attribute {name!r}: Number.Array value is not a JSON array",
                    rule="sns-attributes",
                ) from None
            event[name] = [sns_number(v) for v in (items if isinstance(items, list) else [items])]
        elif base == "String.Array":
            # A JSON array's elements are the values; a JSON scalar is one value; other text stays a string.
            items = _string_array(raw)
            event[name] = [sns_number(v) for v in items] if isinstance(items, list) else sns_number(items)
        else:
            raise EventError(f"message attribute {name!r}: unknown data type {kind!r}", rule="sns-attributes")
    return event


def sns_body_event(body: Any) -> dict[str, Any]:
    """The event SNS matches for MessageBody scope: the message body, which must be a JSON object."""
    if isinstance(body, dict):
        path = too_deep(body, EVENT_MAX_DEPTH)
        if path is not None:
            raise EventError(nesting_message(path), rule="sns-body")
        return round_numbers(body)
    if isinstance(body, bytes | bytearray | str):
        try:
            value = _decode_payload(body, "sns-body")
        except EventError:
            raise
        except ValueError:
            return {}  # a body that is not JSON has no properties: only `exists: false`-style policies match
        return round_numbers(value) if isinstance(value, dict) else {}
    raise EventError(f"a message body must be text or a dict, got {type(body).__name__}", rule="sns-body")


# -- Lambda ------------------------------------------------------------------------------------------
# Lambda drops a record whose body (data) is plain text when the filter addresses fields inside it
# (https://docs.aws.amazon.com/lambda/latest/dg/with-sqs-filtering.html, the body format table): such
# filters get a hidden condition (compiler/event_patterns/dialects.py) that the payload decoded as JSON,
# which lambda_record_event marks.
JSON_MARK = {"body": "\x00tamis:body-is-json", "data": "\x00tamis:data-is-json"}


def lambda_record_event(record: Any) -> dict[str, Any]:
    """The object Lambda filters for one event-source record (SQS, Kinesis, DynamoDB Streams, MQ...).

    SQS ``body`` and Kinesis/MQ ``data`` (base64) are decoded into JSON when they hold JSON, so patterns
    can address their fields; otherwise they stay plain strings, which only plain-string patterns match.
    """
    if isinstance(record, bytes | bytearray | str):
        try:
            record = _decode_payload(record, "lambda-record")
        except EventError:
            raise
        except ValueError as exc:
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
            out[JSON_MARK["body"]] = True
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
                out[JSON_MARK["data"]] = True
    return out


def _json_or_none(text: str) -> Any:
    try:
        value = _decode_payload(text, "lambda-record")
    except EventError:
        raise
    except ValueError:
        return None
    return value if isinstance(value, dict | list) else None
