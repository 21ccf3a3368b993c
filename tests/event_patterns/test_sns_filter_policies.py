"""SNS filter policies: examples from the Amazon SNS developer guide, both filter policy scopes.

* https://docs.aws.amazon.com/sns/latest/dg/string-value-matching.html
* https://docs.aws.amazon.com/sns/latest/dg/numeric-value-matching.html
* https://docs.aws.amazon.com/sns/latest/dg/subscription-filter-policy-constraints.html ("five digits of
  accuracy after the decimal point"; attribute-based filtering only compares String, String.Array and
  Number attributes)

Attributes are given in the delivery shape ``{"Type": ..., "Value": ...}`` and in the Publish API shape
``{"DataType": ..., "StringValue": ...}``; both must answer alike.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

import tamis


def attr(kind: str, value: str) -> dict[str, str]:
    return {"Type": kind, "Value": value}


def attributes_match(policy: dict[str, Any], attributes: dict[str, dict[str, str]]) -> bool:
    compiled = tamis.compile_pattern(json.dumps(policy), dialect="sns", scope="MessageAttributes")
    answer = compiled.matches(attributes)
    publish_shape = {k: {"DataType": v["Type"], "StringValue": v["Value"]} for k, v in attributes.items()}
    assert compiled.matches(publish_shape) is answer
    return answer


def body_matches(policy: dict[str, Any], body: Any) -> bool:
    compiled = tamis.compile_pattern(json.dumps(policy), dialect="sns", scope="MessageBody")
    answer = compiled.matches(json.dumps(body))
    assert compiled.matches(body) is answer
    return answer


# ---------------------------------------------------------------------------------------------------------
# string-value-matching.html


def test_exact_string() -> None:
    policy = {"customer_interests": ["rugby", "tennis"]}
    for value in ("rugby", "tennis"):
        assert attributes_match(policy, {"customer_interests": attr("String", value)})
        assert body_matches(policy, {"customer_interests": value})
    assert not attributes_match(policy, {"customer_interests": attr("String", "baseball")})
    assert not body_matches(policy, {"customer_interests": "baseball"})


def test_prefix() -> None:
    policy = {"customer_interests": [{"prefix": "bas"}]}
    for value in ("baseball", "basketball"):
        assert attributes_match(policy, {"customer_interests": attr("String", value)})
    assert not attributes_match(policy, {"customer_interests": attr("String", "rugby")})


def test_anything_but_strings_and_string_arrays() -> None:
    policy = {"customer_interests": [{"anything-but": ["rugby", "tennis"]}]}
    for value in ("baseball", "football"):
        assert attributes_match(policy, {"customer_interests": attr("String", value)})
        assert body_matches(policy, {"customer_interests": value})
    # "because it contains a value that isn't rugby or tennis"
    assert attributes_match(policy, {"customer_interests": attr("String.Array", '["rugby", "baseball"]')})
    assert body_matches(policy, {"customer_interests": ["rugby", "baseball"]})
    assert not attributes_match(policy, {"customer_interests": attr("String", "rugby")})
    assert not attributes_match(policy, {"customer_interests": attr("String.Array", '["rugby", "tennis"]')})


def test_string_array_any_element() -> None:
    policy = {"customer_interests": ["rugby"]}
    assert attributes_match(policy, {"customer_interests": attr("String.Array", '["soccer", "rugby"]')})
    assert not attributes_match(policy, {"customer_interests": attr("String.Array", '["soccer"]')})


# ---------------------------------------------------------------------------------------------------------
# numeric-value-matching.html


def test_numeric_equals() -> None:
    policy = {"price_usd": [{"numeric": ["=", 301.5]}]}
    for value in ("301.5", "3.015e2"):
        assert attributes_match(policy, {"price_usd": attr("Number", value)})
    assert body_matches(policy, json.loads('{"price_usd": 3.015e2}'))
    assert tamis.compile_pattern(json.dumps(policy), dialect="sns", scope="MessageBody").matches(
        '{ "price_usd": 3.015e2 }'
    )
    assert not attributes_match(policy, {"price_usd": attr("Number", "301.6")})


def test_numeric_anything_but() -> None:
    policy = {"price": [{"anything-but": [100, 500]}]}
    for value in ("101", "100.1"):
        assert attributes_match(policy, {"price": attr("Number", value)})
        assert body_matches(policy, {"price": json.loads(value)})
    assert not attributes_match(policy, {"price": attr("Number", "100")})
    assert not body_matches(policy, {"price": 100})
    assert body_matches(policy, {"price": [100, 50]})


def test_numeric_anything_but_number_array() -> None:
    policy = {"price": [{"anything-but": [100, 500]}]}
    assert attributes_match(policy, {"price": attr("Number.Array", "[100, 50]")})


def test_numeric_ranges() -> None:
    negative = {"price_usd": [{"numeric": ["<", 0]}]}
    assert attributes_match(negative, {"price_usd": attr("Number", "-0.5")})
    assert not attributes_match(negative, {"price_usd": attr("Number", "0")})
    up_to_150 = {"price_usd": [{"numeric": [">", 0, "<=", 150]}]}
    assert attributes_match(up_to_150, {"price_usd": attr("Number", "150")})
    assert attributes_match(up_to_150, {"price_usd": attr("Number", "0.01")})
    assert not attributes_match(up_to_150, {"price_usd": attr("Number", "150.5")})
    assert not attributes_match(up_to_150, {"price_usd": attr("Number", "0")})


def test_five_decimal_digits_of_accuracy() -> None:
    # Constraints page: numbers are compared with five digits of accuracy after the decimal point, so
    # these two differ only below that accuracy (corpus: sns_filter_policy_disputed.jsonl).
    policy = {"price": [100.123456789]}
    assert attributes_match(policy, {"price": attr("Number", "100.1234567")})
    assert not attributes_match(policy, {"price": attr("Number", "100.1235")})


# ---------------------------------------------------------------------------------------------------------
# Attribute types and shapes


def test_binary_attributes_are_not_compared() -> None:
    assert not attributes_match({"blob": ["eA=="]}, {"blob": attr("Binary", "eA==")})


def test_number_attribute_is_not_a_string() -> None:
    assert not attributes_match({"n": ["5"]}, {"n": attr("Number", "5")})
    assert attributes_match({"n": [5]}, {"n": attr("Number", "5.0")})


def test_missing_attribute() -> None:
    assert not attributes_match({"store": ["x"]}, {"other": attr("String", "x")})
    assert attributes_match({"store": [{"exists": False}]}, {"other": attr("String", "x")})
    assert attributes_match({"store": [{"exists": True}]}, {"store": attr("String", "")})


def test_attributes_as_json_text() -> None:
    compiled = tamis.compile_pattern('{"store": ["x"]}', dialect="sns", scope="MessageAttributes")
    assert compiled.matches(json.dumps({"store": attr("String", "x")}))


def test_message_body_scope_nested() -> None:
    policy = {"store": {"name": ["example_corp"]}, "price": [{"numeric": [">", 10]}]}
    assert body_matches(policy, {"store": {"name": "example_corp"}, "price": 11})
    assert not body_matches(policy, {"store": {"name": "example_corp"}, "price": 9})
    assert not body_matches(policy, {"store": "example_corp", "price": 11})


def test_message_body_that_is_not_json_matches_no_field_policy() -> None:
    compiled = tamis.compile_pattern('{"store": ["x"]}', dialect="sns", scope="MessageBody")
    assert not compiled.matches("plain text message")


def _decoded_with_decimals(raw: str) -> Any:
    """A String.Array value as the Decimal-keeping decoder alone reads it (the definition)."""
    try:
        return json.loads(raw, parse_float=Decimal)
    except ValueError:
        return raw


@given(
    st.one_of(
        st.lists(
            st.one_of(st.text(max_size=5), st.integers(), st.floats(allow_nan=False), st.none()), max_size=4
        ).map(json.dumps),
        st.text(max_size=12),
        st.sampled_from(['["a", "\\ud800"]', "[NaN]", "[1e999]", '"x"', "12.50", "[1, 2.500]", '["a",]']),
    )
)
def test_string_array_decoding_keeps_its_definition(raw: str) -> None:
    from tamis.runtime.events.service_inputs import _string_array

    # repr: NaN is not equal to itself, and Decimal("2.500") must not pass for 2.5
    assert repr(_string_array(raw)) == repr(_decoded_with_decimals(raw))
