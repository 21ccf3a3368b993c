#!/usr/bin/env bash
# Installs the ASL validators tamis is benchmarked against into bench/asl/.peers/ (git-ignored).
#   npm:  asl-validator, @wmfs/statelint (driven by bench/asl/peers/asl_driver.js in one Node process)
#   PyPI: statelint, cfn-lint (its E3601 rule validates state machines; both also in the bench extra);
#   hyperfine for cold starts (apt)
# Usage: bash bench/asl/install_peers.sh   (idempotent; needs node/npm, pip, optionally apt-get)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
peers="$here/.peers"
mkdir -p "$peers"
if command -v npm >/dev/null 2>&1; then
  (cd "$peers" && { [ -f package.json ] || echo '{"name": "tamis-bench-peers", "private": true}' > package.json; } &&
    npm install --no-audit --no-fund --silent asl-validator@^4 @wmfs/statelint@^1)
else
  echo "npm not found: the Node peers will be skipped" >&2
fi
python3 -m pip install --quiet 'statelint>=3' 'cfn-lint>=1' || echo "pip install of Python peers failed" >&2
if ! command -v hyperfine >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1; then
  (apt-get install -y -qq hyperfine >/dev/null 2>&1 || { apt-get update -qq >/dev/null && apt-get install -y -qq hyperfine >/dev/null; }) ||
    echo "hyperfine unavailable: cold starts fall back to repeated subprocess timing" >&2
fi
echo "peers installed in $peers"
