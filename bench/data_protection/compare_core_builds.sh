#!/usr/bin/env bash
# Times the redactor's native core of this checkout against another build of it (OTHER: a _redact*.so, for
# example main's build on Debian's libre2), alternating the two ROUNDS times on the redaction benchmark's
# floor and tamis rows (bench/data_protection/test_bench_redact.py). JSON goes to bench/.results/.
# Run: bash bench/data_protection/compare_core_builds.sh OTHER.so [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/../.."
other="$1"
rounds="${2:-2}"
here="$(python3 -c 'import tamis.runtime.redact._redact as m; print(m.__file__)')"
mine="$(mktemp)"
cp "$here" "$mine"
# Swapped by rename, never rewritten in place: a process that has the core loaded keeps its copy.
swap() { cp "$1" "$here.swap" && mv -f "$here.swap" "$here"; }
trap 'swap "$mine"; rm -f "$mine"' EXIT
mkdir -p bench/.results
tests=()
for id in floor-1KB floor-256KB floor-256KB-sparse tamis-1KB tamis-256KB tamis-256KB-sparse; do
  tests+=("bench/data_protection/test_bench_redact.py::test_redact[$id]")
done
for round in $(seq 1 "$rounds"); do
  for build in this other; do
    if [ "$build" = this ]; then swap "$mine"; else swap "$other"; fi
    python3 -m pytest -q "${tests[@]}" --benchmark-timer=time.process_time \
      --benchmark-json="bench/.results/core-$build-$round.json" >/dev/null
  done
done
python3 - "$rounds" <<'PY'
import json, statistics, sys
rounds = int(sys.argv[1])
rows: dict[str, dict[str, list[float]]] = {}
for build in ("this", "other"):
    for r in range(1, rounds + 1):
        for b in json.load(open(f"bench/.results/core-{build}-{r}.json"))["benchmarks"]:
            rows.setdefault(b["name"].split("[")[1].rstrip("]"), {}).setdefault(build, []).append(b["stats"]["median"])
print("| row | this build | other build | this / other |")
print("|---|---|---|---|")
for name, v in rows.items():
    a, o = statistics.median(v["this"]), statistics.median(v["other"])
    print(f"| {name} | {a * 1e6:,.1f} µs | {o * 1e6:,.1f} µs | {a / o:.2f}x |")
PY
