"""Worker processes for the record commands (``match --jobs``, ``redact --jsonl --jobs``), results in order.

The reader hands out blocks of whole lines (of a regular file, only their byte range, which the worker
reads: then only the results cross a pipe); each worker compiles the rule set or policy once from its
source (``tamis.worker_cache``) and returns what the block's lines print. Results are taken in the order the
blocks were read, with a few blocks in flight per worker, so the output is the one-process output and the
memory held stays bounded whatever the input's size.

Where workers are forked (Linux), a result's ``output`` bytes do not cross the pipe either: the parent maps
one shared anonymous region before the workers start, with a slot per block in flight, and the worker copies
the output into its task's slot (one copy, instead of pickling, a pipe's many writes and reads, and
unpickling). The parent then sees the output as a memoryview of the slot, valid until it takes the next
result. An output larger than a slot, and every output under another start method, comes as bytes. The
region is anonymous: nothing to clean up whether the run ends, fails or is cancelled.
"""

from __future__ import annotations

import itertools
import mmap
import sys
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from typing import Any, NamedTuple, TypeVar, cast

from tamis.processes import start_method

T = TypeVar("T")
# glibc's mallopt parameters (malloc.h) and the size below which block-sized buffers stay on the heap.
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3
_BLOCK_HEAP_BYTES = 64 << 20
IN_FLIGHT_PER_WORKER = 3


# Results are NamedTuples; with slots, theirs must have an ``output`` field of bytes.
R = TypeVar("R")


class _InSlot(NamedTuple):
    """Stands for a result's output that its worker left in the shared region."""

    offset: int
    length: int


# The shared region and its slot size, set in the parent before it forks the workers, who inherit them.
_region: mmap.mmap | None = None
_slot_bytes = 0


def reuse_block_memory() -> None:
    """Keep the megabyte buffers of blocks and their results on the heap, reused, in this process.

    glibc serves an allocation past its (dynamic) mmap threshold with a fresh mapping and unmaps it on
    free, so each block's input, output and pickled result was a new mapping, page-faulted in page by
    page: measured on the 200 MB archive of bench/archives, redact spent 0.18 s of system time in one
    process and 0.61 s with two workers, against 0.09 s and 0.30 s with the buffers kept. A record command
    owns its process, so it may set this; the library never does. Elsewhere (not glibc) nothing happens.
    """
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        libc = ctypes.CDLL(None)
        mallopt = libc.mallopt
    except (OSError, AttributeError):  # not glibc (musl has no mallopt): its allocator as it is
        return
    mallopt(_M_MMAP_THRESHOLD, _BLOCK_HEAP_BYTES)
    mallopt(_M_TRIM_THRESHOLD, 2 * _BLOCK_HEAP_BYTES)


def _in_slot(function: Callable[[T], R], slot: int, task: T) -> R:
    """In a worker: ``function(task)``, its output left in the task's slot of the shared region if it fits."""
    result: Any = function(task)
    output = result.output
    if _region is not None and len(output) <= _slot_bytes:
        offset = slot * _slot_bytes
        _region[offset : offset + len(output)] = output
        return cast(R, result._replace(output=_InSlot(offset, len(output))))
    return cast(R, result)


def ordered_map(
    function: Callable[[T], R], tasks: Iterable[T], jobs: int, *, slot_bytes: int = 0
) -> Iterator[R]:
    """``map(function, tasks)`` over ``jobs`` worker processes (in this process when ``jobs`` is 1), yielding
    in the tasks' order and reading ``tasks`` only as far as the results taken allow. With ``slot_bytes``,
    forked workers pass outputs of at most that many bytes through shared memory: such a result's
    ``output`` is a memoryview, valid only until the next result is taken."""
    reuse_block_memory()
    tasks = iter(tasks)
    head = list(itertools.islice(tasks, 2))
    if jobs <= 1 or len(head) < 2:  # one block (a small input): starting workers would cost more
        yield from map(function, itertools.chain(head, tasks))
        return
    tasks = itertools.chain(head, tasks)
    import multiprocessing
    from concurrent.futures import Future, ProcessPoolExecutor

    global _region, _slot_bytes
    in_flight = jobs * IN_FLIGHT_PER_WORKER
    method = start_method()
    # Task i's slot is taken again by task i + in_flight, submitted only once result i has been used.
    region = mmap.mmap(-1, in_flight * slot_bytes) if slot_bytes and method == "fork" else None
    view = memoryview(region) if region is not None else None
    _region, _slot_bytes = region, slot_bytes
    pool = ProcessPoolExecutor(
        max_workers=jobs,
        mp_context=multiprocessing.get_context(method),
        initializer=reuse_block_memory,  # spawned workers start with glibc's defaults
    )
    pending: deque[Future[Any]] = deque()

    def taken(future: Future[Any]) -> R:
        result: Any = future.result()
        where = result.output
        if isinstance(where, _InSlot):
            assert view is not None
            return cast(R, result._replace(output=view[where.offset : where.offset + where.length]))
        return cast(R, result)

    try:
        for index, task in enumerate(tasks):
            if region is None:
                pending.append(pool.submit(function, task))
            else:
                pending.append(pool.submit(_in_slot, function, index % in_flight, task))
            if len(pending) >= in_flight:
                yield taken(pending.popleft())
        while pending:
            yield taken(pending.popleft())
    finally:
        for future in pending:
            future.cancel()
        pool.shutdown(wait=True, cancel_futures=True)
        _region, _slot_bytes = None, 0  # the mapping goes when the last view of it does
