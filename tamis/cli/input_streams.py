"""The inputs of the record commands (``match``, ``redact --jsonl``): files or stdin, plain, gzip or zstd.

Compression is recognised by the first bytes (gzip ``1f 8b``, zstd frames ``28 b5 2f fd``), whatever the
file is called, and a ``.gz`` or ``.zst`` name whose content is neither is an input error rather than text
read as records. zstd comes from the standard library's ``compression.zstd`` (Python 3.14) or the optional
``zstandard`` package (``pip install 'tamis[zstd]'``).
"""

from __future__ import annotations

import contextlib
import io
import os
import stat
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, BinaryIO

GZIP_MAGIC = b"\x1f\x8b"
ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
_SUFFIXES = {".gz": "gzip", ".gzip": "gzip", ".zst": "zstd", ".zstd": "zstd"}
# Large enough that a worker's share of the records outweighs passing them between processes, small
# enough that a few blocks in flight per worker keep memory bounded (tens of megabytes at most).
BLOCK = 1 << 20


class InputError(Exception):
    """An input that cannot be read as records (the command exits 2 naming it)."""


@dataclass
class Block:
    """Whole lines of one input: ``data`` holds ``lines`` lines (each ending in a newline but perhaps the
    input's last), the first of them line ``first`` of the input labelled ``label``. A block of a regular,
    uncompressed file may instead name its bytes: ``data`` is then empty and the lines are bytes ``start``
    to ``end`` of the file at ``path``, read by whoever takes the block (``contents``), so that handing a
    block to a worker process costs a few dozen bytes rather than a copy of its lines through a pipe.
    Such a block may also be uncounted (``counted`` false, from ``blocks(..., count=False)``): the reader
    did not read its lines, so ``lines`` is 0 and ``first`` is 1, its lines are numbered from the block's
    start and ``LineNumbers`` makes those numbers the input's once the block's lines are counted."""

    label: str
    first: int
    lines: int
    data: bytes
    path: str | None = None
    start: int = 0
    end: int = 0
    file: tuple[int, int] = (0, 0)  # the file's (device, inode) as the reader saw it
    counted: bool = True

    def place(self) -> str:
        """Where the block starts, for messages: its first line, or its first byte when uncounted."""
        return f"line {self.first} onwards" if self.counted else f"byte {self.start} onwards"


class LineNumbers:
    """Turns the numbers of an uncounted block's lines (counted from 1 at the block's start) into the
    input's, for blocks taken in the order they were read: ``shift(block, lines)`` is what to add."""

    def __init__(self) -> None:
        self._next = 1

    def shift(self, block: Block, lines: int) -> int:
        if block.counted:
            return 0
        if block.start == 0:  # a new input
            self._next = 1
        first = self._next
        self._next += lines
        return first - 1


class Progress:
    """How far the reading has got, in bytes of the inputs as stored (compressed where they are)."""

    def __init__(self, total: int | None) -> None:
        self.total = total  # None: unknown (stdin, a pipe)
        self.done = 0
        self._base = 0
        self._raw: Any = None

    def _follow(self, raw: Any) -> None:
        self._base, self._raw = self.done, raw

    def _update(self) -> None:
        if self._raw is not None:
            with contextlib.suppress(OSError, ValueError):  # a pipe has no position: no ETA then
                self.done = self._base + self._raw.tell()


def input_size(names: list[str]) -> int | None:
    """The inputs' total size on disk, or None when one is stdin or not a regular file."""
    total = 0
    for name in names or ["-"]:
        if name == "-":
            return None
        try:
            st = os.stat(name)
        except OSError:
            return None
        if not os.path.isfile(name):
            return None
        total += st.st_size
    return total


