"""Focused tests of the validator's rules: one small definition per rule, checked for code and pointer."""

from __future__ import annotations

import copy
from typing import Any

import pytest

import tamis
from tamis.compiler.asl.values import is_rfc3339

BASE: dict[str, Any] = {
    "StartAt": "Work",
    "States": {
        "Work": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Next": "Done"},
        "Done": {"Type": "Succeed"},
    },
}


def machine(**states: Any) -> dict[str, Any]:
    """BASE with states replaced or added (a value of None removes the state)."""
    d = copy.deepcopy(BASE)
    for name, state in states.items():
        if state is None:
            d["States"].pop(name)
        else:
            d["States"][name] = state
    return d


def errors(definition: Any) -> list[tuple[str, str]]:
    return [(d.code, d.pointer) for d in tamis.validate_asl(definition) if d.severity == "error"]


def warnings(definition: Any) -> list[tuple[str, str]]:
    return [(d.code, d.pointer) for d in tamis.validate_asl(definition) if d.severity == "warning"]


def test_base_is_valid() -> None:
    assert tamis.validate_asl(BASE) == []


S = "ASL101"


@pytest.mark.parametrize(
    ("definition", "expected"),
    [
        ({"States": {}}, (S, "/")),
        ([1], (S, "/")),
        ({**BASE, "Foo": 1}, (S, "/Foo")),
        ({**BASE, "TimeoutSeconds": "60"}, (S, "/TimeoutSeconds")),
        ({**BASE, "QueryLanguage": "jsonata"}, (S, "/QueryLanguage")),
        ({**BASE, "StartAt": "Nope"}, ("ASL201", "/StartAt")),
        (machine(Work={"Type": "Pass", "Next": "Gone"}), ("ASL201", "/States/Work/Next")),
        (machine(Work={"Type": "Pass", "Next": "Done", "End": True}), (S, "/States/Work/Next")),
        (machine(Work={"Type": "Pass", "End": False}), (S, "/States/Work")),
        (machine(Work={"Type": "pass", "End": True}), (S, "/States/Work/Type")),
        (machine(Work={"End": True}), (S, "/States/Work")),
        (machine(Work={"Type": "Pass", "Next": "Done", "Retry": []}), (S, "/States/Work/Retry")),
        (machine(Done={"Type": "Succeed", "Next": "Work"}), (S, "/States/Done/Next")),
        (machine(Done={"Type": "Fail", "OutputPath": "$"}), (S, "/States/Done/OutputPath")),
        (machine(Done={"Type": "Fail", "Error": "E", "ErrorPath": "$.e"}), (S, "/States/Done/ErrorPath")),
        (
            machine(Done={"Type": "Fail", "CausePath": "States.StringToJson($.x)"}),
            (S, "/States/Done/CausePath"),
        ),
        (machine(Orphan={"Type": "Succeed"}), ("ASL203", "/States/Orphan")),
        (machine(Done={"Type": "Pass", "Next": "Work"}), ("ASL202", "/States")),
        (machine(**{"W" * 81: {"Type": "Succeed"}}), ("ASL102", "/States/" + "W" * 81)),
    ],
)
def test_structure(definition: Any, expected: tuple[str, str]) -> None:
    assert expected in errors(definition)


