"""Guardrails for custom data identifier regexes: documented limits first, then RE2 itself.

The SNS and CloudWatch Logs custom-data-identifier pages allow at most 200 characters drawn from
alphanumerics, ``_ # = @ / ; , -``, space and ``^ $ ? [ ] { } | \\ * + .`` (so no parentheses).
Every regex is then compiled by RE2 under an explicit memory budget: RE2 matches in time linear in
the message, and a regex it cannot run (backreferences, lookaround) or that is too large is
rejected with the reason and, where one exists, the RE2 way to say the same thing.
"""

from __future__ import annotations

import re2

from tamis.errors import PolicyError

MAX_REGEX_LENGTH = 200
MAX_NAME_LENGTH = 128
MAX_CUSTOM_IDENTIFIERS = 10
# Per-regex RE2 budget (program plus DFA caches). Patterns that need more are "too complicated".
REGEX_MAX_MEM = 8 << 20

_SYMBOLS = frozenset("_#=@/;,- ^$?[]{}|\\*+.")

# Constructs other engines accept and RE2 does not, with what to write instead.
_UNSUPPORTED: tuple[tuple[str, str, str], ...] = (
    ("(?=", "lookahead", "RE2 has no lookahead: match the following text as part of the regex"),
    (
        "(?!",
        "negative lookahead",
        "RE2 has no lookaround: list the allowed characters in a class such as [^X]",
    ),
    ("(?<=", "lookbehind", "RE2 has no lookbehind: include the preceding text in the regex"),
    ("(?<!", "negative lookbehind", "RE2 has no lookaround: use a negated character class such as [^X]"),
    ("(?P=", "named backreference", "RE2 has no backreferences: repeat the sub-pattern explicitly"),
    ("(?>", "atomic group", "RE2 never backtracks, so a plain group means the same"),
    ("(?#", "comment", "remove the comment"),
    ("(?(", "conditional", "RE2 has no conditionals: write both alternatives with |"),
    ("++", "possessive quantifier", "RE2 never backtracks: write + instead of ++"),
    ("*+", "possessive quantifier", "RE2 never backtracks: write * instead of *+"),
    ("?+", "possessive quantifier", "RE2 never backtracks: write ? instead of ?+"),
)


def _unclosed_class(regex: str) -> int:
    """Position of a ``[`` that is never closed, or -1 (RE2's own message is cryptic here)."""
    i, opened = 0, -1
    while i < len(regex):
        ch = regex[i]
        if ch == "\\":
            i += 2
            continue
        if opened < 0 and ch == "[":
            opened = i
            # a "]" right after "[" or "[^" is a literal member
            i += 1
            if regex[i : i + 1] == "^":
                i += 1
            if regex[i : i + 1] == "]":
                i += 1
            continue
        if opened >= 0 and ch == "]":
            opened = -1
        i += 1
    return opened


def _backreference(regex: str) -> int:
    """Position of a numbered backreference (``\\1``..``\\9``) outside a character class, or -1."""
    i, in_class = 0, False
    while i < len(regex):
        ch = regex[i]
        if ch == "\\" and i + 1 < len(regex):
            if not in_class and regex[i + 1] in "123456789":
                return i
            i += 2
            continue
        if ch == "[":
            in_class = True
        elif ch == "]":
            in_class = False
        i += 1
    return -1


# Zero-width assertions: each holds somewhere in some text, so a regex that matches the empty string once
# they hold (the regex with them removed) can find an empty match, a span with nothing to mask.
_ASSERTION_ESCAPES = frozenset("bBAz")


def _escape_at(regex: str, letter: str) -> int:
    """Position of the escape ``\\<letter>`` (not an escaped backslash followed by it), or -1."""
    i = 0
    while i < len(regex) - 1:
        if regex[i] == "\\":
            if regex[i + 1] == letter:
                return i
            i += 2
        else:
            i += 1
    return -1


def _without_assertions(regex: str) -> str:
    """``regex`` with every anchor and word-boundary assertion outside a character class removed."""
    out: list[str] = []
    i, in_class = 0, False
    while i < len(regex):
        ch = regex[i]
        if ch == "\\" and i + 1 < len(regex):
            if in_class or regex[i + 1] not in _ASSERTION_ESCAPES:
                out.append(regex[i : i + 2])
            i += 2
            continue
        if ch == "[" and not in_class:
            in_class = True
            out.append(ch)
            i += 1
            # a "]" right after "[" or "[^" is a literal member
            for lead in ("^", "]"):
                if regex[i : i + 1] == lead:
                    out.append(lead)
                    i += 1
            continue
        if ch == "]" and in_class:
            in_class = False
        elif not in_class and ch in "^$":
            i += 1
            continue
        out.append(ch)
        i += 1
    return "".join(out)


def _matches_empty_text(regex: str, compiled: re2._Regexp, opts: re2.Options) -> bool:
    if compiled.fullmatch("") is not None:
        return True
    stripped = _without_assertions(regex)
    try:
        return re2.compile(stripped, opts).fullmatch("") is not None
    except re2.error:  # removing an anchor left something RE2 reads differently: judge the regex as given
        return False


