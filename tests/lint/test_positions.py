"""Property: wherever and however a pattern is written (a YAML mapping, a JSON string in a block scalar or a
quoted scalar, an HCL ``jsonencode`` object, heredoc or quoted string), the finding is reported at the line
and column of the offending value in the file the user edits."""

from __future__ import annotations

import json
import tempfile
import textwrap
from pathlib import Path
from typing import Any

import yaml
from hypothesis import given
from hypothesis import strategies as st

from tamis.lint import lint

MARK = 987654321  # the offending value ("prefix" needs a string): unique in every generated file

keys = st.text(alphabet="abcdefghij-_", min_size=1, max_size=8).filter(lambda k: k[0].isalpha())
# Strings with characters that need escaping in JSON, YAML and HCL quoted forms.
values = st.text(alphabet="abc xyz\"\\/'é-_:#{}[],", min_size=0, max_size=12).filter(
    lambda s: "${" not in s and "%{" not in s and not s.endswith("$") and not s.endswith("%")
)
leaf = st.lists(values, min_size=1, max_size=3)


@st.composite
def patterns(draw: st.DrawFn) -> dict[str, Any]:
    detail = draw(st.dictionaries(keys, leaf, min_size=0, max_size=4))
    bad_key = draw(keys.filter(lambda k: k not in detail))
    items = list(detail.items())
    at = draw(st.integers(min_value=0, max_value=len(items)))
    items.insert(at, (bad_key, [{"prefix": MARK}]))
    return {"source": draw(leaf), "detail": dict(items)}


def _expected(text: str) -> tuple[int, int]:
    at = text.index(str(MARK))
    assert text.count(str(MARK)) == 1
    return text.count("\n", 0, at) + 1, at - (text.rfind("\n", 0, at) + 1) + 1


def _lint_one(name: str, text: str) -> list[tuple[int | None, int | None, str]]:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / name).write_text(text, encoding="utf-8")
        result = lint([name], cwd=root)
    return [(d.line, d.column, d.code) for d in result.diagnostics]


def _indent(text: str, n: int) -> str:
    return textwrap.indent(text, " " * n)


def _cfn(value_yaml: str) -> str:
    return (
        "Resources:\n  Rule:\n    Type: AWS::Events::Rule\n    Properties:\n      EventPattern:"
        + value_yaml
        + "\n"
    )


@given(pattern=patterns(), style=st.sampled_from(["mapping", "flow", "literal", "single", "double"]))
def test_yaml_positions(pattern: dict[str, Any], style: str) -> None:
    if style == "mapping":
        body = "\n" + _indent(yaml.safe_dump(pattern, allow_unicode=True, sort_keys=False), 8)
    elif style == "flow":
        body = " " + json.dumps(pattern, ensure_ascii=False)
    elif style == "literal":
        body = " |\n" + _indent(json.dumps(pattern, indent=2, ensure_ascii=False), 8)
    elif style == "single":
        body = " '" + json.dumps(pattern, ensure_ascii=False).replace("'", "''") + "'"
    else:
        body = " " + json.dumps(json.dumps(pattern, ensure_ascii=False), ensure_ascii=False)
    text = _cfn(body)
    if style == "double":
        # A JSON string literal is also a YAML double-quoted scalar, except for YAML's own escapes of "\/".
        assert yaml.safe_load(text)["Resources"]["Rule"]["Properties"]["EventPattern"] == json.dumps(
            pattern, ensure_ascii=False
        )
    found = _lint_one("template.yaml", text)
    assert found == [(*_expected(text), "EVT206")], text


def _hcl(value: Any, indent: int) -> str:
    pad = " " * indent
    if isinstance(value, dict):
        inner = "\n".join(f"{pad}  {json.dumps(k)} = {_hcl(v, indent + 2)}" for k, v in value.items())
        return "{\n" + inner + f"\n{pad}}}"
    if isinstance(value, list):
        return "[" + ", ".join(_hcl(v, indent) for v in value) + "]"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    return json.dumps(value)


