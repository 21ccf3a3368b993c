#!/usr/bin/env bash
# Both native cores built with AddressSanitizer and UndefinedBehaviorSanitizer, then their tests run:
# the differential tests of each core against its Python twin, the hostile-input tests and the fuzz tests.
#
#   bash fuzz/sanitizers.sh            # ~5 minutes on 2 cores; exit 0 when every test passed clean
#
# The checkout is copied to a scratch folder and installed there into a venv of its own, so the working
# install is left as it was. CPython itself is not instrumented: the ASan runtime is preloaded, leak
# detection is off (the interpreter keeps memory to the end on purpose), and any error report aborts.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
python="${PYTHON:-python3}"
work="$(mktemp -d "${TMPDIR:-/tmp}/tamis-sanitizers.XXXXXX")"
trap 'rm -rf "$work"' EXIT

mkdir -p "$work/src"
(cd "$here" && git ls-files -z --cached --others --exclude-standard | xargs -0 tar -cf - ) | tar -xf - -C "$work/src"
ln -s "$here/../shared" "$work/shared" 2>/dev/null || true  # tests read ../shared

flags="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer -g -O1"
"$python" -m venv "$work/venv"
CFLAGS="$flags" CXXFLAGS="$flags" LDFLAGS="-fsanitize=address,undefined" \
  "$work/venv/bin/pip" install -q -e "$work/src[test]"

asan="$(gcc -print-file-name=libasan.so)"
ubsan="$(gcc -print-file-name=libubsan.so)"
export LD_PRELOAD="$asan:$ubsan"
export ASAN_OPTIONS="detect_leaks=0:abort_on_error=1:halt_on_error=1:allocator_may_return_null=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
export TAMIS_REQUIRE_NATIVE=1 TAMIS_REQUIRE_REDACT_CORE=1 HYPOTHESIS_PROFILE="${HYPOTHESIS_PROFILE:-ci}"
cd "$work/src"
"$work/venv/bin/python" -c "import tamis.runtime.events._native, tamis.runtime.redact._redact"
"$work/venv/bin/python" -m pytest -q -p no:cacheprovider \
  tests/event_patterns/test_matcher_native.py \
  tests/event_patterns/test_hostile_events.py \
  tests/event_patterns/test_hostile_patterns.py \
  tests/data_protection/test_redact_native.py \
  tests/data_protection/test_hostile_policies.py \
  tests/fuzz
echo "sanitizers: both native cores ran their tests clean under ASan and UBSan"