def blocks(
    names: list[str],
    progress: Progress | None = None,
    size: int | None = None,
    *,
    by_range: bool = False,
    count: bool = True,
) -> Iterator[Block]:
    """The inputs' lines in blocks of about ``size`` bytes (decompressed; default ``BLOCK``), in order,
    numbered per input. With ``by_range``, the blocks of regular uncompressed files name their bytes
    (``Block.path``) instead of holding them; compressed inputs, stdin and pipes still hand out the bytes.
    Without ``count`` those byte ranges are found without reading the file (only the ends of its blocks'
    last lines): the blocks are uncounted, and whoever reads them counts their lines (``LineNumbers``)."""
    size = size or BLOCK
    for name in names or ["-"]:
        raw: BinaryIO
        if name == "-":
            stdin: Any = sys.stdin
            if hasattr(stdin, "buffer"):
                raw = stdin.buffer
            else:  # a text stream standing in for stdin (embedding, tests)
                raw = io.BytesIO(stdin.read().encode("utf-8", "surrogateescape"))
            label = "<stdin>"
        else:
            raw, label = open(name, "rb"), name  # noqa: SIM115 - closed below
        try:
            if progress is not None:
                progress._follow(raw)
            stream, compressed = _decompressed(raw, name)
            if by_range and not compressed and name != "-" and _regular(raw):
                if count:
                    yield from _ranges_of(raw, name, label, size, progress)
                else:
                    yield from _uncounted_ranges_of(raw, name, label, size, progress)
            else:
                yield from _blocks_of(stream, compressed, label, size, progress)
        finally:
            if name != "-":
                raw.close()
        if progress is not None:
            progress._raw = None


def _corrupt() -> tuple[type[BaseException], ...]:
    kinds: list[type[BaseException]] = [EOFError, OSError, ValueError]
    try:
        import zstandard

        kinds.append(zstandard.ZstdError)
    except ImportError:
        pass
    return tuple(kinds)


def _blocks_of(
    stream: Any, compressed: bool, label: str, size: int, progress: Progress | None
) -> Iterator[Block]:
    first = 1
    rest = b""
    while True:
        try:
            data = stream.read(size)
        except _corrupt() as exc:
            if not compressed:
                raise
            raise InputError(f"{label}: cannot decompress line {first} onwards: {exc}") from None
        if progress is not None:
            progress._update()
        if not data:
            break
        data = rest + data if rest else data
        cut = data.rfind(b"\n") + 1
        if cut == 0:  # no line ends yet: a long line, read on
            rest = data
            continue
        rest = data[cut:]
        lines = data.count(b"\n", 0, cut)
        yield Block(label, first, lines, data[:cut])
        first += lines
    if rest:
        yield Block(label, first, 1, rest)


def _regular(raw: Any) -> bool:
    try:
        return stat.S_ISREG(os.fstat(raw.fileno()).st_mode)
    except (OSError, ValueError, AttributeError):
        return False


def _ranges_of(raw: Any, path: str, label: str, size: int, progress: Progress | None) -> Iterator[Block]:
    # The lines are still read here, once, into one reused buffer: the next block's first line number is
    # the count of the lines before it, which a worker could not know.
    buffer = bytearray(size)
    first, start, want = 1, 0, size
    st = os.fstat(raw.fileno())
    file = (st.st_dev, st.st_ino)
    while True:
        if len(buffer) < want:
            buffer = bytearray(want)
        raw.seek(start)
        n = raw.readinto(memoryview(buffer)[:want])
        if progress is not None:
            progress._update()
        if not n:
            return
        cut = buffer.rfind(b"\n", 0, n) + 1
        if cut == 0:
            if n == want:  # no line ends yet: a long line, read more of it
                want *= 2
                continue
            yield Block(label, first, 1, b"", path, start, start + n, file)  # the last line, no newline
            return
        lines = buffer.count(b"\n", 0, cut)
        yield Block(label, first, lines, b"", path, start, start + cut, file)
        first += lines
        start += cut
        want = size