def task(**fields: Any) -> dict[str, Any]:
    return machine(
        Work={"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Next": "Done", **fields}
    )


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"Resource": "my lambda"}, ("ASL106", "/States/Work/Resource")),
        ({"Resource": "arn:aws:states:::dynamodb:query"}, ("ASL106", "/States/Work/Resource")),
        (
            {"Resource": "arn:aws:states:::aws-sdk:s3:getObject.sync"},
            ("ASL106", "/States/Work/Resource"),
        ),
        (
            {"Resource": "arn:aws:lambda:us-east-1:1:function:f:"},
            ("ASL106", "/States/Work/Resource"),
        ),
        ({"TimeoutSeconds": 0}, (S, "/States/Work/TimeoutSeconds")),
        ({"TimeoutSeconds": 5, "TimeoutSecondsPath": "$.t"}, (S, "/States/Work/TimeoutSecondsPath")),
        ({"TimeoutSeconds": 5, "HeartbeatSeconds": 5}, (S, "/States/Work/HeartbeatSeconds")),
        ({"HeartbeatSecondsPath": "$.a[*]"}, (S, "/States/Work/HeartbeatSecondsPath")),
        ({"Credentials": {"Other": "x"}}, (S, "/States/Work/Credentials")),
        ({"Credentials": None}, (S, "/States/Work/Credentials")),
        ({"ResultPath": "$$.x"}, (S, "/States/Work/ResultPath")),
        ({"ResultPath": "$.a[?(@.x)]"}, (S, "/States/Work/ResultPath")),
        ({"ResultPath": "$var"}, (S, "/States/Work/ResultPath")),
        ({"InputPath": "States.Array($)"}, (S, "/States/Work/InputPath")),
        ({"Parameters": {"a.$": 23}}, (S, "/States/Work/Parameters/a.$")),
        ({"Parameters": {"a.$": "$$23"}}, (S, "/States/Work/Parameters/a.$")),
        ({"Parameters": {"n": {"a": 1, "a.$": "$.a"}}}, (S, "/States/Work/Parameters/n/a.$")),
        ({"Parameters": {"a.$": " States.UUID()"}}, (S, "/States/Work/Parameters/a.$")),
        ({"Parameters": {"a.$": "States.Hash($.x, 'CRC')"}}, (S, "/States/Work/Parameters/a.$")),
        ({"ResultSelector": {"l": [{"x.$": "nope"}]}}, (S, "/States/Work/ResultSelector/l/0/x.$")),
        ({"Output": "{% 1 %}"}, (S, "/States/Work/Output")),
        ({"Arguments": {}}, (S, "/States/Work/Arguments")),
        (
            {"Retry": [{"ErrorEquals": ["States.ALL"]}, {"ErrorEquals": ["X"]}]},
            (S, "/States/Work/Retry/0/ErrorEquals"),
        ),
        ({"Retry": [{"ErrorEquals": ["States.ALL", "X"]}]}, (S, "/States/Work/Retry/0/ErrorEquals")),
        ({"Retry": [{"ErrorEquals": []}]}, (S, "/States/Work/Retry/0/ErrorEquals")),
        (
            {"Retry": [{"ErrorEquals": ["X"], "IntervalSeconds": 0}]},
            (S, "/States/Work/Retry/0/IntervalSeconds"),
        ),
        (
            {"Retry": [{"ErrorEquals": ["X"], "IntervalSeconds": 1.5}]},
            (S, "/States/Work/Retry/0/IntervalSeconds"),
        ),
        ({"Retry": [{"ErrorEquals": ["X"], "MaxAttempts": -1}]}, (S, "/States/Work/Retry/0/MaxAttempts")),
        ({"Retry": [{"ErrorEquals": ["X"], "BackoffRate": 0.5}]}, (S, "/States/Work/Retry/0/BackoffRate")),
        (
            {"Retry": [{"ErrorEquals": ["X"], "MaxDelaySeconds": 0}]},
            (S, "/States/Work/Retry/0/MaxDelaySeconds"),
        ),
        (
            {"Retry": [{"ErrorEquals": ["X"], "JitterStrategy": "HALF"}]},
            (S, "/States/Work/Retry/0/JitterStrategy"),
        ),
        ({"Catch": [{"ErrorEquals": ["X"]}]}, (S, "/States/Work/Catch/0")),
        (
            {"Catch": [{"ErrorEquals": ["X"], "Next": "Nope"}]},
            ("ASL201", "/States/Work/Catch/0/Next"),
        ),
        (
            {
                "Catch": [
                    {"ErrorEquals": ["States.ALL"], "Next": "Done"},
                    {"ErrorEquals": ["X"], "Next": "Done"},
                ]
            },
            (S, "/States/Work/Catch/0/ErrorEquals"),
        ),
    ],
)
def test_task_rules(fields: dict[str, Any], expected: tuple[str, str]) -> None:
    assert expected in errors(task(**fields))


