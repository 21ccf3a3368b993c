"""The record commands: ``tamis match`` and ``tamis redact --jsonl`` over large inputs.

``--jobs 2`` gives the one-process output byte for byte (stdout, stderr and exit status), on generated
events with bad lines and non-ASCII text read in many small blocks; both equal what the public API answers
line by line. Inputs may be gzip or zstd compressed, recognised by their first bytes.
"""

from __future__ import annotations

import gzip
import itertools
import sys
from pathlib import Path
from typing import NamedTuple

import orjson
import pytest
from support.archive_records import lines, policy, rules

from tamis.cli import input_streams, main
from tamis.cli.progress import ProgressLine
from tamis.patterns import RuleSet
from tamis.policies import compile_policy
from tamis.processes import start_method

COUNT = 1500


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("archive")
    (root / "rules").mkdir()
    for name, pattern in rules().items():
        (root / "rules" / f"{name}.json").write_bytes(orjson.dumps(pattern))
    (root / "policy.json").write_bytes(orjson.dumps(policy()))
    (root / "events.jsonl").write_bytes(b"".join(line + b"\n" for line in lines(COUNT, bad_every=37)))
    return root


@pytest.fixture(autouse=True)
def small_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    # Many blocks from a small file, so that two workers each take a share and the order is put back.
    monkeypatch.setattr(input_streams, "BLOCK", 16 * 1024)


def run(argv: list[str], capsysbinary: pytest.CaptureFixture[bytes]) -> tuple[int, bytes, bytes]:
    code = main(argv)
    out, err = capsysbinary.readouterr()
    return code, out, err


def expected_match(path: Path, label: str) -> tuple[bytes, bytes]:
    """What `tamis match --rules` prints, from RuleSet.matches line by line."""
    rule_set = RuleSet()
    for name, pattern in sorted(rules().items()):  # the command reads the rule files in name order
        rule_set.add(name, pattern)
    out, err = [], []
    for number, line in enumerate(path.read_bytes().split(b"\n")[:-1], 1):
        try:
            names = rule_set.matches(line)
        except Exception as exc:  # an EventError: the line is reported and skipped
            err.append(f"{label}:{number}: {exc.message}\n".encode())  # type: ignore[attr-defined]
            continue
        if names:
            out.append(orjson.dumps({"file": label, "line": number, "rules": names}) + b"\n")
    return b"".join(out), b"".join(err)


