"""The validator's fast paths give the same answers as the grammars they short-cut.

``check_intrinsic`` reads plain intrinsic calls with a hand-written parser and keeps the Lark grammar
(``intrinsics.lark``) for everything else; these tests compare the two on generated calls, well-formed
and mangled, and check that the fast path really takes the common calls.
"""

from __future__ import annotations

from hypothesis import example, given
from hypothesis import strategies as st

from tamis.grammar.asl.intrinsics import SIGNATURES, _check_call, check_intrinsic, fast_parse, grammar_check

NAMES = sorted(SIGNATURES)

# Whitespace the grammar ignores, and some it does not (the fast path must give up on those).
plain_ws = st.sampled_from(["", "", "", " ", "  ", "\t", "\n", "\r\n"])
odd_ws = st.sampled_from(["", " ", "\t", "\n", "\x0b", "\x0c", "\u00a0", "\u2003"])

string_chars = st.sampled_from([*"ab {}'\\\"\n,()$.é", "\\'", "\\{", "\\}", "\\\\", "\\n", '\\"'])
strings = st.lists(string_chars, max_size=8).map(lambda parts: "'" + "".join(parts) + "'")
numbers = st.one_of(
    st.integers(-1000, 1000).map(str),
    st.floats(allow_nan=False, allow_infinity=False, width=32).map(repr),
    st.sampled_from(["0", "-0", "1.5", "2e3", "2E-3", "1.0e+2", "01", "1.", ".5", "-", "1e", "0x1", "1_0"]),
)
path_tail = st.lists(
    st.sampled_from(
        [
            ".a",
            ".b_c",
            "[0]",
            "[12]",
            ".x-y",
            "[*]",
            "..a",
            "[?(@.a)]",
            "['k']",
            '["k"]',
            "[a]",
            "[",
            ".é",
            '"',
            "]",
            ".$",
            "@",
            "\\",
            "[1:2]",
        ]
    ),
    max_size=4,
).map("".join)
paths = st.builds(lambda head, tail: head + tail, st.sampled_from(["$", "$$", "$v", "$$x"]), path_tail)
keywords = st.sampled_from(["true", "false", "null", "True", "truex", "nul"])
other_names = st.sampled_from(["States.Nope", "Foo", "States.", "States..Array", "true", "_x.y1", "9a"])


def calls(ws: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    def extend(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        return st.builds(
            lambda name, args, w1, w2, w3: f"{name}{w1}({w2}{(',' + w3).join(args)}{w3})",
            st.one_of(st.sampled_from(NAMES), other_names),
            st.lists(inner, max_size=4),
            ws,
            ws,
            ws,
        )

    leaves = st.one_of(strings, numbers, paths, keywords)
    return st.recursive(leaves, extend, max_leaves=12).filter(lambda s: "(" in s)


def mangle(text: str, data: st.DataObject) -> str:
    """Delete, insert or duplicate a few characters."""
    for _ in range(data.draw(st.integers(0, 3))):
        if not text:
            break
        at = data.draw(st.integers(0, len(text) - 1))
        op = data.draw(st.sampled_from(["del", "ins", "dup"]))
        if op == "del":
            text = text[:at] + text[at + 1 :]
        elif op == "dup":
            text = text[:at] + text[at] + text[at:]
        else:
            text = text[:at] + data.draw(st.sampled_from(list("(),'$.\\ \x0b1eé[]\""))) + text[at:]
    return text


def _fast_answer(text: str) -> object:
    call = fast_parse(text)
    if call is None:
        return None
    variables: list[str] = []
    error = _check_call(call, 1, variables)  # type: ignore[arg-type]
    return (error, tuple(variables))


def _agrees(text: str) -> None:
    fast = _fast_answer(text)
    reference = grammar_check(text)
    if fast is not None:
        # the fast path accepted: the grammar must parse it too, with the same verdict and variables
        assert reference.column is None, (text, reference)
        assert fast == (reference.error, reference.variables), text
    assert check_intrinsic.__wrapped__(text) == reference, text


@given(calls(plain_ws), st.sampled_from(["", " ", "\n\t"]), st.sampled_from(["", " ", "\r\n"]))
@example("States.Format('step {}', $.n)", "", "")
@example("States.Array(" * 11 + ")" * 11, "", "")
@example("true(1)", "", "")
@example("States.Array(true ())", "", "")
@example("States.Format('a\\\nb')", "", "")
def test_fast_path_matches_grammar(call: str, before: str, after: str) -> None:
    _agrees(before + call + after)


@given(calls(odd_ws), st.data())
def test_fast_path_matches_grammar_on_mangled_calls(call: str, data: st.DataObject) -> None:
    _agrees(mangle(call, data))


def test_fast_path_takes_the_common_calls() -> None:
    common = [
        "States.Format('step {}', $.n)",
        "States.Format('Hello, {} \\{x\\}', $.name)",
        "States.StringToJson($.s)",
        "States.JsonToString($$.Execution.Input)",
        "States.Array(1, 'two', true, null, $.x[0], States.UUID())",
        "States.ArrayPartition($.items, 4)",
        "States.ArrayRange(1, 9, 2)",
        "States.Hash($.body, 'SHA-256')",
        "States.JsonMerge($.a, $.b, false)",
        "States.MathAdd($count.n, -1.5e3)",
        "States.MathRandom(1, 999)",
        "States.Base64Encode(States.Format('{}:{}', $user, $.password))",
    ]
    for text in common:
        assert fast_parse(text) is not None, text
        assert check_intrinsic(text) == grammar_check(text), text
    assert check_intrinsic("States.Format('{}{}', $a.b, $$.x)").variables == ("a",)


def test_fast_path_leaves_syntax_errors_to_the_grammar() -> None:
    for text in ("States.Format('x'", "States.Array(1,)", "States.Array(1 2)", "States.Array($.a[0)"):
        assert fast_parse(text) is None
        info = check_intrinsic(text)
        assert info.error is not None and info.column is not None, text


@given(st.lists(st.one_of(st.text(alphabet="ab/~0 é", max_size=4), st.integers(0, 20)), max_size=6))
def test_pointer_escapes_like_rfc6901(path: list[str | int]) -> None:
    from tamis.asl import pointer

    expected = "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in path) or "/"
    assert pointer(tuple(path)) == expected
