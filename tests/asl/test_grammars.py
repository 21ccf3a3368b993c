"""The three ASL grammars: Paths, intrinsic functions and JSONata, with Step Functions' extra rules."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tamis.grammar.asl.intrinsics import check_intrinsic, looks_like_call
from tamis.grammar.asl.jsonata import check_jsonata, grammar_check, split_expression
from tamis.grammar.asl.jsonpath import check_path, parse_path


@pytest.mark.parametrize(
    ("path", "root", "reference"),
    [
        ("$", "input", True),
        ("$.a.b[0]", "input", True),
        ("$$", "context", True),
        ("$$.Execution.Id", "context", True),
        ("$$.Map.Item.Value", "context", True),
        ("$counter", "variable", True),
        ("$order.items[2].sku", "variable", True),
        ("$['test-data']['x y']", "input", True),
        ("$.store\\.book", "input", True),
        ("$.[0]", "input", True),
        ("$..price", "input", False),
        ("$.a[*]", "input", False),
        ("$.a.*", "input", False),
        ("$.a[0,1]", "input", False),
        ("$.vals[-3:]", "input", False),
        ("$.a[-1]", "input", False),
        ("$[?(@.price < 10)].title", "input", False),
    ],
)
def test_paths_classified(path: str, root: str, reference: bool) -> None:
    info = parse_path(path)
    assert info.error is None
    assert (info.root, info.reference) == (root, reference)


@pytest.mark.parametrize(
    "path", [".guid", "..guid", "()", "$...", "$$23", "23", "$.", "$[", "$.a..", "$.a b"]
)
def test_bad_paths_rejected(path: str) -> None:
    assert parse_path(path).error is not None


def test_variable_name_is_reported() -> None:
    assert parse_path("$order.items").variable == "order"
    assert parse_path("$.order").variable is None


def test_reference_and_context_restrictions() -> None:
    assert check_path("$.a[*]") is None
    assert check_path("$.a[*]", reference=True) is not None
    assert check_path("$$.Execution", reference=True, context=False) is not None


_ident = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,8}", fullmatch=True)


@given(st.lists(st.one_of(_ident, st.integers(0, 99)), max_size=6), st.sampled_from(["$", "$$", "$v"]))
def test_generated_simple_paths_are_reference_paths(steps: list[object], root: str) -> None:
    text = root + "".join(f"[{s}]" if isinstance(s, int) else f".{s}" for s in steps)
    info = parse_path(text)
    assert info.error is None and info.reference
    assert info.root == {"$": "input", "$$": "context", "$v": "variable"}[root]


@pytest.mark.parametrize(
    "call",
    [
        "States.UUID()",
        "States.Format('{}-{}', $.a, $$.Execution.Id)",
        "States.Format('a \\{} {}', 1)",
        "States.MathAdd($.count, -1)",
        "States.JsonMerge($.a, $b, false)",
        "States.Hash($.data, 'SHA-256')",
        "States.ArrayRange(1, 9, 2)",
        "States.StringSplit($.s, ',')",
        "States.Array()",
        "States.MathRandom(1, 10)",
        "States.JsonToString($)",
        "States.Format($.template, $.x)",
    ],
)
def test_good_intrinsics(call: str) -> None:
    assert check_intrinsic(call).error is None


@pytest.mark.parametrize(
    ("call", "fragment"),
    [
        ("States.MathAdd(1,'-1')", "must be a number"),
        ("States.UUID(1)", "takes 0"),
        ("States.Hash($.a)", "takes 2"),
        ("States.Hash($.a, 'SHA-2')", "algorithm"),
        ("States.JsonMerge($.a, $.b, true)", "shallow"),
        ("States.Frobnicate(1)", "unknown intrinsic"),
        ("States.Format('{}', 1, 2)", "placeholder"),
        ("States.Format('x \\\"y\\\"')", "escape"),
        ("States.ArrayRange(1, 5, 0)", "step"),
        ("States.ArrayGetItem($.a, -1)", "non-negative"),
        ("States.ArrayPartition($.a, 0)", "positive"),
        ("States.JsonToString('x')", "a path"),
        ("States.Array(" * 11 + ")" * 11, "nested"),
        ("States.Format('a'", "syntax"),
        ("States.Format('a, $.x)", "syntax"),
    ],
)
def test_bad_intrinsics(call: str, fragment: str) -> None:
    error = check_intrinsic(call).error
    assert error is not None and fragment in error


def test_nesting_limit_is_ten() -> None:
    assert check_intrinsic("States.Array(" * 10 + ")" * 10).error is None
    assert check_intrinsic("States.Array(" * 11 + ")" * 11).error is not None


def test_intrinsic_variables_collected() -> None:
    assert check_intrinsic("States.Format('{}{}', $a.b, $$.x)").variables == ("a",)
    assert looks_like_call("States.UUID()") and not looks_like_call("hello (world)")


@pytest.mark.parametrize(
    "expr",
    [
        "$states.input.a",
        "1 + 2 * 3 - -4",
        "$x := 5",
        "a ? b : c",
        "$f(?, 2)",
        "$states.input.items[price > 5].name",
        "{ 'a': 1, \"b\": [1..5] }",
        "function($x){ $x * 2 }",
        "λ($x)<n:n>{$x}",
        "$count($states.input) ~> $string()",
        "Account.Order.Product^(>Price, Description)",
        "$sum($states.input.a) / 3",
        "$match($states.input.s, /a\\/b+/i)",
        "( $a := 1; $b := 2; $a + $b )",
        "$states.input.a and $states.input.b or $not($states.input.c)",
        "$states.input.x in [1, 2]",
        "`weird name`",
        "| $ | {'x': 1} |",
        "$states.input.a@$o#$i.b",
        "/* comment */ 3 % 2",
        "[]",
        "{}",
    ],
)
def test_jsonata_syntax_accepted(expr: str) -> None:
    assert check_jsonata(expr).error is None


@pytest.mark.parametrize(
    ("expr", "column"),
    [("1 +", 4), ("(a", 3), ("$sum($states.input.items.numbers", 33), ("10 + * 2", 8), ("a ==== b", 4)],
)
def test_jsonata_syntax_errors_have_positions(expr: str, column: int) -> None:
    info = check_jsonata(expr)
    assert info.error is not None
    assert info.line == 1 and info.column == column


def test_jsonata_top_level_references() -> None:
    assert check_jsonata(" phone ").top_level == ("phone",)
    assert check_jsonata(" $.x ").top_level == ("$",)
    assert "$$" in check_jsonata(" $$.x ").top_level
    # nested inside a predicate or a path step: relative to the context, allowed
    assert check_jsonata("$states.input.items[price > 5]").top_level == ()
    assert check_jsonata("$map($states.input, function($v){ $v.x })").top_level == ()
    assert check_jsonata("$count(items)").top_level == ("items",)


def test_jsonata_states_fields_and_variables() -> None:
    info = check_jsonata("$states.result.Payload & $states.context.Execution.Id & $limit")
    assert set(info.states_fields) == {"result", "context"}
    assert info.variables == ("limit",)
    assert check_jsonata("( $a := 1; $a + $b )").variables == ("b",)
    assert split_expression("{% 1 %}") == " 1 "
    assert split_expression("100% {literal}") is None


@given(st.lists(st.integers(0, 999), min_size=1, max_size=8), st.lists(st.sampled_from("+-*/%&"), min_size=7))
def test_generated_arithmetic_parses(numbers: list[int], ops: list[str]) -> None:
    text = str(numbers[0]) + "".join(f" {op} {n}" for op, n in zip(ops, numbers[1:], strict=False))
    assert check_jsonata(text).error is None
    assert check_jsonata(text + " +").error is not None


_ref = st.builds(
    lambda head, steps: head + "".join("." + x for x in steps),
    st.sampled_from(["$states", "$", "$$", "$count", "phone", "$states.input"]),
    st.lists(st.from_regex(r"[a-z_][a-z0-9_]{0,5}", fullmatch=True), max_size=3),
)


@given(_ref, st.sampled_from(["", " ", "\n "]))
def test_reference_shortcut_agrees_with_grammar(ref: str, pad: str) -> None:
    text = pad + ref + pad
    assert check_jsonata(text) == grammar_check(text)


@pytest.mark.parametrize(
    "expr",
    [
        "$states.input.items ~> $filter(function($v){ $v.price > 10 })",
        "$exists($states.input.x) ? 'a' : 'b'",
        "$states.input.orders[status='open'].id",
        "$sum($states.input.items.(price * quantity))",
        "{'total': $sum($states.input.items.price), 'count': $count($states.input.items)}",
        "$states.input.list[-1]",
        "$states.input.items[$.price > 5]",
        "$map($states.input.n, function($i) { $i * 2 })",
        "$states.input.obj.*.value",
        "$states.input.**.id",
        "$contains($states.input.s, /^abc/i)",
        "$states.input.items^(>price)[0]",
        "$each($states.input.map, function($v, $k) {$k & '=' & $v})",
        "$states.input.data.{ 'id': id, 'name': name }",
        "$states.input.items#$i[$i < 3]",
        "$states.input.items[0..2]",
        "[1..$count($states.input.items)]",
        "$reduce($states.input.nums, function($acc, $n) { $acc + $n }, 0)",
        "$states.input ~> |$|{'added': true}|",
        "$states.input.(a + b)",
    ],
)
def test_realistic_expressions_read_only_the_input(expr: str) -> None:
    info = check_jsonata(f" {expr} ")
    assert info.error is None
    assert info.top_level == ()
    assert info.states_fields == ("input",)
