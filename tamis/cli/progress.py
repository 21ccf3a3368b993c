"""Progress of a long record command on standard error: records, rate and, where the size is known, ETA.

Shown only when standard error is a terminal (never in a pipe, a log or CI), on one line rewritten in place
at most a few times a second and cleared at the end, so that what the command reports stays readable.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

from tamis.cli.input_streams import Progress

_EVERY = 0.5  # seconds between redraws


class ProgressLine:
    def __init__(self, progress: Progress, stream: TextIO | None = None, *, force: bool = False) -> None:
        self.stream = sys.stderr if stream is None else stream
        isatty = getattr(self.stream, "isatty", None)
        self.enabled = force or bool(isatty is not None and isatty())
        self.progress = progress
        self.records = 0
        self._start = time.monotonic()
        self._last = self._start
        self._shown = False

    def add(self, records: int) -> None:
        self.records += records
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self._last >= _EVERY:
            self._last = now
            self._draw(now)

    def text(self, now: float) -> str:
        elapsed = max(now - self._start, 1e-9)
        rate = self.records / elapsed
        line = f"{self.records:,} records, {rate:,.0f}/s"
        total, done = self.progress.total, self.progress.done
        if total and done:
            fraction = min(done / total, 1.0)
            remaining = elapsed * (1 - fraction) / fraction
            line += f", {fraction:.0%}, ETA {_duration(remaining)}"
        return line

    def _draw(self, now: float) -> None:
        self.stream.write("\r\x1b[K" + self.text(now))
        self.stream.flush()
        self._shown = True

    def close(self) -> None:
        """Clear the line, so that what follows on standard error starts on a clean line."""
        if self._shown:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            self._shown = False

    def note(self, message: str) -> None:
        """Print a message on standard error without mixing it into the progress line."""
        self.close()
        print(message, file=self.stream)


def _duration(seconds: float) -> str:
    seconds = int(seconds + 0.5)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
