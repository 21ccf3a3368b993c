"""Lambda event-source-mapping filter criteria, with cases taken from the AWS Lambda documentation.

Sources (each test names the page it follows):
* general rules: https://docs.aws.amazon.com/lambda/latest/dg/invocation-eventfiltering.html
  ("Your filters are logically ORed together"; up to 5 filters by default; SQS body format table:
  plain-string body + JSON body pattern -> dropped, JSON body + plain-string body pattern -> dropped,
  matching formats -> filtered by the criteria)
* SQS: https://docs.aws.amazon.com/lambda/latest/dg/with-sqs-filtering.html
* Kinesis: https://docs.aws.amazon.com/lambda/latest/dg/with-kinesis-filtering.html ("data" is base64;
  the data and the filter for it must both be JSON, else the record is dropped)
* Amazon MQ: https://docs.aws.amazon.com/lambda/latest/dg/with-mq-filtering.html (base64 "data", JSON or a
  plain UTF-8 string)
* DynamoDB: https://docs.aws.amazon.com/lambda/latest/dg/with-ddb-filtering.html
"""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

import tamis
from tamis.patterns import parse_filter_criteria


def criteria(*patterns: dict[str, Any]) -> dict[str, Any]:
    """FilterCriteria as the API takes it: each Pattern is a JSON *string*."""
    return {"Filters": [{"Pattern": json.dumps(p)} for p in patterns]}


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def sqs_record(body: str) -> dict[str, Any]:
    # Shape of the example record on with-sqs-filtering.html.
    return {
        "messageId": "059f36b4-87a3-44ab-83d2-661975830a7d",
        "receiptHandle": "AQEBwJnKyrHigUMZj6rYigCgxlaS3SLy0a...",
        "body": body,
        "attributes": {
            "ApproximateReceiveCount": "1",
            "SentTimestamp": "1545082649183",
            "SenderId": "AIDAIENQZJOLO23YVJ4VO",
            "ApproximateFirstReceiveTimestamp": "1545082649185",
        },
        "messageAttributes": {},
        "md5OfBody": "e4e68fb7bd0e697a0ae8f1bb342846b3",
        "eventSource": "aws:sqs",
        "eventSourceARN": "arn:aws:sqs:us-west-2:123456789012:my-queue",
        "awsRegion": "us-west-2",
    }


def sqs_json(record_number: int, request_code: str) -> dict[str, Any]:
    body = {"RecordNumber": record_number, "TimeStamp": "yyyy-mm-ddThh:mm:ss", "RequestCode": request_code}
    return sqs_record(json.dumps(body, indent=4))


def kinesis_record(data: str) -> dict[str, Any]:
    # Shape of the example record on with-kinesis-filtering.html.
    return {
        "kinesis": {
            "kinesisSchemaVersion": "1.0",
            "partitionKey": "1",
            "sequenceNumber": "49590338271490256608559692538361571095921575989136588898",
            "data": b64(data),
            "approximateArrivalTimestamp": 1545084650.987,
        },
        "eventSource": "aws:kinesis",
        "eventVersion": "1.0",
        "eventID": "shardId-000000000006:49590338271490256608559692538361571095921575989136588898",
        "eventName": "aws:kinesis:record",
        "invokeIdentityArn": "arn:aws:iam::123456789012:role/lambda-role",
        "awsRegion": "us-east-2",
        "eventSourceARN": "arn:aws:kinesis:us-east-2:123456789012:stream/lambda-stream",
    }


def mq_record(data_b64: str) -> dict[str, Any]:
    # Shape of the ActiveMQ example record on with-mq-filtering.html.
    return {
        "messageID": "ID:b-9bcfa592-423a-4942-879d-eb284b418fc8-1.mq.us-west-2.amazonaws.com"
        "-37557-1234520418293-4:1:1:1:1",
        "messageType": "jms/text-message",
        "deliveryMode": 1,
        "replyTo": None,
        "type": None,
        "expiration": "60000",
        "priority": 1,
        "correlationId": "myJMSCoID",
        "redelivered": False,
        "destination": {"physicalName": "testQueue"},
        "data": data_b64,
        "timestamp": 1598827811958,
        "brokerInTime": 1598827811958,
        "brokerOutTime": 1598827811959,
        "properties": {"index": "1", "doAlarm": "false", "myCustomProperty": "value"},
    }


