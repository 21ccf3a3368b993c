"""ASL validation side by side: tamis.validate_asl and the peers that install here, in one run.

Throughput (definitions validated per second, in-process, from definition text):
  - tamis.validate_asl (text in, diagnostics out)
  - npm asl-validator and @wmfs/statelint, both driven through ONE long-lived Node process
    (bench/asl/peers/asl_driver.js; JSON.parse + validate per definition)
  - PyPI statelint (Linter.validate on the text)
  - cfn-lint (the definition wrapped in an AWS::StepFunctions::StateMachine template; its rule E3601
    checks the definition; rules loaded once, the whole template linted per definition; time-bounded)
over the whole conformance corpus (../shared/conformance/asl/{valid,invalid}) and over one generated
100-state definition. Cold start: each command-line tool on one file, as a pre-commit hook runs it
(hyperfine when installed, else repeated subprocess timing).

Usage:
  bash bench/asl/install_peers.sh           # once: npm peers into bench/asl/.peers/, PyPI peers, hyperfine
  python3 bench/asl/asl_peers.py [--min-time 2] [--cold-runs 10] [--json out.json] [--markdown]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parents[1]
SHARED = ROOT.parent / "shared"
CORPUS = SHARED / "conformance" / "asl"
PEERS = BENCH / ".peers"
DRIVER = BENCH / "peers" / "asl_driver.js"
NODE_BIN = PEERS / "node_modules" / ".bin"
PACKAGE_DIRS = ("tamis", "grammar", "compiler", "runtime")

Check = Callable[[str], bool]  # definition text -> valid?


# -------------------------------------------------------------------------------------------- inputs


def corpus_texts() -> list[str]:
    """Every definition of the shared corpus as text, valid and invalid, in a stable order."""
    files = sorted((CORPUS / "valid").glob("*.json")) + sorted((CORPUS / "invalid").glob("*.json"))
    return [f.read_text(encoding="utf-8") for f in files]


def hundred_state_definition() -> dict[str, Any]:
    """A valid 100-state JSONPath machine mixing Task (Retry/Catch), Pass, Choice and Wait states."""
    n = 100
    states: dict[str, Any] = {}
    for i in range(n - 2):
        name, nxt = f"Step{i:03d}", f"Step{i + 1:03d}" if i < n - 3 else "Done"
        kind = i % 4
        if kind == 0:
            states[name] = {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke",
                "Parameters": {
                    "FunctionName": "arn:aws:lambda:us-east-1:123456789012:function:f",
                    "Payload.$": "$",
                },
                "ResultSelector": {"body.$": "$.Payload"},
                "ResultPath": "$.results.r" + str(i),
                "TimeoutSeconds": 30,
                "Retry": [
                    {
                        "ErrorEquals": ["Lambda.TooManyRequestsException"],
                        "IntervalSeconds": 2,
                        "MaxAttempts": 3,
                        "BackoffRate": 2.0,
                    },
                    {"ErrorEquals": ["States.ALL"], "MaxAttempts": 1},
                ],
                "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Failed"}],
                "Next": nxt,
            }
        elif kind == 1:
            states[name] = {
                "Type": "Pass",
                "Parameters": {
                    "step": i,
                    "id.$": "$$.Execution.Id",
                    "msg.$": "States.Format('step {}', $.n)",
                },
                "ResultPath": "$.pass",
                "Next": nxt,
            }
        elif kind == 2:
            states[name] = {
                "Type": "Choice",
                "Choices": [
                    {"Variable": "$.n", "NumericGreaterThan": i, "Next": nxt},
                    {
                        "And": [
                            {"Variable": "$.s", "IsPresent": True},
                            {"Variable": "$.s", "StringMatches": "a*"},
                        ],
                        "Next": nxt,
                    },
                ],
                "Default": "Failed",
            }
        else:
            states[name] = {"Type": "Wait", "Seconds": 1, "Next": nxt}
    states["Done"] = {"Type": "Succeed"}
    states["Failed"] = {"Type": "Fail", "Error": "StepFailed", "Cause": "a step failed"}
    assert len(states) == n
    return {"Comment": "generated 100-state machine", "StartAt": "Step000", "States": states}


# ------------------------------------------------------------------------------------- Python tools


def tamis_check() -> Check | None:
    try:
        from tamis.asl import validate_asl
    except (ImportError, AttributeError):
        return None

    def check(text: str) -> bool:
        return not any(d.severity == "error" for d in validate_asl(text))

    return check


def pypi_statelint_check() -> Check | None:
    try:
        from statelint.linter import Linter
    except ImportError:
        return None
    return lambda text: not Linter.validate(text)


def cfn_template(text: str) -> str:
    try:
        definition = json.loads(text)
    except ValueError:
        definition = text
    key = "Definition" if isinstance(definition, dict) else "DefinitionString"
    return json.dumps(
        {
            "AWSTemplateFormatVersion": "2010-09-09",
            "Resources": {
                "Machine": {
                    "Type": "AWS::StepFunctions::StateMachine",
                    "Properties": {key: definition, "RoleArn": "arn:aws:iam::123456789012:role/sfn"},
                }
            },
        }
    )


def cfn_lint_check() -> Callable[[str], bool] | None:
    """Lints a prepared template text (see ``cfn_template``); rules are loaded once, not per call."""
    try:
        from cfnlint.api import ConfigMixIn, Runner
        from cfnlint.decode.decode import decode_str
        from cfnlint.runner import run_template_by_data
    except ImportError:
        return None
    config = ConfigMixIn(regions=["us-east-1"])
    rules = Runner(config).rules

    def check(template: str) -> bool:
        tpl, errors = decode_str(template)
        if errors or tpl is None:
            return False
        return not any(m.rule.id.startswith("E") for m in run_template_by_data(tpl, config, rules))

    return check


def measure(check: Check, texts: list[str], min_time: float, max_time: float | None = None) -> dict[str, Any]:
    """Whole passes over ``texts`` until ``min_time``; a slow tool stops at ``max_time`` mid-pass."""
    invalid = sum(1 for t in texts[: max(1, min(len(texts), 3))] if not _safe(check, t))  # warm-up
    done = 0
    passes = 0
    start = time.perf_counter()
    elapsed = 0.0
    while passes == 0 or elapsed < min_time:
        invalid = 0
        for text in texts:
            if not _safe(check, text):
                invalid += 1
            done += 1
            if max_time is not None and done % 8 == 0 and time.perf_counter() - start > max_time:
                break
        else:
            passes += 1
            elapsed = time.perf_counter() - start
            continue
        elapsed = time.perf_counter() - start
        break
    return {
        "defs": len(texts),
        "validated": done,
        "passes": passes,
        "seconds": elapsed,
        "per_second": done / elapsed if elapsed else float("inf"),
        "invalid": invalid if passes else None,
        "sampled": passes == 0,
    }


def _safe(check: Check, text: str) -> bool:
    try:
        return check(text)
    except Exception:
        return False  # a crash on a definition counts as a rejection


# --------------------------------------------------------------------------------------- Node peers


class NodePeers:
    """One long-lived ``node bench/asl/peers/asl_driver.js`` process for the npm validators."""

    def __init__(self) -> None:
        self.proc = subprocess.Popen(
            ["node", str(DRIVER)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1
        )
        self.tools: list[str] = self.request({"op": "tools"})["tools"]

    @classmethod
    def start(cls) -> NodePeers | None:
        if shutil.which("node") is None or not (PEERS / "node_modules").is_dir():
            return None
        return cls()

    def request(self, req: dict[str, Any]) -> dict[str, Any]:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(json.dumps(req) + "\n")
        self.proc.stdin.flush()
        reply = json.loads(self.proc.stdout.readline())
        if not reply.get("ok"):
            raise RuntimeError(f"node driver: {reply.get('error')}")
        return reply

    def load(self, name: str, texts: list[str]) -> None:
        self.request({"op": "load", "set": name, "texts": texts})

    def run(self, tool: str, name: str, min_time: float, max_time: float | None = None) -> dict[str, Any]:
        return self.request(
            {"op": "run", "tool": tool, "set": name, "min_time": min_time, "max_time": max_time}
        )

    def once(self, tool: str, name: str) -> float:
        return float(self.request({"op": "once", "tool": tool, "set": name})["seconds"])

    def close(self) -> None:
        with contextlib.suppress(Exception):
            assert self.proc.stdin is not None
            self.proc.stdin.write('{"op": "quit"}\n')
            self.proc.stdin.close()
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()


@contextlib.contextmanager
def node_peers() -> Iterator[NodePeers | None]:
    peers = NodePeers.start()
    try:
        yield peers
    finally:
        if peers is not None:
            peers.close()


# ---------------------------------------------------------------------------------------- cold start


def tamis_cli_command(valid_file: Path, invalid_file: Path) -> list[str] | None:
    """The tamis command that validates an ASL file, found by probing (the CLI may not have it yet)."""
    exe = _executable("tamis")
    if exe is None:
        return None
    env_cmd = os.environ.get("TAMIS_ASL_CMD")
    candidates = [env_cmd.split()] if env_cmd else []
    candidates += [[exe, "asl", "validate"], [exe, "asl"], [exe, "validate-asl"], [exe, "lint"]]
    for cmd in candidates:
        ok = subprocess.run([*cmd, str(valid_file)], capture_output=True, timeout=60)
        bad = subprocess.run([*cmd, str(invalid_file)], capture_output=True, timeout=60)
        if ok.returncode == 0 and bad.returncode not in (0, 2):
            return cmd
    return None


def _executable(name: str) -> str | None:
    """The console script itself: a version manager's shim (pyenv) would add its own start-up time."""
    beside = Path(sys.executable).parent / name
    return str(beside) if beside.exists() else shutil.which(name)