def check_custom_name(name: object, managed_names: frozenset[str]) -> str:
    """A custom identifier name: 1-128 characters from [A-Za-z0-9_-], not a managed name."""
    if not isinstance(name, str):
        raise PolicyError("custom data identifier Name must be a string", rule="CustomDataIdentifier.Name")
    if not name:
        raise PolicyError("custom data identifier Name must not be empty", rule="CustomDataIdentifier.Name")
    if len(name) > MAX_NAME_LENGTH:
        raise PolicyError(
            f"custom data identifier Name has {len(name)} characters; at most {MAX_NAME_LENGTH} allowed",
            rule="CustomDataIdentifier.Name",
        )
    bad = sorted({c for c in name if not (c.isascii() and (c.isalnum() or c in "_-"))})
    if bad:
        raise PolicyError(
            f"custom data identifier Name {name!r} contains {''.join(bad)!r}; "
            "only letters, digits, '_' and '-' are allowed",
            rule="CustomDataIdentifier.Name",
        )
    if name in managed_names:
        raise PolicyError(
            f"custom data identifier Name {name!r} is the name of a managed data identifier",
            rule="CustomDataIdentifier.Name",
        )
    return name


def check_custom_regex(regex: object, *, max_mem: int = REGEX_MAX_MEM) -> str:
    """Validate a custom identifier's regex; return it unchanged. Raises ``PolicyError``."""
    rule = "CustomDataIdentifier.Regex"
    if not isinstance(regex, str):
        raise PolicyError("custom data identifier Regex must be a string", rule=rule)
    if not regex:
        raise PolicyError(
            "custom data identifier Regex must not be empty (it would match everywhere)", rule=rule
        )
    if len(regex) > MAX_REGEX_LENGTH:
        raise PolicyError(
            f"custom data identifier Regex has {len(regex)} characters; "
            f"at most {MAX_REGEX_LENGTH} are allowed",
            rule=rule,
        )
    for token, what, hint in _UNSUPPORTED:
        at = regex.find(token)
        if at >= 0:
            raise PolicyError(
                f"custom data identifier Regex uses a {what} ({token!r} at character {at + 1}), "
                f"which RE2 cannot run in linear time; {hint}",
                rule=rule,
            )
    at = _backreference(regex)
    if at >= 0:
        raise PolicyError(
            f"custom data identifier Regex uses a backreference ({regex[at : at + 2]!r} at character "
            f"{at + 1}), which RE2 does not support; repeat the sub-pattern explicitly "
            "(e.g. \\d{9} instead of (\\d)\\1{8})",
            rule=rule,
        )
    bad = sorted({c for c in regex if not ((c.isascii() and c.isalnum()) or c in _SYMBOLS)})
    if bad:
        shown = " ".join(repr(c) for c in bad)
        raise PolicyError(
            f"custom data identifier Regex contains {shown}, outside the documented character set "
            "(letters, digits, space, _ # = @ / ; , - and ^ $ ? [ ] { } | \\ * + .)",
            rule=rule,
        )
    at = _unclosed_class(regex)
    if at >= 0:
        raise PolicyError(
            f"custom data identifier Regex has an unterminated character class ('[' at character {at + 1}); "
            "close it with ']'",
            rule=rule,
        )
    if "{," in regex:
        raise PolicyError(
            "custom data identifier Regex uses '{,n}', which RE2 reads as literal text; write {0,n}",
            rule=rule,
        )
    if "\\Z" in regex:
        raise PolicyError("RE2 has no \\Z; write $ (end of text) instead", rule=rule)
    at = _escape_at(regex, "C")
    if at >= 0:
        raise PolicyError(
            f"custom data identifier Regex uses \\C (any byte, at character {at + 1}), which can split a "
            "UTF-8 character and mask half of it; write . (any character) instead",
            rule=rule,
        )
    opts = re2.Options()
    opts.max_mem = max_mem
    opts.log_errors = False
    try:
        compiled = re2.compile(regex, opts)
    except re2.error as exc:
        reason = exc.args[0].decode() if exc.args and isinstance(exc.args[0], bytes) else str(exc)
        if "\\u" in reason:
            reason += " (RE2 writes code points as \\x{e9}, not \\u00e9)"
        elif "too large" in reason:
            reason += f" (over the {max_mem >> 20} MiB RE2 budget; use a narrower class or a smaller count)"
        elif "repetition size" in reason:
            reason += " (RE2 allows counts up to 1000, including nested counts multiplied together)"
        raise PolicyError(f"custom data identifier Regex is rejected by RE2: {reason}", rule=rule) from None
    if _matches_empty_text(regex, compiled, opts):
        raise PolicyError(
            "custom data identifier Regex can match empty text (once its anchors and word boundaries hold), "
            "so it would match everywhere and mask nothing",
            rule=rule,
        )
    return regex