DDB_RECORD = {
    # The example record on with-ddb-filtering.html.
    "eventID": "1",
    "eventVersion": "1.0",
    "dynamodb": {
        "ApproximateCreationDateTime": "1678831218.0",
        "Keys": {"CustomerName": {"S": "AnyCompany Industries"}},
        "NewImage": {
            "AccountManager": {"S": "Pat Candella"},
            "PaymentTerms": {"S": "60 days"},
            "CustomerName": {"S": "AnyCompany Industries"},
        },
        "SequenceNumber": "111",
        "SizeBytes": 26,
        "StreamViewType": "NEW_IMAGE",
    },
}


def passes(filter_criteria: dict[str, Any], record: dict[str, Any]) -> bool:
    compiled = tamis.compile_pattern(filter_criteria, dialect="lambda")
    answer = compiled.matches(record)
    # The same criteria given as JSON text, and the record as JSON text, answer alike.
    assert (
        tamis.compile_pattern(json.dumps(filter_criteria), dialect="lambda").matches(json.dumps(record))
        is answer
    )
    return answer


# ---------------------------------------------------------------------------------------------------------
# SQS (with-sqs-filtering.html)


def test_sqs_json_body_exact() -> None:
    request_code_bbbb = criteria({"body": {"RequestCode": ["BBBB"]}})
    assert passes(request_code_bbbb, sqs_json(1234, "BBBB"))
    assert not passes(request_code_bbbb, sqs_json(1234, "AAAA"))


def test_sqs_json_body_numeric() -> None:
    over_9999 = criteria({"body": {"RecordNumber": [{"numeric": [">", 9999]}]}})
    assert not passes(over_9999, sqs_json(1234, "AAAA"))
    assert passes(over_9999, sqs_json(10000, "AAAA"))


def test_filters_are_ored() -> None:
    either = criteria(
        {"body": {"RequestCode": ["BBBB"]}}, {"body": {"RecordNumber": [{"numeric": [">", 9999]}]}}
    )
    assert passes(either, sqs_json(1234, "BBBB"))
    assert passes(either, sqs_json(10000, "AAAA"))
    assert not passes(either, sqs_json(1234, "AAAA"))


def test_sqs_plain_string_body_against_json_pattern_is_dropped() -> None:
    # invocation-eventfiltering.html: plain-string body, JSON filter pattern for body -> Lambda drops it.
    assert not passes(criteria({"body": {"RequestCode": ["BBBB"]}}), sqs_record("RequestCode BBBB"))


def test_sqs_plain_string_body_is_dropped_even_for_exists_false() -> None:
    assert not passes(criteria({"body": {"RequestCode": [{"exists": False}]}}), sqs_record("hello"))


def test_sqs_plain_string_body_against_plain_string_pattern() -> None:
    # Plain-string body with a plain-string pattern -> filtered on the criteria.
    starts_with_hello = criteria({"body": [{"prefix": "Hello"}]})
    assert passes(starts_with_hello, sqs_record("Hello from SQS"))
    assert not passes(starts_with_hello, sqs_record("Goodbye"))
    assert passes(criteria({"body": ["exact text"]}), sqs_record("exact text"))


def test_sqs_json_body_against_plain_string_pattern_is_dropped() -> None:
    # JSON body with a plain-string pattern for body -> Lambda drops the message.
    body = json.dumps({"RequestCode": "BBBB"})
    assert not passes(criteria({"body": [{"prefix": "{"}]}), sqs_record(body))
    assert not passes(criteria({"body": [body]}), sqs_record(body))


# ---------------------------------------------------------------------------------------------------------
# Kinesis (with-kinesis-filtering.html)

KINESIS_BUY = {"record": 12345, "order": {"type": "buy", "stock": "ANYCO", "quantity": 1000}}


def test_kinesis_json_data() -> None:
    buys = criteria({"data": {"order": {"type": ["buy"]}}})
    assert passes(buys, kinesis_record(json.dumps(KINESIS_BUY)))
    sell = {**KINESIS_BUY, "order": {**KINESIS_BUY["order"], "type": "sell"}}
    assert not passes(buys, kinesis_record(json.dumps(sell)))


def test_kinesis_doc_example_record() -> None:
    # The page's own record: data decodes to {"RecordNumber": "0001", ..., "RequestCode": "AAAA"}.
    record = kinesis_record("")
    record["kinesis"]["data"] = (
        "eyJSZWNvcmROdW1iZXIiOiAiMDAwMSIsICJUaW1lU3RhbXAiOiAieXl5eS1tbS1kZFRoaDptbTpzcyIsICJSZXF1ZXN0Q29kZSI6ICJBQUFBIn0="
    )
    assert passes(criteria({"data": {"RequestCode": ["AAAA"]}}), record)
    assert not passes(criteria({"data": {"RequestCode": ["BBBB"]}}), record)