@pytest.mark.parametrize(
    "fields",
    [
        {"Resource": "arn:aws:lambda:us-east-1:123456789012:function:f:$LATEST"},
        {"Resource": "arn:aws-cn:states:::aws-sdk:s3:listBuckets.waitForTaskToken"},
        {"Resource": "arn:aws-us-gov:states:::states:startExecution.sync:2"},
        {"Resource": "arn:aws:states:::http:invoke"},
        {"Resource": "arn:aws:states:us-east-1:123456789012:activity:act"},
        {"Resource": "${FunctionArn}"},
        {"Resource": {"Fn::GetAtt": ["Fn", "Arn"]}},
        {"Resource": "arn:aws:lambda:${AWS::Region}:${AWS::AccountId}:function:${Name}"},
        {"Parameters": {"FunctionName": "${ProcessingLambda}", "Payload.$": "$"}},
        {"Parameters": {"a.$": "States.Format('{} {}', $.a, $var.b)", "b.$": "$$.Execution.Id"}},
        {"TimeoutSeconds": "${Timeout}"},
        {"Credentials": {}},
        {"Credentials": {"RoleArn.$": "$.role"}},
        {
            "Retry": [
                {"ErrorEquals": ["X"], "BackoffRate": 1, "MaxDelaySeconds": 10, "JitterStrategy": "FULL"},
                {"ErrorEquals": ["States.ALL"]},
            ]
        },
    ],
)
def test_task_accepts(fields: dict[str, Any]) -> None:
    assert errors(task(**fields)) == []


def choice(*rules: Any, **extra: Any) -> dict[str, Any]:
    return machine(Work={"Type": "Choice", "Choices": list(rules), "Default": "Done", **extra})


@pytest.mark.parametrize(
    ("definition", "pointer"),
    [
        (choice(), "/States/Work/Choices"),
        (choice({"Variable": "$.x", "StringEquals": "a"}), "/States/Work/Choices/0"),
        (
            choice({"Not": {"Variable": "$.x", "IsPresent": True, "Next": "Done"}, "Next": "Done"}),
            "/States/Work/Choices/0/Not/Next",
        ),
        (
            choice({"Variable": "$.x", "StringEquals": "a", "NumericEquals": 1, "Next": "Done"}),
            "/States/Work/Choices/0",
        ),
        (choice({"Variable": "$.x", "Next": "Done"}), "/States/Work/Choices/0"),
        (choice({"Variable": "x", "IsNull": True, "Next": "Done"}), "/States/Work/Choices/0/Variable"),
        (
            choice({"Variable": "$.x", "StringEquals": 1, "Next": "Done"}),
            "/States/Work/Choices/0/StringEquals",
        ),
        (
            choice({"Variable": "$.x", "NumericLessThan": "1", "Next": "Done"}),
            "/States/Work/Choices/0/NumericLessThan",
        ),
        (
            choice({"Variable": "$.x", "BooleanEquals": "true", "Next": "Done"}),
            "/States/Work/Choices/0/BooleanEquals",
        ),
        (
            choice({"Variable": "$.x", "TimestampEquals": "2016-03-14 01:59:00Z", "Next": "Done"}),
            "/States/Work/Choices/0/TimestampEquals",
        ),
        (
            choice({"Variable": "$.x", "StringEqualsPath": "x", "Next": "Done"}),
            "/States/Work/Choices/0/StringEqualsPath",
        ),
        (
            choice({"Variable": "$.x", "StringContains": "a", "Next": "Done"}),
            "/States/Work/Choices/0/StringContains",
        ),
        (choice({"And": [], "Next": "Done"}), "/States/Work/Choices/0/And"),
        (
            choice({"Not": [{"Variable": "$.x", "IsNull": True}], "Next": "Done"}),
            "/States/Work/Choices/0/Not",
        ),
        (choice({"Variable": "$.x", "IsNull": True, "Next": "Done"}, Next="Done"), "/States/Work/Next"),
        (choice({"Variable": "$.x", "IsNull": True, "Next": "Done"}, Default="Nope"), "/States/Work/Default"),
    ],
)
def test_choice_rules(definition: Any, pointer: str) -> None:
    assert pointer in [p for _, p in errors(definition)]


