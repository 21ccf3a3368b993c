"""The CLI never prints a traceback: an input it cannot run is one message and exit 2; anything unexpected
is one line naming it and exit 3, with the traceback only under TAMIS_DEBUG=1."""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

import pytest

from tamis import cli
from tamis.cli import test_event_pattern


def test_a_deeply_nested_event_is_an_input_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    event = tmp_path / "event.json"
    event.write_text('{"a":' * 100_000 + "1" + "}" * 100_000)
    code = cli.main(["test-event-pattern", "--event-pattern", '{"a": [1]}', "--event", f"file://{event}"])
    err = capsys.readouterr().err
    assert code == 2
    assert "deeper than 1000 levels" in err and "Traceback" not in err and len(err.splitlines()) == 1


def test_lone_surrogates_on_the_command_line(capsys: pytest.CaptureFixture[str]) -> None:
    # An argument that is not UTF-8 reaches Python as lone surrogates (surrogateescape).
    code = cli.main(["test-event-pattern", "--event-pattern", '{"a": ["\udcff"]}', "--event", '{"a": 1}'])
    assert code == 2 and "surrogate" in capsys.readouterr().err
    code = cli.main(["test-event-pattern", "--event-pattern", '{"a": ["x?"]}', "--event", '{"a": "x\udcff"}'])
    assert code == 0 and capsys.readouterr().out.strip() == '{"Result":true}'


def _explode(args: argparse.Namespace) -> int:
    raise ZeroDivisionError("a bug\nwith a second line")


def test_an_internal_error_is_one_line_and_exit_3(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(test_event_pattern, "_test_event_pattern", _explode)
    monkeypatch.delenv("TAMIS_DEBUG", raising=False)
    code = cli.main(["test-event-pattern", "--event-pattern", "{}", "--event", "{}"])
    err = capsys.readouterr().err
    assert code == 3
    assert err.splitlines() == [
        "tamis: internal error: ZeroDivisionError: a bug (a bug in tamis; TAMIS_DEBUG=1 shows the traceback)"
    ]
    monkeypatch.setenv("TAMIS_DEBUG", "1")
    assert cli.main(["test-event-pattern", "--event-pattern", "{}", "--event", "{}"]) == 3
    err = capsys.readouterr().err
    assert "Traceback" in err and "ZeroDivisionError" in err


def test_no_traceback_from_a_real_process(tmp_path: Path) -> None:
    event = tmp_path / "event.json"
    event.write_text("[" * 50_000 + "]" * 50_000)
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "tamis",
            "test-event-pattern",
            "--event-pattern",
            '{"a": [1]}',
            "--event",
            f"file://{event}",
        ],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,  # not the checkout, whose top-level folders are not the installed package
    )
    assert run.returncode == 2 and "Traceback" not in run.stderr and "1000 levels" in run.stderr