def cold_commands(valid_file: Path, invalid_file: Path, cfn_file: Path) -> dict[str, list[str]]:
    cmds: dict[str, list[str]] = {}
    tamis_cmd = tamis_cli_command(valid_file, invalid_file)
    if tamis_cmd:
        cmds["tamis"] = [*tamis_cmd, str(valid_file)]
    if (NODE_BIN / "asl-validator").exists():
        cmds["asl-validator (npm)"] = [str(NODE_BIN / "asl-validator"), "--json-path", str(valid_file)]
    if (NODE_BIN / "statelint").exists():
        cmds["@wmfs/statelint (npm)"] = [str(NODE_BIN / "statelint"), str(valid_file)]
    pypi = _executable("statelint")
    if pypi:
        cmds["statelint (PyPI)"] = [pypi, str(valid_file)]
    cfn = _executable("cfn-lint")
    if cfn:
        cmds["cfn-lint (E3601)"] = [cfn, str(cfn_file)]
    return cmds


def cold_start(cmds: dict[str, list[str]], runs: int) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    hyperfine = shutil.which("hyperfine")
    for name, cmd in cmds.items():
        shown = " ".join(_short(c) for c in cmd)
        if hyperfine:
            with tempfile.NamedTemporaryFile(suffix=".json") as tmp:
                subprocess.run(
                    [
                        hyperfine,
                        "--warmup",
                        "2",
                        "--runs",
                        str(runs),
                        "-N",
                        "-i",
                        "--export-json",
                        tmp.name,
                        "--style",
                        "none",
                        " ".join(_quote(c) for c in cmd),
                    ],
                    check=True,
                    capture_output=True,
                    timeout=600,
                )
                result = json.loads(Path(tmp.name).read_text())["results"][0]
            out[name] = {
                "cpu_ms": (result["user"] + result["system"]) * 1e3,
                "median_ms": result["median"] * 1e3,
                "mean_ms": result["mean"] * 1e3,
                "min_ms": result["min"] * 1e3,
                "runs": runs,
                "command": shown,
                "via": "hyperfine",
            }
        else:
            times, cpu = [], []
            for i in range(runs + 2):
                r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
                t0 = time.perf_counter()
                subprocess.run(cmd, capture_output=True, timeout=600)
                if i >= 2:
                    times.append(time.perf_counter() - t0)
                    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
                    cpu.append(r1.ru_utime - r0.ru_utime + r1.ru_stime - r0.ru_stime)
            out[name] = {
                "cpu_ms": statistics.mean(cpu) * 1e3,
                "median_ms": statistics.median(times) * 1e3,
                "mean_ms": statistics.mean(times) * 1e3,
                "min_ms": min(times) * 1e3,
                "runs": runs,
                "command": shown,
                "via": "subprocess",
            }
    return out