def test_choice_good_rules() -> None:
    d = choice(
        {
            "And": [
                {"Variable": "$.a", "IsPresent": True},
                {"Not": {"Variable": "$.b", "StringMatches": "log-*.\\*"}},
            ],
            "Next": "Done",
            "Comment": "both",
        },
        {"Variable": "$.t", "TimestampLessThan": "2016-03-14T01:59:00.123456789+01:00", "Next": "Done"},
        {
            "Variable": "$$.Execution.Input.n",
            "NumericGreaterThanEqualsPath": "$limit",
            "Next": "Done",
            "Assign": {"seen": True},
        },
    )
    assert errors(d) == []


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("2016-03-14T01:59:00Z", True),
        ("2016-03-14T01:59:00.5-05:30", True),
        ("2016-02-29T00:00:00Z", True),
        ("2015-02-29T00:00:00Z", False),
        ("2016-03-14t01:59:00Z", False),
        ("2016-03-14T01:59:00", False),
        ("2016-13-05T21:29:29Z", False),
        ("2016-12-05T25:29:29Z", False),
        ("05-12-2016T21:29:29Z", False),
    ],
)
def test_rfc3339(text: str, ok: bool) -> None:
    assert is_rfc3339(text) is ok


@pytest.mark.parametrize(
    ("fields", "pointer"),
    [
        ({}, "/States/Work"),
        ({"Seconds": 1, "SecondsPath": "$.s"}, "/States/Work/SecondsPath"),
        ({"Seconds": -1}, "/States/Work/Seconds"),
        ({"Seconds": "5"}, "/States/Work/Seconds"),
        ({"Timestamp": "{% '2016-03-14T01:59:00Z' %}"}, "/States/Work/Timestamp"),
        ({"TimestampPath": "$.a..b"}, "/States/Work/TimestampPath"),
    ],
)
def test_wait(fields: dict[str, Any], pointer: str) -> None:
    d = machine(Work={"Type": "Wait", "Next": "Done", **fields})
    assert pointer in [p for _, p in errors(d)]


def test_wait_jsonata_accepts_expressions() -> None:
    d = machine(Work={"Type": "Wait", "Next": "Done", "Seconds": "{% $states.input.delay %}"})
    d["QueryLanguage"] = "JSONata"
    assert errors(d) == []


def branch(*names: str, last_next: str | None = None) -> dict[str, Any]:
    states: dict[str, Any] = {}
    for i, n in enumerate(names):
        nxt = names[i + 1] if i + 1 < len(names) else last_next
        states[n] = {"Type": "Pass", "Next": nxt} if nxt else {"Type": "Pass", "End": True}
    return {"StartAt": names[0], "States": states}


def test_parallel_and_scopes() -> None:
    ok = machine(Work={"Type": "Parallel", "Branches": [branch("A1", "A2"), branch("B1")], "Next": "Done"})
    assert errors(ok) == []
    empty = machine(Work={"Type": "Parallel", "Branches": [], "Next": "Done"})
    assert (S, "/States/Work/Branches") in errors(empty)
    out = machine(Work={"Type": "Parallel", "Branches": [branch("A1", last_next="Done")], "Next": "Done"})
    assert ("ASL201", "/States/Work/Branches/0/States/A1/Next") in errors(out)
    into = machine(Work={"Type": "Parallel", "Branches": [branch("A1")], "Next": "A1"})
    assert ("ASL201", "/States/Work/Next") in errors(into)
    dupe = machine(Work={"Type": "Parallel", "Branches": [branch("Done")], "Next": "Done"})
    # the later occurrence in document order is reported
    assert ("ASL103", "/States/Done") in errors(dupe)
    no_end = machine(Work={"Type": "Parallel", "Branches": [branch("A1", last_next="A1")], "Next": "Done"})
    assert ("ASL202", "/States/Work/Branches/0/States") in errors(no_end)


