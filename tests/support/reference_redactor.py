"""A deliberately naive reference for de-identification, for property tests of the redactor.

Character by character: each character takes the strongest operation of any finding covering it
(redact over mask; among masks, the first statement's character), then masked characters are
replaced and redacted ones dropped. Whole overlapping runs are merged first, as documented.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

STRENGTH = {"mask": 1, "redact": 2}


def merged_runs(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Union of half-open intervals, by brute force over positions."""
    covered: set[int] = set()
    for s, e in spans:
        covered.update(range(s, e))
    runs: list[tuple[int, int]] = []
    for pos in sorted(covered):
        if runs and runs[-1][1] == pos:
            runs[-1] = (runs[-1][0], pos + 1)
        else:
            runs.append((pos, pos + 1))
    return runs


def reference_deidentify(
    text: str,
    findings: Sequence[tuple[str, int, int]],
    operations: dict[str, tuple[str, str]],
) -> str:
    """``operations`` maps identifier -> (operation, mask character); others are left alone."""
    # Sorted like the documented rule: within a merged run, the leftmost finding's mask character.
    relevant = sorted(
        ((ident, s, e) for ident, s, e in findings if ident in operations and s < e),
        key=lambda f: (f[1], f[2], *operations[f[0]]),
    )
    runs = merged_runs((s, e) for _, s, e in relevant)
    out = []
    pos = 0
    for rs, re_ in runs:
        out.append(text[pos:rs])
        best: tuple[str, str] | None = None
        for ident, s, e in relevant:
            if s < re_ and rs < e:
                op = operations[ident]
                if best is None or STRENGTH[op[0]] > STRENGTH[best[0]]:
                    best = op
        assert best is not None
        if best[0] == "mask":
            out.append(best[1] * (re_ - rs))
        pos = re_
    out.append(text[pos:])
    return "".join(out)