def _quote(arg: str) -> str:
    return "'" + arg.replace("'", "'\\''") + "'" if any(c in arg for c in " '\"$") else arg


def _short(arg: str) -> str:
    if arg.startswith(tempfile.gettempdir() + "/"):
        return os.path.basename(arg)  # the generated file, not its throw-away folder
    for base, label in ((str(ROOT) + "/", ""), (str(SHARED) + "/", "../shared/")):
        if arg.startswith(base):
            return label + arg[len(base) :]
    return os.path.basename(arg) if arg.startswith("/") and "/bin/" in arg else arg


# ---------------------------------------------------------------------------------------------- main


def run_all(min_time: float, cold_runs: int, slow_max_time: float, do_cold: bool = True) -> dict[str, Any]:
    corpus = corpus_texts()
    hundred = json.dumps(hundred_state_definition(), indent=2)
    sets = {"corpus": corpus, "100-state": [hundred]}
    results: dict[str, Any] = {"throughput": {}, "cold_start": {}, "notes": []}
    python_tools: dict[str, Check | None] = {
        "tamis": tamis_check(),
        "statelint (PyPI)": pypi_statelint_check(),
    }
    if python_tools["tamis"] is None:
        results["notes"].append("tamis.validate_asl is not available yet: tamis skipped")
    cfn = cfn_lint_check()
    for set_name, texts in sets.items():
        row: dict[str, Any] = {}
        for name, check in python_tools.items():
            if check is not None:
                row[name] = measure(check, texts, min_time)
        with node_peers() as peers:
            if peers is None:
                results["notes"].append(
                    "node or bench/asl/.peers missing: npm peers skipped (bash bench/asl/install_peers.sh)"
                )
            else:
                peers.load(set_name, texts)
                for tool in peers.tools:
                    row[f"{tool} (npm)"] = peers.run(tool, set_name, min_time, max_time=slow_max_time)
        if cfn is not None:
            templates = [cfn_template(t) for t in texts]
            row["cfn-lint (E3601)"] = measure(cfn, templates, 0.0, max_time=slow_max_time)
        results["throughput"][set_name] = row
    if do_cold:
        with tempfile.TemporaryDirectory() as tmp:
            valid_file = Path(tmp) / "machine.asl.json"
            valid_file.write_text(hundred)
            invalid = hundred_state_definition()
            invalid["StartAt"] = "Missing"
            invalid_file = Path(tmp) / "broken.asl.json"
            invalid_file.write_text(json.dumps(invalid))
            cfn_file = Path(tmp) / "template.json"
            cfn_file.write_text(cfn_template(hundred))
            # Byte-compile tamis as a pip install of a wheel would (an editable checkout under
            # PYTHONDONTWRITEBYTECODE=1 never caches bytecode; the PyPI peers were compiled at install).
            subprocess.run(
                [sys.executable, "-m", "compileall", "-q", *(str(ROOT / d) for d in PACKAGE_DIRS)],
                check=False,
            )
            cmds = cold_commands(valid_file, invalid_file, cfn_file)
            if "tamis" not in cmds:
                results["notes"].append("no tamis CLI command validates ASL yet: tamis cold start skipped")
            results["cold_start"] = cold_start(cmds, cold_runs)
    return results


