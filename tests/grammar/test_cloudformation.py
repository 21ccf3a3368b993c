"""grammar/cloudformation: the one template reader the ASL validator and the linter share.

The two used to read templates each their own way; these tests pin what a template means to both
(resources, intrinsic functions, Fn::Sub / Fn::Join text, where a state machine's definition is, which
placeholders CloudFormation replaces), and the last ones that each caller still reads it the same way.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

import tamis
from tamis.grammar import cloudformation as cfn
from tamis.grammar.located_yaml import parse_yaml
from tamis.lint import lint

TEMPLATE = {
    "Parameters": {"Env": {"Type": "String"}},
    "Resources": {
        "Machine": {"Type": "AWS::StepFunctions::StateMachine", "Properties": {"Definition": {}}},
        "NoProps": {"Type": "AWS::SNS::Topic"},
        "NoType": {"Properties": {}},
        "NotAnObject": [],
        "Rule": {"Type": "AWS::Events::Rule", "Properties": {"EventPattern": {}}},
    },
}


def test_resources_are_those_with_a_type_and_properties_in_order() -> None:
    found = list(cfn.resources(TEMPLATE))
    assert [(r.name, r.type) for r in found] == [
        ("Machine", "AWS::StepFunctions::StateMachine"),
        ("Rule", "AWS::Events::Rule"),
    ]
    assert found[0].path == ("Resources", "Machine", "Properties")
    assert list(cfn.resources([TEMPLATE])) == list(cfn.resources({"Resources": []})) == []


@pytest.mark.parametrize(
    ("value", "call", "text"),
    [
        ({"Ref": "Bucket"}, ("Ref", "Bucket"), "${Bucket}"),
        ({"Fn::GetAtt": ["Queue", "Arn"]}, ("Fn::GetAtt", ["Queue", "Arn"]), "${Queue.Arn}"),
        ({"Fn::If": ["C", 1, 2]}, ("Fn::If", ["C", 1, 2]), "${Fn::If}"),
        ({"Condition": "IsProd"}, ("Condition", "IsProd"), "${Condition}"),
    ],
)
def test_intrinsic_calls_and_their_placeholder_text(
    value: dict[str, object], call: object, text: str
) -> None:
    assert cfn.intrinsic(value) == call
    assert cfn.intrinsic_text(value) == text


@pytest.mark.parametrize("value", ["x", 1, [], {}, {"Ref": "A", "Fn::Sub": "b"}, {"Other": 1}, {1: 2}])
def test_what_is_not_an_intrinsic(value: object) -> None:
    assert cfn.intrinsic(value) is None


def test_sub_string_in_both_forms_keeps_escapes_and_gives_its_path() -> None:
    assert cfn.sub_string({"Fn::Sub": "a ${!Lit} ${X}"}) == ("a ${!Lit} ${X}", ("Fn::Sub",))
    assert cfn.sub_string({"Fn::Sub": ["a ${X}", {"X": "1"}]}) == ("a ${X}", ("Fn::Sub", 0))
    for other in ({"Fn::Sub": []}, {"Fn::Sub": [1]}, {"Fn::Sub": {"a": 1}}, {"Fn::Join": ["", []]}, "x"):
        assert cfn.sub_string(other) is None


def test_join_args_need_a_literal_delimiter_and_list() -> None:
    assert cfn.join_args({"Fn::Join": [",", ["a", {"Ref": "B"}]]}) == (",", ["a", {"Ref": "B"}])
    for other in ({"Fn::Join": [{"Ref": "D"}, ["a"]]}, {"Fn::Join": [",", "a"]}, {"Fn::Join": [","]}):
        assert cfn.join_args(other) is None


def test_definition_string_text() -> None:
    assert cfn.definition_string_text('{"StartAt": "A"}') == '{"StartAt": "A"}'
    # Fn::Sub renders ${!Literal} as ${Literal}; its variables are not substituted here
    assert cfn.definition_string_text({"Fn::Sub": ['{"a": "${!X} ${Y}"}', {"Y": 1}]}) == '{"a": "${X} ${Y}"}'
    # a part of Fn::Join that is not a string is a token known only at deployment
    joined = cfn.definition_string_text({"Fn::Join": ["", ['{"a": "', {"Ref": "B"}, '"}']]})
    assert joined == '{"a": "${Token}"}'
    assert cfn.definition_string_text({"Fn::GetAtt": ["A", "B"]}) is None
    assert cfn.definition_string_text({"Fn::Join": [{"Ref": "D"}, ["a"]]}) is None


def test_substitution_names_and_what_cloudformation_resolves() -> None:
    plain = {"DefinitionSubstitutions": {"Fn": "arn"}, "DefinitionString": "{}"}
    assert cfn.substitution_names(plain, TEMPLATE) == {"Fn"}
    sub = {"DefinitionString": {"Fn::Sub": ["{}", {"Var": 1}]}}
    assert cfn.substitution_names(sub, TEMPLATE) == {"Env", "Var", *TEMPLATE["Resources"]}
    assert cfn.substitution_names({}, TEMPLATE) == set()
    known = {"Queue", "Fn"}
    assert cfn.resolves("Fn", known, sub=False)
    assert not cfn.resolves("AWS::Region", known, sub=False)
    assert cfn.resolves("AWS::Region", known, sub=True)
    assert cfn.resolves("Queue.Arn", known, sub=True) and not cfn.resolves("Queue.Arn", known, sub=False)
    assert not cfn.resolves("Other", known, sub=True)


def test_sub_references_skip_escapes_and_carry_their_path() -> None:
    value = {"a": "${X} and ${!Lit} and ${}", "b": [{"c": "${Y.Arn}"}], "d": 1, "e": "${open"}
    assert cfn.sub_references(value) == [("X", ("a",)), ("Y.Arn", ("b", 0, "c"))]


def test_where_a_state_machine_definition_is() -> None:
    assert cfn.machine_type({"StateMachineType": "EXPRESS"}) == "EXPRESS"
    assert cfn.machine_type({"Type": "STANDARD"}) == "STANDARD"  # SAM's name for it
    assert cfn.machine_type({"StateMachineType": "OTHER", "Type": "EXPRESS"}) is None
    assert cfn.definition_file({"DefinitionUri": "sm/def.asl.json"}) == "sm/def.asl.json"
    assert cfn.definition_file({"DefinitionUri": {"Bucket": "b", "Key": "k"}}) is None
    assert cfn.definition_in_s3({"DefinitionUri": {"Bucket": "b", "Key": "k"}}) == "DefinitionUri"
    assert cfn.definition_in_s3({"DefinitionS3Location": {"Bucket": "b"}}) == "DefinitionS3Location"
    assert cfn.definition_in_s3({"DefinitionUri": "x", "DefinitionS3Location": {}}) is None
    assert cfn.definition_in_s3({}) is None


def test_short_tags_read_like_long_forms() -> None:
    text = "A: !Sub ['x ${V}', {V: 1}]\nB: !Join [',', [a, !Ref P]]\nC: !GetAtt Q.Arn\n"
    doc = parse_yaml(text).value
    assert cfn.sub_string(doc["A"]) == ("x ${V}", ("Fn::Sub", 0))
    assert cfn.join_args(doc["B"]) == (",", ["a", {"Ref": "P"}])
    assert cfn.intrinsic_text(doc["C"]) == "${Q.Arn}"


# -- both callers read a template the same way ------------------------------------------------------------

SHARED = textwrap.dedent("""\
    Resources:
      Subbed:
        Type: AWS::StepFunctions::StateMachine
        Properties:
          DefinitionString: !Sub
            - |
              {"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "Gone"}}}
            - {V: 1}
      Joined:
        Type: AWS::Serverless::StateMachine
        Properties:
          DefinitionString: !Join
            - ""
            - ['{"StartAt": "A", "States": ', '{"A": {"Type": "Pass", "Next": "Away"}}}']
      InS3:
        Type: AWS::Serverless::StateMachine
        Properties:
          DefinitionUri: {Bucket: b, Key: k}
    """)


def _where(text: str, needle: str) -> tuple[int, int]:
    at = text.index(needle)
    return text.count("\n", 0, at) + 1, at - (text.rfind("\n", 0, at) + 1) + 1


def test_validator_and_linter_find_the_same_definitions(tmp_path: Path) -> None:
    path = tmp_path / "template.yaml"
    path.write_text(SHARED, encoding="utf-8")
    direct = {
        d.extra.get("definition"): (d.line, d.column)
        for d in tamis.validate_asl(SHARED, source="template.yaml")
        if d.code == "ASL201"
    }
    linted = lint([path], cwd=tmp_path).diagnostics
    via_lint = sorted((d.line, d.column) for d in linted if d.code == "ASL201")
    # Fn::Sub text is located character by character by both; the validator places an Fn::Join's
    # findings on the property, the linter maps each part of it back to where it was written.
    assert direct == {"Subbed": _where(SHARED, '"Gone"'), "Joined": _where(SHARED, "!Join")}
    assert via_lint == [_where(SHARED, '"Gone"'), _where(SHARED, '"Away"')]
    [s3] = [d for d in linted if d.code == "LNT201"]
    assert "InS3 DefinitionUri: not checked, the definition is in S3" in s3.message


def test_json_templates_read_as_yaml_ones() -> None:
    as_json = json.dumps(parse_yaml(SHARED).value)
    codes = sorted(d.code for d in tamis.validate_asl(as_json))
    assert codes == sorted(d.code for d in tamis.validate_asl(SHARED))
