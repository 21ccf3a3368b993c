"""The pattern commands: `tamis test-event-pattern` (as `aws events test-event-pattern`) and `tamis match`."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from tamis.cli import main

ORDER_PATTERN = {"source": ["shop"], "detail": {"total": [{"numeric": [">", 100]}]}}
EVENTS = [
    {"source": "shop", "detail": {"total": 250}},
    {"source": "shop", "detail": {"total": 20}},
    {"source": "bank", "detail": {"total": 500}},
    {"source": "shop", "detail": {"total": 101.5, "state": "paid"}},
]


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def files(tmp_path: Path) -> Path:
    (tmp_path / "orders.json").write_text(json.dumps(ORDER_PATTERN, indent=2), encoding="utf-8")
    (tmp_path / "events.jsonl").write_text("".join(json.dumps(e) + "\n" for e in EVENTS), encoding="utf-8")
    return tmp_path


# ---------------------------------------------------------------------------------------------------------
# test-event-pattern


@pytest.mark.parametrize(("event", "expected"), [(EVENTS[0], True), (EVENTS[1], False), (EVENTS[2], False)])
def test_test_event_pattern_prints_result(
    event: dict[str, object], expected: bool, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(
        ["test-event-pattern", "--event-pattern", json.dumps(ORDER_PATTERN), "--event", json.dumps(event)],
        capsys,
    )
    assert code == 0
    assert json.loads(out) == {"Result": expected}


def test_test_event_pattern_reads_file_urls(files: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (files / "event.json").write_text(json.dumps(EVENTS[3]), encoding="utf-8")
    code, out, _ = run(
        [
            "test-event-pattern",
            "--event-pattern",
            f"file://{files / 'orders.json'}",
            "--event",
            f"file://{files / 'event.json'}",
        ],
        capsys,
    )
    assert code == 0 and json.loads(out) == {"Result": True}


def test_test_event_pattern_reports_a_located_error(files: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = files / "bad.json"
    bad.write_text('{\n  "source": [{"prefix": 5}]\n}\n', encoding="utf-8")
    code, out, err = run(["test-event-pattern", "--event-pattern", f"file://{bad}", "--event", "{}"], capsys)
    assert code != 0
    assert out == ""
    assert f"{bad}:2:25:" in err and '"prefix"' in err
    assert "Traceback" not in err


def test_test_event_pattern_sns_dialect(capsys: pytest.CaptureFixture[str]) -> None:
    policy = json.dumps({"store": ["example_corp"]})
    body = json.dumps({"store": "example_corp"})
    code, out, _ = run(
        [
            "test-event-pattern",
            "--dialect",
            "sns",
            "--scope",
            "MessageBody",
            "--event-pattern",
            policy,
            "--event",
            body,
        ],
        capsys,
    )
    assert code == 0 and json.loads(out) == {"Result": True}


def test_test_event_pattern_as_a_process() -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "tamis",
            "test-event-pattern",
            "--event-pattern",
            '{"a": [1]}',
            "--event",
            '{"a": 1.0}',
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"Result": True}


# ---------------------------------------------------------------------------------------------------------
# match


def test_match_prints_matching_lines(files: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["match", str(files / "orders.json"), str(files / "events.jsonl")], capsys)
    assert code == 0
    assert [json.loads(line) for line in out.splitlines()] == [EVENTS[0], EVENTS[3]]


def test_match_reads_stdin(
    files: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO((files / "events.jsonl").read_text(encoding="utf-8")))
    code, out, _ = run(["match", str(files / "orders.json")], capsys)
    assert code == 0
    assert [json.loads(line) for line in out.splitlines()] == [EVENTS[0], EVENTS[3]]


def test_match_several_event_files(files: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (files / "more.jsonl").write_text(
        json.dumps({"source": "shop", "detail": {"total": 1000}}) + "\n", encoding="utf-8"
    )
    code, out, _ = run(
        ["match", str(files / "orders.json"), str(files / "events.jsonl"), str(files / "more.jsonl")], capsys
    )
    assert code == 0
    assert len(out.splitlines()) == 3


def test_match_nothing_matches(files: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (files / "none.jsonl").write_text(json.dumps(EVENTS[1]) + "\n", encoding="utf-8")
    code, out, _ = run(["match", str(files / "orders.json"), str(files / "none.jsonl")], capsys)
    assert out == ""
    assert code == 1  # like grep: nothing selected


def test_match_keeps_lines_byte_for_byte(files: Path, capsys: pytest.CaptureFixture[str]) -> None:
    line = '{ "source" : "shop",  "detail": {"total": 1.5e2} }'
    (files / "spaced.jsonl").write_text(line + "\n", encoding="utf-8")
    code, out, _ = run(["match", str(files / "orders.json"), str(files / "spaced.jsonl")], capsys)
    assert code == 0 and out == line + "\n"


def test_match_rules_dir(files: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rules = files / "rules"
    rules.mkdir()
    (rules / "big.json").write_text(json.dumps(ORDER_PATTERN), encoding="utf-8")
    (rules / "bank.json").write_text(json.dumps({"source": ["bank"]}), encoding="utf-8")
    (rules / "paid.json").write_text(json.dumps({"detail": {"state": ["paid"]}}), encoding="utf-8")
    code, out, _ = run(["match", "--rules", str(rules), str(files / "events.jsonl")], capsys)
    assert code == 0
    records = [json.loads(line) for line in out.splitlines()]
    names = [sorted(r["rules"]) for r in records]
    assert names == [["big"], ["bank"], ["big", "paid"]]
    assert [r["line"] for r in records] == [1, 3, 4]


def test_match_rules_dir_with_a_bad_pattern(files: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rules = files / "rules"
    rules.mkdir()
    (rules / "bad.json").write_text('{"source": "shop"}', encoding="utf-8")
    (rules / "good.json").write_text('{"source": ["shop"]}', encoding="utf-8")
    (rules / "worse.json").write_text('{"source": [{"prefix": 1}]}', encoding="utf-8")
    code, out, err = run(["match", "--rules", str(rules), str(files / "events.jsonl")], capsys)
    assert code not in (0, 1) and out == ""
    # every bad rule file is reported, not only the first
    assert "bad.json:1:12:" in err and "worse.json:1:24:" in err
    assert "Traceback" not in err


def test_match_sns_dialect(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "policy.json").write_text(json.dumps({"price": [{"numeric": [">=", 100]}]}), encoding="utf-8")
    messages = [
        {"price": {"Type": "Number", "Value": "150"}},
        {"price": {"Type": "Number", "Value": "50"}},
        {"price": {"Type": "String", "Value": "150"}},
    ]
    (tmp_path / "attrs.jsonl").write_text("".join(json.dumps(m) + "\n" for m in messages), encoding="utf-8")
    code, out, _ = run(
        ["match", "--dialect", "sns", str(tmp_path / "policy.json"), str(tmp_path / "attrs.jsonl")], capsys
    )
    assert code == 0
    assert [json.loads(line) for line in out.splitlines()] == [messages[0]]


def test_match_reports_bad_event_lines_and_goes_on(files: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (files / "mixed.jsonl").write_text('{"source": "shop"\n' + json.dumps(EVENTS[0]) + "\n", encoding="utf-8")
    code, out, err = run(["match", str(files / "orders.json"), str(files / "mixed.jsonl")], capsys)
    assert [json.loads(line) for line in out.splitlines()] == [EVENTS[0]]
    assert "mixed.jsonl:1:" in err
    assert "Traceback" not in err
    assert code in (0, 1, 2)