def mapstate(**fields: Any) -> dict[str, Any]:
    return machine(Work={"Type": "Map", "ItemProcessor": branch("Item"), "Next": "Done", **fields})


@pytest.mark.parametrize(
    ("fields", "pointer"),
    [
        ({"Iterator": branch("It")}, "/States/Work/Iterator"),
        ({"Parameters": {}, "ItemSelector": {}}, "/States/Work/Parameters"),
        ({"ItemsPath": None}, "/States/Work/ItemsPath"),
        ({"ItemsPath": "$.a[*]"}, "/States/Work/ItemsPath"),
        ({"MaxConcurrency": -1}, "/States/Work/MaxConcurrency"),
        ({"ToleratedFailurePercentage": 101}, "/States/Work/ToleratedFailurePercentage"),
        (
            {"ToleratedFailureCount": 1, "ToleratedFailureCountPath": "$.n"},
            "/States/Work/ToleratedFailureCountPath",
        ),
        ({"Label": ""}, "/States/Work/Label"),
        ({"Label": "x" * 41}, "/States/Work/Label"),
        ({"Label": "a b"}, "/States/Work/Label"),
        ({"ItemReader": {"ReaderConfig": {}}}, "/States/Work/ItemReader"),
        (
            {
                "ItemReader": {
                    "Resource": "arn:aws:states:::s3:getObject",
                    "ReaderConfig": {"InputType": "XML"},
                }
            },
            "/States/Work/ItemReader/ReaderConfig/InputType",
        ),
        ({"ItemBatcher": {"MaxItemsPerBatch": "2"}}, "/States/Work/ItemBatcher/MaxItemsPerBatch"),
        (
            {"ItemBatcher": {"MaxItemsPerBatch": 2, "MaxItemsPerBatchPath": "$.n"}},
            "/States/Work/ItemBatcher/MaxItemsPerBatchPath",
        ),
        ({"ResultWriter": {"WriterConfig": {}}}, "/States/Work/ResultWriter/WriterConfig"),
    ],
)
def test_map(fields: dict[str, Any], pointer: str) -> None:
    assert pointer in [p for _, p in errors(mapstate(**fields))]


def test_map_processor_config() -> None:
    d = mapstate()
    d["States"]["Work"]["ItemProcessor"]["ProcessorConfig"] = {
        "Mode": "DISTRIBUTED",
        "ExecutionType": "EXPRESS",
    }
    assert errors(d) == []
    d["States"]["Work"]["ItemProcessor"]["ProcessorConfig"] = {"Mode": "PARALLEL"}
    assert (S, "/States/Work/ItemProcessor/ProcessorConfig/Mode") in errors(d)
    d["States"]["Work"]["ItemProcessor"]["ProcessorConfig"] = {"Mode": "DISTRIBUTED", "ExecutionType": "FAST"}
    assert (S, "/States/Work/ItemProcessor/ProcessorConfig/ExecutionType") in errors(d)
    out = mapstate()
    out["States"]["Work"]["ItemProcessor"] = branch("Item", last_next="Done")
    assert ("ASL201", "/States/Work/ItemProcessor/States/Item/Next") in errors(out)


def jsonata(**states: Any) -> dict[str, Any]:
    d = machine(**states)
    d["QueryLanguage"] = "JSONata"
    return d