def _uncounted_ranges_of(
    raw: Any, path: str, label: str, size: int, progress: Progress | None
) -> Iterator[Block]:
    # Each block ends at the first line end at or after ``size`` bytes past its start: only that last
    # line's tail is read here, so the file is read once in all, by the workers.
    st = os.fstat(raw.fileno())
    file = (st.st_dev, st.st_ino)
    scan = min(size, 64 * 1024)
    start = 0
    while True:
        pos = start + size
        raw.seek(pos)
        end = None
        while end is None:
            chunk = raw.read(scan)
            if not chunk:
                break
            found = chunk.find(b"\n")
            if found >= 0:
                end = pos + found + 1
            pos += len(chunk)
        if progress is not None:
            progress._update()
        if end is None:  # the input's end comes first
            end = raw.seek(0, os.SEEK_END)
            if end > start:
                yield Block(label, 1, 0, b"", path, start, end, file, counted=False)
            return
        yield Block(label, 1, 0, b"", path, start, end, file, counted=False)
        start = end


def count_lines(data: bytes) -> int:
    """How many lines the bytes of a block hold (the last perhaps without its newline)."""
    return data.count(b"\n") + (1 if data and not data.endswith(b"\n") else 0)


def contents(block: Block) -> bytes:
    """The bytes of the block's lines: its ``data``, or read from its file's byte range."""
    if block.path is None:
        return block.data
    length = block.end - block.start
    try:
        with open(block.path, "rb", buffering=0) as fh:
            st = os.fstat(fh.fileno())
            if (st.st_dev, st.st_ino) != block.file:  # renamed and replaced (a rotated log, say)
                raise InputError(f"{block.label}: replaced while being read ({block.place()})")
            fh.seek(block.start)
            data = _read_exactly(fh, length)
    except OSError as exc:
        raise InputError(f"{block.label}: cannot read {block.place()}: {exc}") from None
    if len(data) != length:  # cut short since the reader saw it
        raise InputError(f"{block.label}: changed while being read ({block.place()})")
    return data


def _read_exactly(fh: Any, length: int) -> bytes:
    parts: list[bytes] = []
    while length > 0:
        part = fh.read(length)
        if not part:
            break
        parts.append(part)
        length -= len(part)
    return parts[0] if len(parts) == 1 else b"".join(parts)


def _head(raw: Any) -> bytes:
    peek = getattr(raw, "peek", None)
    if peek is not None:
        return bytes(peek(4)[:4])
    return b""


def _decompressed(raw: Any, name: str) -> tuple[Any, bool]:
    head = _head(raw)
    if not head and name != "-" and hasattr(raw, "seek"):  # an unbuffered file: look, then go back
        head = raw.read(4)
        raw.seek(0)
    if head.startswith(GZIP_MAGIC):
        import gzip

        return gzip.GzipFile(fileobj=raw, mode="rb"), True
    if head.startswith(ZSTD_MAGIC):
        return _zstd_reader(raw, name), True
    suffix = os.path.splitext(name)[1].lower()
    if suffix in _SUFFIXES and head:
        kind = _SUFFIXES[suffix]
        raise InputError(f"{name}: named as {kind} but does not start like {kind} data")
    return raw, False


def _zstd_reader(raw: Any, name: str) -> Any:
    try:
        from compression import zstd  # type: ignore[import-not-found]  # Python 3.14

        return zstd.ZstdFile(raw, mode="rb")
    except ImportError:
        pass
    try:
        import zstandard
    except ImportError:
        raise InputError(
            f"{name}: zstd-compressed input needs the zstandard package: pip install 'tamis[zstd]'"
        ) from None
    return zstandard.ZstdDecompressor().stream_reader(raw, read_across_frames=True)


def split_lines(block: Block, data: bytes | None = None) -> Iterator[tuple[int, bytes]]:
    """The block's non-blank lines with their numbers, each without its line ending (``data``: its
    ``contents``, when already read)."""
    number = block.first
    for line in (contents(block) if data is None else data).split(b"\n"):
        if line.strip():
            yield number, line.rstrip(b"\r")
        number += 1
