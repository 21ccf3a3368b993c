"""Whether every Python peer the benchmarks compare tamis with imports here (run after
``pip install -e '.[bench]'`` on a fresh machine: a peer that does not import is skipped by its benchmark,
so a missing dependency would quietly shrink the comparison).

Run: ``python3 bench/peers_import.py`` (exit 1 and the failures when some peer does not import)
"""

from __future__ import annotations

import importlib
import sys

# module -> the benchmark that uses it
PEERS = {
    "moto.events.models": "event_patterns (moto EventBridge)",
    "moto.sns.utils": "event_patterns (moto SNS)",
    "localstack.services.events.event_rule_engine": "event_patterns (LocalStack EventBridge)",
    "localstack.services.sns.filter": "event_patterns (LocalStack SNS)",
    "presidio_analyzer.predefined_recognizers": "data_protection (Presidio)",
    "statelint.linter": "asl (statelint)",
    "cfnlint.api": "asl (cfn-lint)",
    "pytest_benchmark": "every suite",
    "pyinstrument": "profiles",
    "matplotlib.pyplot": "charts",
}


def main() -> int:
    failed = 0
    for module, used_by in PEERS.items():
        try:
            importlib.import_module(module)
        except Exception as exc:  # any failure to import is a missing peer
            failed += 1
            print(f"MISSING {module} ({used_by}): {type(exc).__name__}: {exc}")
        else:
            print(f"ok      {module} ({used_by})")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