@pytest.mark.parametrize(
    ("work", "expected"),
    [
        ({"Type": "Pass", "Parameters": {}, "Next": "Done"}, (S, "/States/Work/Parameters")),
        ({"Type": "Pass", "InputPath": "$", "Next": "Done"}, (S, "/States/Work/InputPath")),
        (
            {"Type": "Pass", "Output": "{% 1 + %}", "Next": "Done"},
            ("ASL301", "/States/Work/Output"),
        ),
        (
            {"Type": "Pass", "Output": {"a": ["{% $states.input.x"]}, "Next": "Done"},
            ("ASL301", "/States/Work/Output/a/0"),
        ),
        (
            {"Type": "Pass", "Output": {"v": "{% phone %}"}, "Next": "Done"},
            ("ASL302", "/States/Work/Output/v"),
        ),
        (
            {"Type": "Pass", "Output": "{% $.x %}", "Next": "Done"},
            ("ASL302", "/States/Work/Output"),
        ),
        (
            {"Type": "Pass", "Output": "{% $states.result %}", "Next": "Done"},
            ("ASL302", "/States/Work/Output"),
        ),
        (
            {"Type": "Pass", "Output": "{% $states.errorOutput %}", "Next": "Done"},
            ("ASL302", "/States/Work/Output"),
        ),
        (
            {"Type": "Pass", "Output": "{% $states.inputs %}", "Next": "Done"},
            ("ASL302", "/States/Work/Output"),
        ),
        ({"Type": "Pass", "QueryLanguage": "JSONPath", "Next": "Done"}, (S, "/States/Work/QueryLanguage")),
        (
            {"Type": "Choice", "Choices": [{"Variable": "$.x", "IsNull": True, "Next": "Done"}]},
            (S, "/States/Work/Choices/0/Variable"),
        ),
        ({"Type": "Choice", "Choices": [{"Next": "Done"}]}, (S, "/States/Work/Choices/0")),
        ({"Type": "Wait", "SecondsPath": "$.s", "Next": "Done"}, (S, "/States/Work/SecondsPath")),
        (
            {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke",
                "Next": "Done",
                "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.e", "Next": "Done"}],
            },
            (S, "/States/Work/Catch/0/ResultPath"),
        ),
        ({"Type": "Pass", "Assign": {"states": 1}, "Next": "Done"}, (S, "/States/Work/Assign/states")),
    ],
)
def test_jsonata_rules(work: dict[str, Any], expected: tuple[str, str]) -> None:
    assert expected in errors(jsonata(Work=work))


def test_jsonata_good_machine() -> None:
    d = jsonata(
        Work={
            "Type": "Task",
            "Resource": "arn:aws:states:::lambda:invoke",
            "Next": "Done",
            "Arguments": {"Payload": "{% $states.input %}", "n": "{% $count($states.input.items) %}"},
            "Output": "{% $states.result.Payload %}",
            "Assign": {"last": "{% $states.result.Payload.id %}"},
            "TimeoutSeconds": "{% $states.input.timeout %}",
            "Catch": [{"ErrorEquals": ["States.ALL"], "Output": "{% $states.errorOutput %}", "Next": "Done"}],
        },
        Done={"Type": "Succeed", "Output": "{% $last %}"},
    )
    assert tamis.validate_asl(d) == []


def test_jsonpath_state_may_switch_to_jsonata() -> None:
    d = machine(
        Work={"Type": "Pass", "QueryLanguage": "JSONata", "Output": "{% $states.input.a %}", "Next": "Done"}
    )
    assert errors(d) == []


def test_variable_read_before_assignment_warns() -> None:
    d = machine(
        Work={
            "Type": "Choice",
            "Choices": [{"Variable": "$.go", "BooleanEquals": True, "Next": "Set"}],
            "Default": "Use",
        },
        Set={"Type": "Pass", "Assign": {"count": 1}, "Next": "Use"},
        Use={"Type": "Pass", "Parameters": {"c.$": "$count"}, "Next": "Done"},
    )
    assert ("ASL306", "/States/Use/Parameters/c.$") in warnings(d)
    assert errors(d) == []
    # assigned on every path: no warning
    d["States"]["Work"]["Default"] = "Set"
    assert ("ASL306", "/States/Use/Parameters/c.$") not in warnings(d)


