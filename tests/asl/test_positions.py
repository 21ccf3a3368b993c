"""Where diagnostics point: JSON pointer, line and column in JSON, YAML and templates; the CLI's output."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

import tamis
from tamis.asl import pointer, validate_asl_file
from tamis.cli import main
from tamis.compiler.asl.sources import json_locator, load_definitions, neutralize_placeholders
from tamis.grammar.located_json import parse_json

JSON_TEXT = """{
  "StartAt": "Check",
  "States": {
    "Check": {
      "Type": "Choice",
      "Choices": [
        {"Variable": "$.n", "NumericEquals": 1, "Next": "Missing"}
      ],
      "Default": "Done"
    },
    "Done": {"Type": "Succeed", "Bogus": 1}
  }
}
"""


def _where(text: str, needle: str, nth: int = 0) -> tuple[int, int]:
    offset = -1
    for _ in range(nth + 1):
        offset = text.index(needle, offset + 1)
    return text.count("\n", 0, offset) + 1, offset - (text.rfind("\n", 0, offset) + 1) + 1


def test_json_value_and_key_positions() -> None:
    diags = {d.code: d for d in tamis.validate_asl(JSON_TEXT, source="m.json")}
    target = diags["ASL201"]
    assert target.pointer == "/States/Check/Choices/0/Next"
    assert (target.line, target.column) == _where(JSON_TEXT, '"Missing"')
    assert target.source == "m.json"
    unknown = diags["ASL101"]
    assert unknown.pointer == "/States/Done/Bogus"
    assert (unknown.line, unknown.column) == _where(JSON_TEXT, '"Bogus"')  # the key, not the value


def test_dict_input_has_pointer_but_no_position() -> None:
    [d] = [x for x in tamis.validate_asl(json.loads(JSON_TEXT)) if x.code == "ASL201"]
    assert d.pointer == "/States/Check/Choices/0/Next"
    assert d.line is None and d.column is None


def test_bytes_and_str_agree() -> None:
    assert tamis.validate_asl(JSON_TEXT) == tamis.validate_asl(JSON_TEXT.encode())


def test_fast_locator_matches_located_parser() -> None:
    doc = parse_json(JSON_TEXT, exact_numbers=False)
    locate = json_locator(JSON_TEXT)
    for path in doc.spans:
        assert locate(path, False) == doc.position(path)
    for path in doc.keys:
        assert locate(path, True) == doc.position(path, key=True)


def test_locator_falls_back_to_nearest_existing_ancestor() -> None:
    locate = json_locator(JSON_TEXT)
    assert locate(("States", "Check", "Nope", 3), False) == _where(JSON_TEXT, "{", 2)


def test_pointer_escaping() -> None:
    assert pointer(()) == "/"
    assert pointer(("States", "a/b~c", 0)) == "/States/a~1b~0c/0"


YAML_TEXT = """\
Comment: demo
StartAt: Check
States:
  Check:
    Type: Choice
    Choices:
      - Variable: $.n
        NumericEquals: 1
        Next: Missing
    Default: Done
  Done:
    Type: Succeed