@given(pattern=patterns(), style=st.sampled_from(["jsonencode", "heredoc", "heredoc-trim", "quoted"]))
def test_terraform_positions(pattern: dict[str, Any], style: str) -> None:
    raw = json.dumps(pattern, indent=2, ensure_ascii=False)
    if style == "jsonencode":
        value = f"jsonencode({_hcl(pattern, 2)})"
    elif style == "heredoc":
        value = f"<<EOF\n{raw}\nEOF"
    elif style == "heredoc-trim":
        value = f"<<-EOF\n{_indent(raw, 4)}\n  EOF"
    else:
        value = json.dumps(json.dumps(pattern, ensure_ascii=False), ensure_ascii=False)
    text = f'resource "aws_cloudwatch_event_rule" "r" {{\n  name = "r"\n  event_pattern = {value}\n}}\n'
    found = _lint_one("main.tf", text)
    assert found == [(*_expected(text), "EVT206")], text


_TOKENS = [
    "Resources:\n",
    "  R:\n",
    "    Type: AWS::Events::Rule\n",
    "    Type: AWS::SNS::Subscription\n",
    "    Properties:\n",
    "      EventPattern: ",
    "      FilterPolicy: ",
    "!Sub ",
    "!Ref X",
    "!Join ['', [",
    "|\n",
    "        ",
    '{"source": [',
    '{"prefix": ',
    '{"contains": ',
    '{"store": ',
    '{"Version": "2021-06-01", "Statement": ',
    '[{"DataIdentifier": ["arn:aws:dataprotection::aws:data-identifier/Name"], "Principal": ["*"]',
    "[",
    "{",
    '"a"',
    "1",
    "]",
    "}",
    ", ",
    "'",
    '"',
    "\\",
    "${X}",
    "\n",
    "#",
    "# tamis: ignore[",
    "&a ",
    "*a",
    'resource "aws_cloudwatch_event_rule" "r" {\n',
    "event_pattern = ",
    "jsonencode(",
    'file("x.json")',
    'templatefile("${path.module}/y.tftpl", {})',
    "<<EOF\n",
    "<<-EOF\n",
    "EOF\n",
    "local.p",
    "locals {\n p = ",
    ")",
    "=",
]


@given(
    parts=st.lists(st.sampled_from(_TOKENS), min_size=1, max_size=40),
    name=st.sampled_from(
        [
            "template.yaml",
            "main.tf",
            "orders-pattern.json",
            "orders-filter-policy.json",
            "masking.json",
            "flow.asl.json",
            "x.asl.yaml",
        ]
    ),
)
def test_arbitrary_input_never_crashes_the_linter(parts: list[str], name: str) -> None:
    text = "".join(parts)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / name).write_text(text, encoding="utf-8")
        result = lint([name], cwd=root)
    for d in result.diagnostics:
        assert d.code != "LNT203", d
        assert d.line is None or d.line >= 1
        assert d.column is None or d.column >= 1


_KEYS = ["source", "detail", "a", "$or", "prefix", "contains", "numeric", "exists", "anything-but"]
_KEYS += ["Version", "Statement", "DataIdentifier", "Principal", "Operation", "Name"]
_JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 5) | st.sampled_from(["x", "", "2021-06-01", "*", "aws.ec2"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(_KEYS), inner, max_size=4),
    max_leaves=12,
)
_TOP = st.sampled_from(["source", "detail", "store", "Version", "Statement"])


@given(
    value=st.dictionaries(_TOP, _JSON, min_size=1),
    name=st.sampled_from(["orders-pattern.json", "orders-filter-policy.json", "policy.json", "x.yaml"]),
)
def test_any_json_object_in_a_named_file_never_crashes_the_linter(value: dict[str, Any], name: str) -> None:
    """Files named for what they hold are checked even when misshapen: whatever they hold, a clean finding."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / name).write_text(json.dumps(value), encoding="utf-8")
        result = lint([name], cwd=root)
    for d in result.diagnostics:
        assert d.code != "LNT203", d
        assert d.line is None or d.line >= 1