def test_outer_variables_visible_in_inline_map_not_distributed() -> None:
    d = mapstate()
    d["States"]["Work"]["ItemProcessor"]["States"]["Item"]["Parameters"] = {"v.$": "$limit"}
    d["States"]["Start"] = {"Type": "Pass", "Assign": {"limit": 3}, "Next": "Work"}
    d["StartAt"] = "Start"
    assert not [w for w in warnings(d) if w[0] == "ASL306"]
    d["States"]["Work"]["ItemProcessor"]["ProcessorConfig"] = {
        "Mode": "DISTRIBUTED",
        "ExecutionType": "STANDARD",
    }
    assert ("ASL306", "/States/Work/ItemProcessor/States/Item/Parameters/v.$") in warnings(d)


def test_service_warnings() -> None:
    d = task(Parameters={"Payload": "$.x"})
    assert ("ASL303", "/States/Work/Parameters/Payload") in warnings(d)
    p = machine(Work={"Type": "Pass", "Result": {"a.$": "$.x"}, "Next": "Done"})
    assert ("ASL304", "/States/Work/Result") in warnings(p)


def test_definition_size_limit() -> None:
    big = copy.deepcopy(BASE)
    big["Comment"] = "x" * (1024 * 1024)
    import json

    assert (S, "/") in errors(json.dumps(big))
    assert errors(json.dumps(BASE)) == []


def test_string_matches_escapes_warn() -> None:
    good = choice({"Variable": "$.f", "StringMatches": "log-\\*-\\\\-*.txt", "Next": "Done"})
    assert warnings(good) == []
    for pattern in ("a\\b", "end\\"):
        bad = choice({"Variable": "$.f", "StringMatches": pattern, "Next": "Done"})
        assert warnings(bad) == [("ASL305", "/States/Work/Choices/0/StringMatches")]
        assert errors(bad) == []


def test_size_limit_applies_to_dict_input() -> None:
    big = copy.deepcopy(BASE)
    big["Comment"] = "x" * (1024 * 1024)
    assert (S, "/") in errors(big)


def test_distributed_only_fields_warn_on_inline_map() -> None:
    d = mapstate(ToleratedFailureCount=1)
    assert ("ASL108", "/States/Work/ToleratedFailureCount") in warnings(d)
    d["States"]["Work"]["ItemProcessor"]["ProcessorConfig"] = {
        "Mode": "DISTRIBUTED",
        "ExecutionType": "STANDARD",
    }
    assert warnings(d) == []


def test_http_task_fields() -> None:
    http = "arn:aws:states:::http:invoke"
    ok = task(
        Resource=http,
        Parameters={
            "ApiEndpoint": "https://x",
            "Method": "GET",
            "Authentication": {"ConnectionArn": "arn:aws:events:us-east-1:1:connection/c"},
        },
    )
    assert warnings(ok) == []
    bad = task(Resource=http, Parameters={"ApiEndpoint.$": "$.url"})
    [w] = [d for d in tamis.validate_asl(bad) if d.code == "ASL107"]
    assert w.pointer == "/States/Work/Parameters" and "Method, Authentication" in w.message


def test_variables_assigned_outside_are_visible_two_levels_down() -> None:
    inner = mapstate()["States"]["Work"]
    inner["ItemProcessor"]["States"]["Item"]["Parameters"] = {"v.$": "$limit"}
    outer = machine(
        Start={"Type": "Pass", "Assign": {"limit": 3}, "Next": "Work"},
        Work={
            "Type": "Parallel",
            "Branches": [{"StartAt": "Inner", "States": {"Inner": {**inner, "End": True}}}],
            "Next": "Done",
        },
    )
    outer["States"]["Work"]["Branches"][0]["States"]["Inner"].pop("Next")
    outer["StartAt"] = "Start"
    assert errors(outer) == []
    assert not [w for w in warnings(outer) if w[0] == "ASL306"]
    outer["States"]["Start"]["Assign"] = {"other": 1}
    assert [w[0] for w in warnings(outer)] == ["ASL306"]


