"""Write the large-archive benchmarks' inputs: a JSON-lines file of at least ``--mb`` megabytes of generated
events (``tests/support/archive_records.py``: bad lines, non-ASCII text), the rule files and the policy.

    python3 bench/archives/generate.py OUT_DIR --mb 200

The file is never committed: the benchmarks write it under bench/.results/ (ignored) or a folder given.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import orjson

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT / "tests") not in sys.path:
    sys.path.insert(0, str(ROOT / "tests"))

from support.archive_records import lines, policy, rules  # noqa: E402 - after the path is set

SEED = 20


def generate(out: Path, megabytes: int, *, bad_every: int = 1000) -> dict[str, object]:
    """Write ``events.jsonl``, ``rules/*.json`` and ``policy.json`` under ``out``; return what was written.
    An existing events file of the same size, seed and rate is kept (generating 200 MB takes a minute)."""
    out.mkdir(parents=True, exist_ok=True)
    (out / "rules").mkdir(exist_ok=True)
    for name, pattern in rules().items():
        (out / "rules" / f"{name}.json").write_bytes(orjson.dumps(pattern))
    (out / "policy.json").write_bytes(orjson.dumps(policy()))
    events = out / "events.jsonl"
    stamp = out / "events.stamp"
    wanted = f"{megabytes} MB, seed {SEED}, bad every {bad_every}\n"
    if events.exists() and stamp.exists() and stamp.read_text() == wanted:
        return _described(events)
    target = megabytes * 1_000_000
    size = count = 0
    with events.open("wb") as fh:
        # Lines are generated in runs of 10,000 from consecutive seeds until the size is reached.
        run = 0
        while size < target:
            for line in lines(10_000, seed=SEED + run, bad_every=bad_every):
                fh.write(line + b"\n")
                size += len(line) + 1
                count += 1
            run += 1
    stamp.write_text(wanted)
    return _described(events)


def _described(events: Path) -> dict[str, object]:
    with events.open("rb") as fh:
        count = sum(chunk.count(b"\n") for chunk in iter(lambda: fh.read(1 << 20), b""))
    return {"path": str(events), "bytes": events.stat().st_size, "lines": count}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--mb", type=int, default=200)
    args = parser.parse_args()
    print(generate(args.out, args.mb))


if __name__ == "__main__":
    main()