def test_kinesis_non_json_data_against_json_pattern_is_dropped() -> None:
    assert not passes(criteria({"data": {"order": {"type": ["buy"]}}}), kinesis_record("buy ANYCO 1000"))


# ---------------------------------------------------------------------------------------------------------
# Amazon MQ (with-mq-filtering.html)


def test_mq_json_data_numeric() -> None:
    positive_timeout = criteria({"data": {"timeout": [{"numeric": [">", 0]}]}})
    assert not passes(
        positive_timeout, mq_record(b64(json.dumps({"timeout": 0, "IPAddress": "203.0.113.254"})))
    )
    assert passes(positive_timeout, mq_record(b64(json.dumps({"timeout": 30, "IPAddress": "203.0.113.254"}))))


def test_mq_plain_string_data_prefix() -> None:
    results = criteria({"data": [{"prefix": "Result: "}]})
    assert passes(results, mq_record(b64("Result: 42")))
    assert not passes(results, mq_record(b64("Error: 42")))
    # The page's example data "QUJDOkFBQUE=" is the plain string "ABC:AAAA".
    assert passes(criteria({"data": [{"prefix": "ABC:"}]}), mq_record("QUJDOkFBQUE="))
    assert not passes(results, mq_record("QUJDOkFBQUE="))


# ---------------------------------------------------------------------------------------------------------
# DynamoDB (with-ddb-filtering.html)


def test_dynamodb_table_keys() -> None:
    key = criteria({"dynamodb": {"Keys": {"CustomerName": {"S": ["AnyCompany Industries"]}}}})
    assert passes(key, DDB_RECORD)
    other = criteria({"dynamodb": {"Keys": {"CustomerName": {"S": ["Example Corp"]}}}})
    assert not passes(other, DDB_RECORD)


def test_dynamodb_new_image_attribute() -> None:
    managers = criteria(
        {"dynamodb": {"NewImage": {"AccountManager": {"S": ["Pat Candella", "Shirley Rodriguez"]}}}}
    )
    assert passes(managers, DDB_RECORD)
    record = json.loads(json.dumps(DDB_RECORD))
    record["dynamodb"]["NewImage"]["AccountManager"] = {"S": "Terry Whitlock"}
    assert not passes(managers, record)


def test_dynamodb_exists_on_image() -> None:
    has_terms = criteria({"dynamodb": {"NewImage": {"PaymentTerms": {"S": [{"exists": True}]}}}})
    assert passes(has_terms, DDB_RECORD)
    no_old_image = criteria({"dynamodb": {"OldImage": [{"exists": False}]}})
    assert passes(no_old_image, DDB_RECORD)


# ---------------------------------------------------------------------------------------------------------
# The criteria object itself


@pytest.mark.parametrize(
    "bad",
    [
        {"Filters": [{"Pattern": "not json"}]},
        {"Filters": [{"Pattern": json.dumps({"body": {"a": "x"}})}]},
        {"Filters": [{"NotPattern": "{}"}]},
        {"Filter": []},
    ],
)
def test_invalid_criteria_are_rejected(bad: dict[str, Any]) -> None:
    with pytest.raises(tamis.PatternError):
        tamis.compile_pattern(json.dumps(bad), dialect="lambda")


def test_ruleset_with_lambda_dialect() -> None:
    rs = tamis.RuleSet(dialect="lambda")
    rs.add("bbbb", criteria({"body": {"RequestCode": ["BBBB"]}}))
    rs.add("big", criteria({"body": {"RecordNumber": [{"numeric": [">", 9999]}]}}))
    assert rs.matches(sqs_json(10000, "BBBB")) == ["bbbb", "big"]
    assert rs.matches(sqs_json(1, "AAAA")) == []


def test_filter_count_follows_the_limit_given() -> None:
    """``parse_filter_criteria`` checks the filter count against the limit it is given (the Lambda dialect
    passes 10, the raised quota), not a fixed number."""
    three = criteria({"a": ["1"]}, {"a": ["2"]}, {"a": ["3"]})
    assert len(parse_filter_criteria(three, max_filters=3)) == 3
    with pytest.raises(tamis.PatternError) as info:
        parse_filter_criteria(three, max_filters=2)
    assert info.value.rule == "lambda-filter-count"
    assert "at most 2 filters" in str(info.value)
    eleven = criteria(*({"a": [str(i)]} for i in range(11)))
    with pytest.raises(tamis.PatternError, match="at most 10 filters"):
        tamis.compile_pattern(eleven, dialect="lambda")
