"""``${...}`` placeholders in JSON template text: CloudFormation's ``Fn::Sub`` and
``DefinitionSubstitutions``, Terraform's ``templatefile``.

Such text is JSON only once rendered: ``"TimeoutSeconds": ${Timeout}`` puts a placeholder where JSON
needs a value. :func:`scan` is the one reader of where placeholders are (it follows JSON strings, so it
knows whether one stands inside a string); the two callers below make the text JSON without moving any
offset, so that every position found in the result is a position in the file as written:

* :func:`neutralize_placeholders` (the ASL validator) turns each placeholder outside a string into a JSON
  string, an unknown value of whatever type its field needs, and leaves Terraform's ``$${`` alone;
* :func:`placeholder_ranges` (the linter) turns them into numbers and records every placeholder, inside
  strings too, as a range where a finding is only a note; it can blank Terraform's ``%{...}`` directives.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import NamedTuple


class PlaceholderSpan(NamedTuple):
    start: int  # offset of the "$"
    end: int  # offset just past the "}"
    in_string: bool  # written inside a JSON string


def scan(text: str, *, in_strings: bool = False, dollar_escape: bool = False) -> Iterator[PlaceholderSpan]:
    """Each ``${...}`` of ``text`` outside JSON strings, and inside them too with ``in_strings``.

    ``dollar_escape``: ``$${`` is Terraform's escape of a literal ``${``, not a placeholder. A ``${``
    without a closing ``}`` ends the scan (no later one can close either). The scan skips over each
    placeholder it reports, so a quote inside one does not open a string.
    """
    in_string = False
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if in_string:
            if ch == "\\":
                i += 2
                continue
            if ch == '"':
                in_string = False
                i += 1
                continue
            if not in_strings:
                i += 1
                continue
        elif ch == '"':
            in_string = True
            i += 1
            continue
        if ch == "$" and text.startswith("${", i) and not (dollar_escape and i > 0 and text[i - 1] == "$"):
            end = text.find("}", i)
            if end < 0:
                return
            yield PlaceholderSpan(i, end + 1, in_string)
            i = end + 1
            continue
        i += 1


def neutralize_placeholders(text: str) -> tuple[str, list[tuple[int, str]]]:
    """Replace each ``${...}`` standing outside a JSON string with a same-length JSON string.

    Returns the new text and (offset, placeholder) for each replacement. ``$${`` (Terraform's escape
    of a literal ``${``) is left alone, and so is an empty ``${}``.
    """
    out: list[str] = []
    found: list[tuple[int, str]] = []
    start = 0
    for at, end, _ in scan(text, dollar_escape=True):
        if end - at < 4:  # `${}` names nothing
            continue
        span = text[at:end]
        out.append(text[start:at])
        # `"${}"` is itself a placeholder; padding keeps every later offset unchanged.
        out.append('"${}"' + " " * (len(span) - 5) if len(span) >= 5 else "null")
        found.append((at, span))
        start = end
    if not found:
        return text, []
    out.append(text[start:])
    return "".join(out), found


def placeholder_ranges(text: str, *, directives: bool = False) -> tuple[str, list[tuple[int, int]]]:
    """Find ``${...}`` placeholders; those outside JSON strings become a same-length number.

    Placeholders in value position (``"MaxAttempts": ${MaxAttempts}``) make the raw text invalid JSON
    until it is rendered; a number of the same width keeps every column where it was. With ``directives``
    (Terraform templates), ``%{...}`` directives become blanks of the same width. Returns the text and
    the (start, end) range of every directive and placeholder.
    """
    ranges: list[tuple[int, int]] = []
    if directives and "%{" in text:
        text = blank_directives(text, ranges)
    if "${" not in text:
        return text, ranges
    chars = list(text)
    for start, end, in_string in scan(text, in_strings=True):
        ranges.append((start, end))
        if not in_string:
            chars[start] = "1"
            chars[start + 1 : end] = " " * (end - start - 1)
    return "".join(chars), ranges


def blank_directives(text: str, ranges: list[tuple[int, int]]) -> str:
    """``text`` with each Terraform ``%{...}`` directive blanked (line breaks kept); appends their ranges."""
    chars = list(text)
    i = text.find("%{")
    while i >= 0:
        end = text.find("}", i)
        if end < 0:
            break
        ranges.append((i, end + 1))
        for k in range(i, end + 1):
            if chars[k] != "\n":
                chars[k] = " "
        i = text.find("%{", end + 1)
    return "".join(chars)