def markdown(results: dict[str, Any]) -> str:
    lines: list[str] = []
    for set_name, row in results["throughput"].items():
        base = row.get("tamis", {}).get("per_second")
        lines += [
            f"Throughput, {set_name} ({next(iter(row.values()))['defs'] if row else 0} definitions):",
            "",
        ]
        lines += [
            "| tool | definitions/s | tamis ÷ tool | judged invalid | note |",
            "|---|---:|---:|---:|---|",
        ]
        for name, r in sorted(row.items(), key=lambda kv: -kv[1]["per_second"]):
            ratio = f"{base / r['per_second']:.2f}×" if base else "n/a"
            note = f"sampled {r['validated']} in {r['seconds']:.1f} s" if r.get("sampled") else ""
            invalid = "" if r.get("invalid") is None else str(r["invalid"])
            lines.append(f"| {name} | {r['per_second']:,.0f} | {ratio} | {invalid} | {note} |")
        lines.append("")
    if results["cold_start"]:
        base = results["cold_start"].get("tamis", {}).get("median_ms")
        base_cpu = results["cold_start"].get("tamis", {}).get("cpu_ms")
        lines += [
            "Cold start on one 100-state file (wall time: median and fastest run; CPU: user + system):",
            "",
        ]
        lines += [
            "| tool | median ms | min ms | tool ÷ tamis (median) | CPU ms | tool ÷ tamis (CPU) | command |",
            "|---|---:|---:|---:|---:|---:|---|",
        ]
        for name, r in sorted(results["cold_start"].items(), key=lambda kv: kv[1]["median_ms"]):
            ratio = f"{r['median_ms'] / base:.2f}×" if base else "n/a"
            cpu_ratio = f"{r['cpu_ms'] / base_cpu:.2f}×" if base_cpu else "n/a"
            lines.append(
                f"| {name} | {r['median_ms']:.0f} | {r['min_ms']:.0f} | {ratio} | {r['cpu_ms']:.0f} "
                f"| {cpu_ratio} | `{r['command']}` |"
            )
        lines.append("")
    lines += [f"- {n}" for n in results["notes"]]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--min-time", type=float, default=2.0, help="seconds of whole passes per tool and set"
    )
    parser.add_argument(
        "--slow-max-time", type=float, default=10.0, help="budget per set for a tool too slow for one pass"
    )
    parser.add_argument("--cold-runs", type=int, default=10)
    parser.add_argument("--no-cold", action="store_true")
    parser.add_argument("--json", type=Path, help="also write the raw results here")
    args = parser.parse_args(argv)
    if not CORPUS.is_dir():
        print(f"corpus not found: {CORPUS}", file=sys.stderr)
        return 2
    results = run_all(args.min_time, args.cold_runs, args.slow_max_time, not args.no_cold)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    print(markdown(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
