"""Hostile policies and messages: a located PolicyError or a defined answer, never another exception.

Lone surrogates in a message given as ``str`` are read as ``?``, as the services' UTF-8 encoders write
them; in a policy they are refused, as are keys that are not strings and nesting past 200 levels.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

import tamis
from tamis.errors import PolicyError
from tamis.runtime.redact import native

EMAIL = "arn:aws:dataprotection::aws:data-identifier/EmailAddress"
BASE: dict[str, Any] = {
    "Name": "p",
    "Version": "2021-06-01",
    "Statement": [
        {
            "Sid": "mask",
            "DataDirection": "Inbound",
            "Principal": ["*"],
            "DataIdentifier": [EMAIL],
            "Operation": {"Deidentify": {"MaskConfig": {}}},
        }
    ],
}


@pytest.fixture(params=["native", "python"])
def engine(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    if request.param == "native" and not native.USE_NATIVE:
        pytest.skip("the redactor's native core is not built")
    monkeypatch.setattr(native, "USE_NATIVE", request.param == "native")
    yield request.param


def deep(levels: int) -> Any:
    value: Any = 1
    for _ in range(levels):
        value = {"a": value}
    return value


def test_lone_surrogates_in_messages_read_as_question_marks(engine: str) -> None:
    policy = tamis.compile_policy(json.dumps(BASE))
    message = "to a@b.com\ud800 and \udfff"
    out = policy.apply(message, direction="Inbound")
    assert out.message == "to *******? and ?"
    assert [(f.start, f.end) for f in policy.scan(message)] == [(3, 10)]
    out.message.encode("utf-8")
    # a surrogate pair given as two code points is the one character it spells
    assert policy.apply("\ud83d\ude00 a@b.com", direction="Inbound").message == "\U0001f600 *******"


@pytest.mark.parametrize(
    ("change", "pointer"),
    [
        ({"Name": "p\ud800"}, "/Name"),
        ({"Description": "\udc00"}, "/Description"),
        ({"Configuration": {"CustomDataIdentifier": [{"Name": "x", "Regex": "a\ud800"}]}}, None),
    ],
)
def test_lone_surrogates_in_policies_are_refused(change: dict[str, Any], pointer: str | None) -> None:
    policy = {**BASE, **change}
    with pytest.raises(PolicyError) as info:
        tamis.compile_policy(policy)
    assert info.value.rule == "unicode"
    if pointer is not None:
        assert info.value.pointer == pointer
    text = json.dumps(policy)  # the same, written as JSON escapes, is located
    with pytest.raises(PolicyError) as info:
        tamis.compile_policy(text)
    assert info.value.rule == "unicode" and info.value.line == 1 and info.value.column is not None


def test_non_string_keys_are_named() -> None:
    with pytest.raises(PolicyError) as info:
        tamis.compile_policy({**BASE, 1: "x"})
    assert (info.value.rule, info.value.pointer) == ("key-type", "/1")


@pytest.mark.parametrize("levels", [201, 100_000])
def test_any_depth_of_policy_dict_is_a_policy_error(levels: int) -> None:
    with pytest.raises(PolicyError) as info:
        tamis.compile_policy({**BASE, "Description": deep(levels)})
    assert info.value.rule == "json-nesting"


def test_any_depth_of_policy_text_is_a_located_policy_error() -> None:
    with pytest.raises(PolicyError) as info:
        tamis.compile_policy("[" * 15_000 + "]" * 15_000)
    assert info.value.rule == "json-nesting" and (info.value.line, info.value.column) == (1, 202)


def _custom(regex: str) -> dict[str, Any]:
    statement = dict(BASE["Statement"][0], DataIdentifier=["Custom"])
    return {
        **BASE,
        "Statement": [statement],
        "Configuration": {"CustomDataIdentifier": [{"Name": "Custom", "Regex": regex}]},
    }


@pytest.mark.parametrize("regex", [r"\C", r"a\Cb", r"[\C]", r"\d\C{2}"])
def test_any_byte_escape_is_refused(regex: str) -> None:
    # \C matches one byte of UTF-8 text: it could mask half a character and leave invalid UTF-8.
    with pytest.raises(PolicyError) as info:
        tamis.compile_policy(_custom(regex))
    assert "\\C" in info.value.message and "UTF-8" in info.value.message


def test_an_escaped_backslash_before_c_is_a_literal() -> None:
    policy = tamis.compile_policy(_custom(r"x\\Cy"))
    assert [(f.start, f.end) for f in policy.scan("a x\\Cy b é")] == [(2, 6)]


@pytest.mark.parametrize(
    "regex", [r"\b", r"\B", "^", "$", r"\A", r"\z", r"^$", r"\b|a", "a*", r"a?\b", r"\b\B"]
)
def test_every_regex_that_can_match_empty_text_is_refused(regex: str) -> None:
    with pytest.raises(PolicyError) as info:
        tamis.compile_policy(_custom(regex))
    assert "empty text" in info.value.message


@pytest.mark.parametrize("regex", [r"\b\d{3}\b", r"^\d+$", r"[\^$]x", r"\bab", r"\\b"])
def test_anchored_regexes_that_need_text_are_accepted(regex: str) -> None:
    tamis.compile_policy(_custom(regex))
