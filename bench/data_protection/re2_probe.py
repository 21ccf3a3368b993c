"""Build and run bench/data_protection/re2_probe.cc on the redaction benchmark's policy and messages (a
design probe).

Needs a C++ compiler and RE2's headers and library (Debian: ``apt-get install libre2-dev``); neither is a
tamis dependency, so this is not part of any suite. Prints a markdown table (see re2_probe.cc).

Run: ``python3 bench/data_protection/re2_probe.py``
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import redact_data as data

import tamis

HERE = Path(__file__).resolve().parent


def main() -> int:
    if shutil.which("g++") is None or not Path("/usr/include/re2/re2.h").exists():
        print("re2_probe: needs g++ and RE2's headers (apt-get install libre2-dev)", file=sys.stderr)
        return 2
    policy = tamis.compile_policy(data.policy())
    patterns = [f"{d.group}\t{d.pattern}" for d in policy._redactor.scanner.detectors]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "pats.txt").write_text("\n".join(patterns) + "\n", encoding="utf-8")
        (folder / "m1kb.txt").write_text(data.message_1kb(), encoding="utf-8")
        (folder / "m256kb.txt").write_text(data.message_256kb(), encoding="utf-8")
        (folder / "m256kb-sparse.txt").write_text(data.message_256kb_sparse(), encoding="utf-8")
        binary = folder / "re2_probe"
        subprocess.run(
            ["g++", "-O2", "-std=c++17", str(HERE / "re2_probe.cc"), "-o", str(binary), "-lre2"], check=True
        )
        subprocess.run([str(binary), tmp, "m1kb.txt", "m256kb.txt", "m256kb-sparse.txt"], check=True)
    return 0


if __name__ == "__main__":  # run as a script, bench/ is on sys.path for redact_data
    sys.exit(main())