"""


def test_yaml_positions() -> None:
    [d] = tamis.validate_asl(YAML_TEXT, source="m.asl.yaml")
    assert d.code == "ASL201"
    assert d.pointer == "/States/Check/Choices/0/Next"
    assert (d.line, d.column) == (9, 15)


def test_yaml_syntax_error_is_located() -> None:
    [d] = tamis.validate_asl("StartAt: [A\nStates: {}\n")
    assert d.code == "ASL002" and d.line is not None


def test_yaml_alias_bomb_is_refused_with_its_place() -> None:
    # nine aliases of nine aliases, eight deep: 9**9 values once expanded
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 9)]
    [d] = tamis.validate_asl("\n".join(lines) + "\n", source="bomb.asl.yaml")
    assert d.code == "ASL002" and "aliases" in d.message
    assert d.line is not None and d.source == "bomb.asl.yaml"


def test_yaml_timestamps_stay_text() -> None:
    """An unquoted timestamp is a string, as in the JSON the service reads (YAML's date type is not)."""
    definition = (
        "StartAt: W\nStates:\n  W:\n    Type: Wait\n    Timestamp: 2016-03-14T01:59:00Z\n    End: true\n"
    )
    assert tamis.validate_asl(definition, source="w.asl.yaml") == []
    bad = definition.replace("2016-03-14T01:59:00Z", "2016-03-14")
    assert [d.code for d in tamis.validate_asl(bad, source="w.asl.yaml")] == ["ASL101"]


def test_invalid_json_is_located() -> None:
    [d] = tamis.validate_asl('{"StartAt": "A",\n  "States": {,}}')
    assert d.code == "ASL001"
    assert (d.line, d.column) == (2, 14)


TEMPLATE = """\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Machine:
    Type: AWS::StepFunctions::StateMachine
    Properties:
      DefinitionString: !Sub |
        {
          "StartAt": "A",
          "States": {
            "A": {"Type": "Pass", "Next": "Nope"}
          }
        }
  Other:
    Type: AWS::Serverless::StateMachine
    Properties:
      DefinitionUri: sub/def.asl.json
      DefinitionSubstitutions:
        Fn: arn:aws:lambda:us-east-1:123456789012:function:f
  Third:
    Type: AWS::StepFunctions::StateMachine
    Properties:
      Definition:
        StartAt: X
        States:
          X:
            Type: Task
            Resource: ${Fn}
            TimeoutSeconds: -3
            End: true
"""


def test_cloudformation_and_sam_definitions(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    inner = '{"StartAt": "S",\n  "States": {\n    "S": {"Type": "Wait", "Seconds": "x", "End": true}}\n}\n'
    (tmp_path / "sub" / "def.asl.json").write_text(inner)
    template = tmp_path / "template.yaml"
    template.write_text(TEMPLATE)
    diags = validate_asl_file(template)
    by_def = {(d.extra.get("definition"), d.code): d for d in diags}
    nope = by_def[("Machine", "ASL201")]
    assert nope.pointer == "/Resources/Machine/Properties/DefinitionString/States/A/Next"
    assert (nope.line, nope.column) == _where(TEMPLATE, '"Nope"')
    wait = by_def[("Other", "ASL101")]
    assert wait.source is not None and wait.source.endswith("def.asl.json")
    assert (wait.line, wait.column) == _where(inner, '"x"')
    timeout = by_def[("Third", "ASL101")]
    assert timeout.pointer == "/Resources/Third/Properties/Definition/States/X/TimeoutSeconds"
    assert (timeout.line, timeout.column) == _where(TEMPLATE, "-3")
    # the ${Fn} placeholder stands for an ARN: not reported
    assert not [d for d in diags if d.code == "ASL106"]


SCALAR_STYLES = """\
Resources:
  Quoted:
    Type: AWS::StepFunctions::StateMachine
    Properties:
      DefinitionString: "{\\"StartAt\\": \\"A\\",
        \\"States\\": {\\"A\\": {\\"Type\\": \\"Pass\\", \\"Next\\": \\"Nope\\"}}}"
  Folded:
    Type: AWS::StepFunctions::StateMachine
    Properties:
      DefinitionString: >
        {"StartAt": "A",
         "States": {"A": {"Type": "Pass", "Next": "Gone"}}}
  Flow:
    Type: AWS::StepFunctions::StateMachine
    Properties:
      DefinitionString: !Sub '{"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "Away"}}}'
"""


def test_definition_string_positions_in_every_scalar_style() -> None:
    """A JSON definition written in a YAML string is located character by character, whatever the
    string's style: escapes in a double-quoted scalar, folded lines, a quoted !Sub."""
    found = {
        d.extra.get("definition"): d
        for d in tamis.validate_asl(SCALAR_STYLES, source="t.yaml")
        if d.code == "ASL201"
    }
    assert (found["Quoted"].line, found["Quoted"].column) == _where(SCALAR_STYLES, '\\"Nope')
    assert (found["Folded"].line, found["Folded"].column) == _where(SCALAR_STYLES, '"Gone"')
    assert (found["Flow"].line, found["Flow"].column) == _where(SCALAR_STYLES, '"Away"')


def test_json_template_with_definition_string() -> None:
    definition = {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": "yes"}}}
    template = {
        "Resources": {
            "M": {
                "Type": "AWS::StepFunctions::StateMachine",
                "Properties": {"DefinitionString": {"Fn::Sub": json.dumps(definition)}},
            }
        }
    }
    text = json.dumps(template, indent=2)
    d = tamis.validate_asl(text)[0]
    assert d.pointer == "/Resources/M/Properties/DefinitionString/States/A/End"
    assert d.line == _where(text, '"DefinitionString"')[0]


def test_placeholders_keep_offsets() -> None:
    text = '{"a": ${Num}, "b": "${Str}", "c": [${x}]}'
    fixed, found = neutralize_placeholders(text)
    assert len(fixed) == len(text)
    assert [span for _, span in found] == ["${Num}", "${x}"]
    assert json.loads(fixed) == {"a": "${}", "b": "${Str}", "c": [None]}


def test_unquoted_placeholder_in_definition() -> None:
    text = textwrap.dedent("""\
        {
          "StartAt": "W",
          "States": {
            "W": {"Type": "Task", "Resource": "${Arn}", "TimeoutSeconds": ${Timeout}, "Next": "X"}
          }
        }
    """)
    diags = tamis.validate_asl(text)
    [warn] = [d for d in diags if d.code == "ASL401"]
    assert warn.severity == "warning" and (warn.line, warn.column) == _where(text, "${Timeout}")
    [err] = [d for d in diags if d.code == "ASL201"]
    assert (err.line, err.column) == _where(text, '"X"')


def test_load_definitions_reports_template_names() -> None:
    defs = load_definitions(TEMPLATE.replace("DefinitionUri: sub/def.asl.json", "Definition: {}"))
    assert [d.name for d in defs] == ["Machine", "Other", "Third"]
    line, col = defs[2].locate(("States", "X", "Type"), False)
    assert (line, col) == _where(TEMPLATE, "Task")


def test_cli_reports_and_exits(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.asl.json"
    bad.write_text(JSON_TEXT)
    good = tmp_path / "good.asl.yaml"
    good.write_text(YAML_TEXT.replace("Next: Missing", "Next: Done"))
    assert main(["validate-asl", str(good)]) == 0
    assert main(["validate-asl", str(good), str(bad)]) == 1
    out = capsys.readouterr().out.splitlines()
    line, col = _where(JSON_TEXT, '"Missing"')
    assert (
        f"{bad}:{line}:{col}: error ASL201 (MISSING_TRANSITION_TARGET) Missing 'Next' target: Missing"
        in "\n".join(out)
    )
    assert all(entry.startswith(str(bad)) for entry in out)


def test_cli_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # a missing file is an input error: exit 2 as in every command (it was 1 before the CLI's one contract)
    assert main(["validate-asl", str(tmp_path / "nope.json")]) == 2
    assert "ASL006" in capsys.readouterr().out


def test_compile_choice_is_exported() -> None:
    from tamis import asl

    assert callable(asl.compile_choice)
    assert tamis.validate_asl is asl.validate_asl


@pytest.mark.parametrize(
    "name", ["valid/synthetic__composite-65-states.json", "valid/aslvalidator__valid-assign.json"]
)
def test_locator_in_any_order_matches_located_parser(name: str) -> None:
    import random

    from support.shared import shared_path

    text = shared_path("conformance", "asl", name).read_text(encoding="utf-8")
    doc = parse_json(text, exact_numbers=False)
    lookups = [(p, False) for p in doc.spans] + [(p, True) for p in doc.keys]
    random.Random(7).shuffle(lookups)
    locate = json_locator(text)
    for path, key in lookups[:400]:
        assert locate(path, key) == doc.position(path, key=key), path


def test_validate_loaded_for_other_tools() -> None:
    from tamis.asl import validate_loaded

    defs = load_definitions(
        TEMPLATE.replace("DefinitionUri: sub/def.asl.json", "Definition: {}"), source="t.yaml"
    )
    third = validate_loaded(defs[2])
    assert [(d.code, d.line, d.source) for d in third] == [
        ("ASL402", 27, "t.yaml"),
        ("ASL101", 28, "t.yaml"),
    ]


def test_placeholders_cloudformation_will_not_replace() -> None:
    text = TEMPLATE.replace(
        "DefinitionUri: sub/def.asl.json",
        "Definition: {StartAt: P, States: {P: {Type: Pass, Result: '${Fn}-${Missing}', End: true}}}",
    )
    diags = [d for d in tamis.validate_asl(text) if d.code == "ASL402"]
    # Other's substitutions define Fn only; Third has no substitutions at all
    assert [(d.extra["definition"], d.message.split()[0]) for d in diags] == [
        ("Other", "${Missing}"),
        ("Third", "${Fn}"),
    ]
    assert all(d.severity == "warning" for d in diags)
    assert (diags[1].line, diags[1].column) == _where(TEMPLATE, "${Fn}")
    fn_sub = TEMPLATE.replace('"Nope"', '"${AWS::Region}-${Machine.Arn}-${Nowhere}"')
    messages = [d.message for d in tamis.validate_asl(fn_sub) if d.code == "ASL402"]
    assert any(m.startswith("${Nowhere}") for m in messages)
    assert not any("AWS::Region" in m or "Machine.Arn" in m for m in messages)


def test_jsonata_error_column_points_inside_the_string() -> None:
    text = textwrap.dedent("""\
        {
          "QueryLanguage": "JSONata",
          "StartAt": "A",
          "States": {
            "A": {"Type": "Pass", "Output": {"k": "{% \\"\\u00e9\\" & $x + * 2 %}"}, "End": true}
          }
        }
    """)
    [d] = tamis.validate_asl(text)
    assert d.code == "ASL301" and d.pointer == "/States/A/Output/k"
    line = text.splitlines()[d.line - 1]
    assert line[d.column - 1 :].startswith("2 %}")  # the unexpected token, past the escapes
    # a dict has no text: the pointer alone
    [d] = tamis.validate_asl(json.loads(text))
    assert d.line is None and "column" in d.message


def test_intrinsic_syntax_error_column_points_inside_the_string() -> None:
    text = (
        '{"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true,\n'
        '  "Parameters": {"x.$": "States.Format(\'{}\' $.x)"}}}}'
    )
    [d] = tamis.validate_asl(text)
    assert d.pointer == "/States/A/Parameters/x.$" and d.line == 2
    assert text.splitlines()[1][d.column - 1 :].startswith("$.x)")


def test_yaml_and_json_forms_agree_on_the_corpus() -> None:
    import yaml
    from support.shared import shared_path

    root = shared_path("conformance", "asl")
    checked = 0
    for path in sorted(root.glob("*/*.json"))[::7]:
        text = path.read_text(encoding="utf-8")
        try:
            value = json.loads(text)
        except ValueError:
            continue
        if not isinstance(value, dict):
            continue
        as_yaml = yaml.safe_dump(value, sort_keys=False, allow_unicode=True)
        from_json = [(d.code, d.pointer) for d in tamis.validate_asl(text)]
        from_yaml = tamis.validate_asl(as_yaml)
        assert [(d.code, d.pointer) for d in from_yaml] == from_json, path.name
        assert all(d.line is not None for d in from_yaml), path.name
        checked += 1
    assert checked > 100


def test_template_machine_type_applies() -> None:
    text = TEMPLATE.replace(
        "      DefinitionString: !Sub |", "      StateMachineType: EXPRESS\n      DefinitionString: !Sub |"
    )
    text = text.replace(
        '"Next": "Nope"', '"Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken", "End": true'
    )
    text = text.replace('"Type": "Pass"', '"Type": "Task"')
    diags = [d for d in tamis.validate_asl(text) if d.extra.get("definition") == "Machine"]
    assert [(d.code, d.severity) for d in diags] == [("ASL106", "error")]


def test_a_definition_uri_naming_no_file_is_an_error_not_a_silent_skip(tmp_path: Path) -> None:
    template = tmp_path / "template.yaml"
    template.write_text(TEMPLATE.replace("sub/def.asl.json", "sub/missing.asl.json"), encoding="utf-8")
    diags = [d for d in validate_asl_file(template) if d.code == "ASL007"]
    assert [(d.severity, d.extra["definition"], d.line) for d in diags] == [
        ("error", "Other", _where(TEMPLATE, "DefinitionUri: sub/def.asl.json")[0])
    ]
    assert "sub/missing.asl.json" in diags[0].message
    # the template's other machines are still checked
    assert any(d.code == "ASL201" for d in validate_asl_file(template))
    # text given with a label as its source names no folder: nothing to say about the file
    text = TEMPLATE.replace("sub/def.asl.json", "sub/missing.asl.json")
    assert not [d for d in tamis.validate_asl(text, source="t.yaml") if d.code == "ASL007"]
