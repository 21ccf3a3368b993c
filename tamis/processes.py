"""How tamis starts worker processes: the cores it may use and the start method. One leaf shared by the
record commands' pool (tamis/cli/worker_pool.py) and the linter's (tamis/lint/run.py)."""

from __future__ import annotations

import os
import sys


def available_cpus() -> int:
    """The cores this process may run on (``os.process_cpu_count`` from Python 3.13, the affinity mask
    where there is one, else every core)."""
    count = getattr(os, "process_cpu_count", None)
    if count is not None:
        n = count()
    elif hasattr(os, "sched_getaffinity"):
        n = len(os.sched_getaffinity(0))
    else:
        n = os.cpu_count()
    return max(1, n or 1)


def start_method() -> str:
    """``fork`` on Linux when this process runs one thread (workers then start in milliseconds with what
    this process has compiled and imported; forking a process that holds other threads may copy a held
    lock, so then, and on other systems, ``spawn``: a fresh interpreter that imports tamis again)."""
    import multiprocessing
    import threading

    if (
        sys.platform.startswith("linux")
        and threading.active_count() == 1
        and "fork" in multiprocessing.get_all_start_methods()
    ):
        return "fork"
    return "spawn"
