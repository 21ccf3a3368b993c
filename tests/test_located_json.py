from decimal import Decimal

import pytest
from tamis.grammar.located_json import parse_json

from tamis.errors import TamisError


def test_positions_and_exact_numbers() -> None:
    doc = parse_json('{"a": [1, 2.50, {"b": null}],\n "c": 3e2}', source="f.json")
    assert doc.value == {"a": [1, Decimal("2.50"), {"b": None}], "c": Decimal("3e2")}
    assert doc.position(("a", 2, "b")) == (1, 23)
    assert doc.position(("c",)) == (2, 7)
    assert doc.position(("c",), key=True) == (2, 2)
    assert doc.raw(("a", 1)) == "2.50"


def test_duplicate_keys_last_wins_and_are_recorded() -> None:
    doc = parse_json('{"a": 1, "a": 2}')
    assert doc.value == {"a": 2}
    assert [d[0] for d in doc.duplicates] == [("a",)]


@pytest.mark.parametrize(
    ("text", "line", "column", "words"),
    [
        ('{"a":["x"', 1, 10, "end of input"),
        ("{'a':['x']}", 1, 2, "double quotes"),
        ('{"a": 01}', 1, 8, "unexpected"),
        ("[1,]", 1, 4, "unexpected"),
        ('{"a":1}\n x', 2, 2, "unexpected character"),
        ('"\\q"', 1, 2, "escape"),
        (b'"\xff"', 1, 2, "UTF-8"),
    ],
)
def test_bad_json_is_located(text: str | bytes, line: int, column: int, words: str) -> None:
    with pytest.raises(TamisError) as info:
        parse_json(text, source="p.json")
    err = info.value
    assert (err.line, err.column) == (line, column)
    assert words in err.message
    assert str(err).startswith(f"p.json:{line}:{column}: ")


def test_nesting_limit_is_an_error_not_a_crash() -> None:
    with pytest.raises(TamisError, match="nesting"):
        parse_json("[" * 600 + "]" * 600)
