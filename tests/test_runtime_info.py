"""``tamis --version`` and ``tamis.runtime.info()`` name each native core and whether it runs; a core that
falls back warns once, unless TAMIS_NATIVE=0 chose the Python engines."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

import tamis
from tamis.cli import main

# Run in a fresh interpreter: makes both cores' imports fail (as a wheel without them, or a google-re2
# whose RE2 the core refuses, would), then prints the warnings and info() as JSON.
BROKEN = """
import importlib.abc, json, sys, warnings
class NoCore(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name in ("tamis.runtime.events._native", "tamis.runtime.redact._redact"):
            raise ImportError("the test refuses " + name.rsplit(".", 1)[1], name=name)
        return None
sys.meta_path.insert(0, NoCore())
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    import tamis.runtime
    info = tamis.runtime.info()
    import tamis
    policy = tamis.compile_policy({"Name": "p", "Version": "2021-06-01", "Statement": [
        {"DataDirection": "Inbound", "Principal": ["*"],
         "DataIdentifier": ["arn:aws:dataprotection::aws:data-identifier/EmailAddress"],
         "Operation": {"Deidentify": {"MaskConfig": {"MaskWithCharacter": "#"}}}}]})
    masked = policy.apply("mail a@example.com", direction="Inbound").message
    matched = tamis.compile_pattern({"source": ["a"]}).matches({"source": "a"})
    info = tamis.runtime.info()
print(json.dumps({"info": info, "masked": masked, "matched": matched,
                  "warnings": [(w.category.__name__, str(w.message)) for w in caught]}))
"""


def _run(code: str, **env: str) -> dict[str, object]:
    environ = {k: v for k, v in os.environ.items() if k != "TAMIS_NATIVE"} | env
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=environ, check=True
    )
    return json.loads(out.stdout)


def test_info_names_each_core() -> None:
    from tamis.runtime import info as runtime_info

    info = runtime_info()
    assert list(info) == ["tamis", "event matcher", "redactor"]
    assert info["tamis"] == tamis.__version__
    if os.environ.get("TAMIS_REQUIRE_NATIVE") == "1":
        assert info["event matcher"] == "native" and info["redactor"] == "native"


def test_version_prints_one_line_per_core(capsys: pytest.CaptureFixture[str]) -> None:
    from tamis.runtime import info

    assert main(["--version"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines == [f"tamis {tamis.__version__}", *(f"{k}: {v}" for k, v in info().items() if k != "tamis")]


def test_a_core_that_falls_back_says_why_and_warns_once() -> None:
    got = _run(BROKEN)
    assert got["info"] == {
        "tamis": tamis.__version__,
        "event matcher": "python (the test refuses _native)",
        "redactor": "python (the test refuses _redact)",
    }
    assert got["masked"] == "mail #############" and got["matched"] is True
    warned = got["warnings"]
    assert isinstance(warned, list) and [w[0] for w in warned] == ["RuntimeWarning", "RuntimeWarning"]
    assert "event matcher's native core did not load (the test refuses _native)" in warned[0][1]
    assert "redactor's native core did not load (the test refuses _redact)" in warned[1][1]


def test_no_warning_when_the_user_turned_the_cores_off() -> None:
    got = _run(BROKEN, TAMIS_NATIVE="0")
    assert got["warnings"] == []
    # The import failure still says why: it is what TAMIS_NATIVE=0 would otherwise hide.
    assert got["info"]["redactor"] == "python (the test refuses _redact)"  # type: ignore[index]


def test_cli_version_in_a_fresh_process() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "tamis", "--version"],
        capture_output=True,
        text=True,
        env={k: v for k, v in os.environ.items() if k != "TAMIS_NATIVE"} | {"TAMIS_NATIVE": "0"},
        check=True,
    ).stdout.splitlines()
    assert out == [
        f"tamis {tamis.__version__}",
        "event matcher: python (TAMIS_NATIVE=0)",
        "redactor: python (TAMIS_NATIVE=0)",
    ]


def test_a_core_left_out_of_the_install_is_named_so(monkeypatch: pytest.MonkeyPatch) -> None:
    from tamis.runtime import cores

    monkeypatch.setattr(cores, "_UNAVAILABLE", {})
    monkeypatch.setattr(cores, "NATIVE_ALLOWED", True)
    missing = ImportError(
        "cannot import name '_redact' from 'tamis.runtime.redact'", name="tamis.runtime.redact"
    )
    with pytest.warns(RuntimeWarning, match="redactor's native core did not load"):
        why = cores.unavailable(cores.REDACTOR, missing)
    assert why.startswith("not built for this install")
    assert cores.state(cores.REDACTOR) == f"python ({why})"
    assert cores.state(cores.EVENT_MATCHER) == "native"