def test_match_jobs_2_equals_one_process_and_the_api(
    archive: Path, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    events = str(archive / "events.jsonl")
    one = run(["match", "--rules", str(archive / "rules"), events, "--jobs", "1"], capsysbinary)
    two = run(["match", "--rules", str(archive / "rules"), events, "--jobs", "2"], capsysbinary)
    assert one == two
    out, err = expected_match(archive / "events.jsonl", events)
    assert one == (2, out, err)  # bad lines: reported, then exit 2
    assert err.count(b"\n") == COUNT // 37
    assert "zoë".encode() in archive.joinpath("events.jsonl").read_bytes() and b'"unicode-user"' in out


@pytest.mark.parametrize("flags", [["-c"], ["-v"], []])
def test_match_modes_with_jobs(
    archive: Path, flags: list[str], capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    pattern = archive / "rules" / "not-ok.json"
    events = str(archive / "events.jsonl")
    one = run(["match", str(pattern), events, *flags, "--jobs", "1"], capsysbinary)
    two = run(["match", str(pattern), events, *flags, "--jobs", "2"], capsysbinary)
    assert one == two
    assert one[1]


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_max_errors_stops_after_the_budget(
    archive: Path, jobs: str, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    events = str(archive / "events.jsonl")
    code, out, err = run(
        ["match", "--rules", str(archive / "rules"), events, "--max-errors", "2", "--jobs", jobs],
        capsysbinary,
    )
    assert code == 2
    full_out, full_err = expected_match(archive / "events.jsonl", events)
    # The third bad line is line 111: every record before it is printed, none after it.
    assert err.splitlines()[:3] == full_err.splitlines()[:3]
    assert b"stopped at 3 bad event lines (--max-errors 2)" in err
    printed = [orjson.loads(x)["line"] for x in out.splitlines()]
    assert printed == [
        orjson.loads(x)["line"] for x in full_out.splitlines() if orjson.loads(x)["line"] < 111
    ]


def test_max_errors_within_budget_keeps_the_match_status(
    archive: Path, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    events = str(archive / "events.jsonl")
    code, out, err = run(
        ["match", "--rules", str(archive / "rules"), events, "--max-errors", "1000"], capsysbinary
    )
    assert code == 0
    assert (out, err) == expected_match(archive / "events.jsonl", events)


def test_compressed_input_by_magic_bytes(
    archive: Path, tmp_path: Path, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    zstandard = pytest.importorskip("zstandard", reason="zstandard is a test dependency of the zstd input")
    data = (archive / "events.jsonl").read_bytes()
    (tmp_path / "a.jsonl.gz").write_bytes(gzip.compress(data))
    (tmp_path / "b.log").write_bytes(gzip.compress(data))  # gzip whatever the name
    (tmp_path / "c.jsonl.zst").write_bytes(zstandard.ZstdCompressor().compress(data))
    pattern = str(archive / "rules" / "big-orders.json")
    plain = run(["match", pattern, str(archive / "events.jsonl"), "-c"], capsysbinary)
    for name in ("a.jsonl.gz", "b.log", "c.jsonl.zst"):
        code, out, err = run(["match", pattern, str(tmp_path / name), "-c", "--jobs", "2"], capsysbinary)
        assert (code, out) == plain[:2]
        assert err.replace(str(tmp_path / name).encode(), b"X") == plain[2].replace(
            str(archive / "events.jsonl").encode(), b"X"
        )


def test_bad_compressed_input_is_an_input_error(
    archive: Path, tmp_path: Path, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    pattern = str(archive / "rules" / "big-orders.json")
    (tmp_path / "plain.gz").write_bytes(b'{"source": "x"}\n')
    code, _, err = run(["match", pattern, str(tmp_path / "plain.gz")], capsysbinary)
    assert code == 2 and b"plain.gz: named as gzip but does not start like gzip data" in err
    (tmp_path / "cut.gz").write_bytes(gzip.compress((archive / "events.jsonl").read_bytes())[:5000])
    code, _, err = run(["match", pattern, str(tmp_path / "cut.gz")], capsysbinary)
    assert code == 2 and b"cut.gz: cannot decompress" in err and b"Traceback" not in err


def test_zstd_without_a_decompressor_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    monkeypatch.setitem(sys.modules, "zstandard", None)
    monkeypatch.setitem(sys.modules, "compression", None)
    (tmp_path / "p.json").write_text('{"source": ["x"]}')
    (tmp_path / "e.zst").write_bytes(input_streams.ZSTD_MAGIC + b"\x00" * 16)
    code, _, err = run(["match", str(tmp_path / "p.json"), str(tmp_path / "e.zst")], capsysbinary)
    assert code == 2
    assert b"needs the zstandard package: pip install 'tamis[zstd]'" in err


def expected_redact(path: Path, label: str) -> tuple[int, bytes, bytes]:
    pol = compile_policy(orjson.dumps(policy()))
    out, err = [], []
    for number, line in enumerate(path.read_bytes().split(b"\n")[:-1], 1):
        outcome = pol.apply(line.decode("utf-8", "surrogateescape"), direction="Inbound")
        if outcome.error is not None:
            e = outcome.error
            text = f"{e.code} ({e.http_status}): {e.message} [statement {e.statement}]"
            err.append(f"{label}:{number}: denied: {text}\n".encode())
        else:
            out.append((outcome.message or "").encode("utf-8", "surrogateescape") + b"\n")
    return (1 if err else 0), b"".join(out), b"".join(err)


def test_redact_jsonl_jobs_2_equals_one_process_and_the_api(
    archive: Path, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    events = str(archive / "events.jsonl")
    argv = ["redact", "--policy", str(archive / "policy.json"), "--jsonl", events]
    one = run([*argv, "--jobs", "1"], capsysbinary)
    two = run([*argv, "--jobs", "2"], capsysbinary)
    assert one == two
    assert one == expected_redact(archive / "events.jsonl", events)
    code, out, err = one
    assert code == 1 and b"denied" in err  # the generated lines hold a few blocked references
    # masked; bytes that are not UTF-8 come out as "?", as the services' UTF-8 encoders write them
    assert b"###" in out and b"\xff\xfe" not in out and b"??" in out
    assert out.count(b"\n") + err.count(b"\n") == COUNT


def test_redact_jsonl_reads_stdin_and_gzip(
    archive: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    data = (archive / "events.jsonl").read_bytes()
    (tmp_path / "e.gz").write_bytes(gzip.compress(data))
    argv = ["redact", "--policy", str(archive / "policy.json"), "--jsonl"]
    zipped = run([*argv, str(tmp_path / "e.gz")], capsysbinary)
    plain = run([*argv, str(archive / "events.jsonl")], capsysbinary)
    assert zipped[:2] == plain[:2]


def test_redact_jobs_needs_jsonl(archive: Path, capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    code, _, err = run(
        ["redact", "--policy", str(archive / "policy.json"), "--jobs", "2", str(archive / "events.jsonl")],
        capsysbinary,
    )
    assert code == 2 and b"--jobs spreads the lines of --jsonl inputs" in err


def test_progress_only_on_a_terminal() -> None:
    import io

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    progress = input_streams.Progress(total=1000)
    quiet = io.StringIO()
    line = ProgressLine(progress, quiet)
    line.add(10)
    line.close()
    assert not line.enabled and quiet.getvalue() == ""
    terminal = Terminal()
    line = ProgressLine(progress, terminal)
    assert line.enabled
    progress.done = 250
    line.records = 5000
    text = line.text(line._start + 10)
    assert text == "5,000 records, 500/s, 25%, ETA 0:30"
    line._draw(line._start + 10)
    line.close()
    assert terminal.getvalue() == "\r\x1b[K" + text + "\r\x1b[K"


def test_redact_jsonl_audit_records_name_file_and_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    import random

    audited = policy()
    audited["Statement"].append(
        {
            "Sid": "audit",
            "DataDirection": "Inbound",
            "Principal": ["*"],
            "DataIdentifier": ["SessionToken"],
            "Operation": {"Audit": {"SampleRate": 99, "FindingsDestination": {}}},
        }
    )
    (tmp_path / "policy.json").write_bytes(orjson.dumps(audited))
    (tmp_path / "m.jsonl").write_text("no token here\nsession tok_abcdefabcdef\n", encoding="utf-8")
    monkeypatch.setattr(random, "random", lambda: 0.0)  # every message sampled (one process: --jobs 1)
    code, out, err = run(
        [
            "redact",
            "--policy",
            str(tmp_path / "policy.json"),
            "--jsonl",
            "--audit",
            str(tmp_path / "m.jsonl"),
        ],
        capsysbinary,
    )
    assert code == 0
    assert out == b"no token here\nsession ################\n"
    records = [orjson.loads(line) for line in err.splitlines()]
    assert [(r["file"], r["line"]) for r in records] == [
        (str(tmp_path / "m.jsonl"), 1),
        (str(tmp_path / "m.jsonl"), 2),
    ]
    assert records[1]["audit"] != records[0]["audit"]


def odd_shapes(data: bytes) -> dict[str, bytes]:
    """The archive's lines reshaped as inputs come: the shapes the readers must cut into the same lines."""
    lines_ = data.split(b"\n")[:-1]
    long_line = orjson.dumps({"source": "long", "detail": {"pad": "é" * 20_000, "amount": 5}})
    spaced = b"".join(
        line + b"\n" + (b"\n" if i % 7 == 0 else b"") + (b"  \t\n" if i % 11 == 0 else b"")
        for i, line in enumerate(lines_)
    )
    return {
        "no-final-newline": data[:-1],
        "crlf": data.replace(b"\n", b"\r\n"),
        "empty-lines": b"\n" + spaced,
        # longer than a block (16 KB here, so the reader grows its buffer), first, inside and last
        "long-lines": long_line + b"\n" + data + long_line + b"\n" + data + long_line,
    }


def compressed_copies(data: bytes, folder: Path, name: str) -> list[Path]:
    """The same lines as a regular file (read by byte range with --jobs 2), gzip and zstd (read in blocks
    of bytes)."""
    paths = [folder / f"{name}.jsonl", folder / f"{name}.jsonl.gz"]
    paths[0].write_bytes(data)
    paths[1].write_bytes(gzip.compress(data))
    try:
        import zstandard
    except ImportError:  # the zstd reader has its own test, which says what is missing
        return paths
    paths.append(folder / f"{name}.jsonl.zst")
    paths[2].write_bytes(zstandard.ZstdCompressor().compress(data))
    return paths


def relabelled(result: tuple[int, bytes, bytes], label: str) -> tuple[int, bytes, bytes]:
    code, out, err = result
    return code, out.replace(label.encode(), b"INPUT"), err.replace(label.encode(), b"INPUT")


COMMANDS = {
    "match": lambda archive: ["match", "--rules", str(archive / "rules")],
    "match --max-errors": lambda archive: ["match", "--rules", str(archive / "rules"), "--max-errors", "3"],
    "match -v": lambda archive: ["match", str(archive / "rules" / "not-ok.json"), "-v"],
    # Bad lines numbered from uncounted blocks (no --rules: the output names no lines), and the budget.
    "match -v --max-errors": lambda archive: [
        "match",
        str(archive / "rules" / "not-ok.json"),
        "-v",
        "--max-errors",
        "3",
    ],
    "redact": lambda archive: ["redact", "--policy", str(archive / "policy.json"), "--jsonl"],
}


@pytest.mark.parametrize("command", sorted(COMMANDS))
@pytest.mark.parametrize("shape", ["no-final-newline", "crlf", "empty-lines", "long-lines"])
def test_jobs_2_equals_one_process_whatever_the_input(
    archive: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsysbinary: pytest.CaptureFixture[bytes],
    command: str,
    shape: str,
) -> None:
    import io

    data = odd_shapes((archive / "events.jsonl").read_bytes())[shape]
    argv = COMMANDS[command](archive)
    plain, *others = compressed_copies(data, tmp_path, shape)
    one = run([*argv, str(plain), "--jobs", "1"], capsysbinary)
    assert one[1] and one[0] in (0, 1, 2)
    assert one[2].count(str(plain).encode()) >= (3 if "max-errors" in command else 1)  # lines reported
    assert b"Traceback" not in one[2]
    for path in [plain, *others]:
        two = run([*argv, str(path), "--jobs", "2"], capsysbinary)
        assert relabelled(two, str(path)) == relabelled(one, str(plain)), path
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    two = run([*argv, "-", "--jobs", "2"], capsysbinary)
    assert relabelled(two, "<stdin>") == relabelled(one, str(plain))


@pytest.mark.parametrize("shape", ["no-final-newline", "crlf", "empty-lines", "long-lines"])
def test_blocks_by_byte_range_are_the_blocks_of_bytes(archive: Path, tmp_path: Path, shape: str) -> None:
    data = odd_shapes((archive / "events.jsonl").read_bytes())[shape]
    path = tmp_path / "e.jsonl"
    path.write_bytes(data)
    by_bytes = list(input_streams.blocks([str(path)], size=4096))
    by_range = list(input_streams.blocks([str(path)], size=4096, by_range=True))
    assert all(block.path is None for block in by_bytes)
    assert all(block.path == str(path) and not block.data for block in by_range)
    assert len(by_range) > 10
    # Each block is whole lines, numbered on from the last; where the blocks are cut may differ.
    expected = [(n, line.rstrip(b"\r")) for n, line in enumerate(data.split(b"\n"), 1) if line.strip()]
    for blocks in (by_bytes, by_range):
        assert b"".join(input_streams.contents(b) for b in blocks) == data
        assert all(input_streams.contents(b).count(b"\n") == b.lines for b in blocks[:-1])
        assert all(after.first == before.first + before.lines for before, after in itertools.pairwise(blocks))
        numbered = [pair for block in blocks for pair in input_streams.split_lines(block)]
        assert numbered == expected
    # Uncounted: the reader only looks for the line end after each block's size; the lines are counted
    # (and renumbered) by whoever reads them, here as the record commands do with workers.
    uncounted = list(input_streams.blocks([str(path)], size=4096, by_range=True, count=False))
    assert all(not b.counted and b.first == 1 and not b.lines and not b.data for b in uncounted)
    assert len(uncounted) > 10
    assert b"".join(input_streams.contents(b) for b in uncounted) == data
    assert all(after.start == before.end for before, after in itertools.pairwise(uncounted))
    assert all(input_streams.contents(b).endswith(b"\n") for b in uncounted[:-1])
    assert all(b.end - b.start >= 4096 for b in uncounted[:-1])  # a block ends past its size
    numbers = input_streams.LineNumbers()
    renumbered = []
    for block in uncounted:
        lines = input_streams.count_lines(input_streams.contents(block))
        shift = numbers.shift(block, lines)
        renumbered += [(n + shift, line) for n, line in input_streams.split_lines(block)]
    assert renumbered == expected
    gz = tmp_path / "e.jsonl.gz"
    gz.write_bytes(gzip.compress(data))  # compressed input: its bytes are handed out, as before
    assert all(block.path is None for block in input_streams.blocks([str(gz)], size=4096, by_range=True))


def test_a_file_cut_short_while_read_is_an_input_error(archive: Path, tmp_path: Path) -> None:
    path = tmp_path / "e.jsonl"
    path.write_bytes((archive / "events.jsonl").read_bytes())
    blocks = list(input_streams.blocks([str(path)], size=4096, by_range=True))
    path.write_bytes(path.read_bytes()[: blocks[-2].start + 10])
    assert input_streams.contents(blocks[-3])
    with pytest.raises(
        input_streams.InputError, match=r"e\.jsonl: changed while being read \(line \d+ onwards\)"
    ):
        input_streams.contents(blocks[-2])
    rotated = tmp_path / "new.jsonl"  # a log rotated under the reader: another file at the same path
    rotated.write_bytes((archive / "events.jsonl").read_bytes())
    rotated.replace(path)
    with pytest.raises(
        input_streams.InputError, match=r"e\.jsonl: replaced while being read \(line 1 onwards"
    ):
        input_streams.contents(blocks[0])
    path.unlink()
    with pytest.raises(input_streams.InputError, match=r"e\.jsonl: cannot read line 1 onwards"):
        input_streams.contents(blocks[0])


def test_an_uncounted_block_cut_short_is_an_input_error_naming_its_byte(
    archive: Path, tmp_path: Path
) -> None:
    path = tmp_path / "e.jsonl"
    path.write_bytes((archive / "events.jsonl").read_bytes())
    blocks = list(input_streams.blocks([str(path)], size=4096, by_range=True, count=False))
    path.write_bytes(path.read_bytes()[: blocks[-2].start + 10])
    with pytest.raises(
        input_streams.InputError,
        match=rf"e\.jsonl: changed while being read \(byte {blocks[-2].start} onwards\)",
    ):
        input_streams.contents(blocks[-2])


def test_an_empty_file_has_no_uncounted_blocks(tmp_path: Path) -> None:
    path = tmp_path / "e.jsonl"
    path.write_bytes(b"")
    assert list(input_streams.blocks([str(path)], size=4096, by_range=True, count=False)) == []
    path.write_bytes(b"{}")  # one line, shorter than a block, without its newline
    (block,) = input_streams.blocks([str(path)], size=4096, by_range=True, count=False)
    assert (block.start, block.end, input_streams.contents(block)) == (0, 2, b"{}")


@pytest.mark.parametrize("command", ["redact", "match -v", "match -c"])
def test_jobs_2_numbers_lines_per_input_over_several_inputs(
    archive: Path, tmp_path: Path, command: str, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    # The line numbers of uncounted blocks start again at each input, the same file twice included.
    data = (archive / "events.jsonl").read_bytes()
    other = tmp_path / "other.jsonl"
    other.write_bytes(data[: len(data) // 3] + b"\n\n" + data)
    argv = {**COMMANDS, "match -c": lambda archive: ["match", str(archive / "rules" / "not-ok.json"), "-c"]}[
        command
    ](archive)
    inputs = [str(archive / "events.jsonl"), str(other), str(archive / "events.jsonl")]
    one = run([*argv, *inputs, "--jobs", "1"], capsysbinary)
    two = run([*argv, *inputs, "--jobs", "2"], capsysbinary)
    assert one == two
    assert one[1]
    if command != "match -c":
        assert str(other).encode() in one[2]  # lines of the second input reported


def test_outputs_through_shared_slots_or_bytes_in_order() -> None:
    from tamis.cli import worker_pool

    sizes = [10, 5000, 100, 0, 7000, 3] * 5  # slots of 4096 bytes: the larger outputs come as bytes
    results, shared = [], []
    for result in worker_pool.ordered_map(_sized_output, sizes, 2, slot_bytes=4096):
        results.append((bytes(result.output), result.size))  # a slot is valid until the next result
        shared.append(isinstance(result.output, memoryview))
    assert results == [(_output_of(n), n) for n in sizes]
    if start_method() == "fork":  # elsewhere every output comes as bytes
        assert shared == [n <= 4096 for n in sizes]
    else:
        assert not any(shared)
    assert worker_pool._region is None


class _Sized(NamedTuple):
    output: bytes
    size: int


def _output_of(size: int) -> bytes:
    return bytes((size + i) % 251 for i in range(size))


def _sized_output(size: int) -> _Sized:
    return _Sized(_output_of(size), size)