@pytest.mark.parametrize(
    "resource",
    [
        "arn:aws:states:::states:startExecution.sync:2",
        "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
        "arn:aws:states:us-east-1:123456789012:activity:act",
    ],
)
def test_express_machines_refuse_waiting_integrations(resource: str) -> None:
    d = task(Resource=resource)
    assert errors(d) == []
    express = [
        (x.code, x.pointer) for x in tamis.validate_asl(d, machine_type="EXPRESS") if x.severity == "error"
    ]
    assert express == [("ASL106", "/States/Work/Resource")]
    assert tamis.validate_asl(task(), machine_type="EXPRESS") == []


def test_express_child_workflows_warn() -> None:
    d = mapstate()
    d["States"]["Work"]["ItemProcessor"]["ProcessorConfig"] = {
        "Mode": "DISTRIBUTED",
        "ExecutionType": "EXPRESS",
    }
    d["States"]["Work"]["ItemProcessor"]["States"]["Item"] = {
        "Type": "Task",
        "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
        "End": True,
    }
    assert ("ASL106", "/States/Work/ItemProcessor/States/Item/Resource") in warnings(d)
    assert errors(d) == []


def test_machine_type_is_checked() -> None:
    with pytest.raises(tamis.TamisError):
        tamis.validate_asl(BASE, machine_type="FAST")


@pytest.mark.parametrize(("language", "field"), [("JSONPath", "Output"), ("JSONata", "ResultPath")])
def test_a_catcher_field_of_the_other_language_names_the_states_language(language: str, field: str) -> None:
    value = "{% $states.errorOutput %}" if field == "Output" else "$.error"
    catcher = {"ErrorEquals": ["States.ALL"], "Next": "Done", field: value}
    d = task(Catch=[catcher])
    if language == "JSONata":
        d["QueryLanguage"] = "JSONata"
    [found] = [x for x in tamis.validate_asl(d) if x.pointer == f"/States/Work/Catch/0/{field}"]
    assert (found.code, found.severity) == (S, "error")
    assert found.message == f"field {field!r} is not supported in a Catcher in a {language} state"


@pytest.mark.parametrize("value", [["abc"], [{"a.$": "$.x"}], "text", 3])
@pytest.mark.parametrize("state", ["Pass", "Task", "Parallel", "Map"])
def test_parameters_need_not_be_an_object(state: str, value: Any) -> None:
    """The specification says a payload template is an object, but the service (the console's linter)
    accepts any JSON value in Parameters: https://github.com/aws/aws-toolkit-vscode/pull/2660 (AWS's
    language service schema changed to accept any type in aws/amazon-states-language-service PR 83 to
    match it; https://github.com/ChristopheBougere/asl-validator/issues/67 reports such a machine
    deploying). So tamis does not reject one: a warning says the value is passed as written (ASL303 for
    a string that reads like a path, ASL308 for any other value that is not an object)."""
    states: dict[str, Any] = {
        "Pass": {"Type": "Pass", "Next": "Done"},
        "Task": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Next": "Done"},
        "Parallel": {
            "Type": "Parallel",
            "Branches": [{"StartAt": "B", "States": {"B": {"Type": "Succeed"}}}],
        },
        "Map": {"Type": "Map", "ItemProcessor": {"StartAt": "I", "States": {"I": {"Type": "Succeed"}}}},
    }
    body = states[state]
    if state in ("Parallel", "Map"):
        body["Next"] = "Done"
    d = machine(Work={**body, "Parameters": value})
    assert errors(d) == []
    assert warnings(d) == [("ASL308", "/States/Work/Parameters")]  # "text" does not read like a path
