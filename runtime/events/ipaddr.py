"""IP addresses as the pattern language sees them: fixed-width upper-case hex strings.

A string is an IP address when it looks like one (four dot-separated decimal runs, or hex digits and
colons with at least one colon) and parses as an address literal: IPv4 parts are decimal with leading
zeros allowed (``010.000.000.001`` is 10.0.0.1), IPv6 follows the usual ``::`` compression rules, and
an IPv4-mapped IPv6 address is the IPv4 address. CIDR ranges compare these hex strings, so the
comparison rules live in one place (runtime/events/intervals.py).
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

_HEX_V6 = frozenset("0123456789abcdefABCDEF:")
_DIGITS = frozenset("0123456789")


def _v4_bytes(text: str) -> bytes | None:
    parts = text.split(".")
    if len(parts) != 4:
        return None
    out = bytearray()
    for part in parts:
        if not part or not _DIGITS.issuperset(part):
            return None
        value = int(part)
        if value > 255:
            return None
        out.append(value)
    return bytes(out)


def _v6_bytes(text: str) -> bytes | None:
    if ":" not in text or not _HEX_V6.issuperset(text):
        return None
    try:
        packed = ipaddress.IPv6Address(text).packed
    except ValueError:
        return None
    if packed[:12] == b"\x00" * 10 + b"\xff\xff":  # IPv4-mapped: treated as the IPv4 address
        return packed[12:]
    return packed


@lru_cache(maxsize=4096)
def ip_hex(text: str) -> str | None:
    """Upper-case hex of the address (8 digits for IPv4, 32 for IPv6), or None if ``text`` is no IP."""
    if not text or len(text) > 64:
        return None
    first = text[0]
    raw = _v4_bytes(text) if "." in text else None
    if raw is None and (first in _HEX_V6):
        raw = _v6_bytes(text)
    return raw.hex().upper() if raw is not None else None


def cidr_bounds(text: str) -> tuple[str, str]:
    """The inclusive hex range of a CIDR block; raises ValueError with the rule broken.

    The low end clears every host bit and the high end sets them: ``10.0.0.5/24`` covers .0 to .255.
    """
    pieces = text.split("/")
    while pieces and not pieces[-1]:  # a trailing "/" leaves no mask at all, as Java's split sees it
        pieces.pop()
    if len(pieces) != 2:
        raise ValueError("Malformed CIDR, one '/' required")
    address, bits_text = pieces
    try:
        bits = int(bits_text, 10)
    except ValueError:
        raise ValueError("Malformed CIDR, mask bits must be an integer") from None
    if bits < 0:
        raise ValueError("Malformed CIDR, mask bits must not be negative")
    raw = _v4_bytes(address) if "." in address and ":" not in address else _v6_bytes(address)
    if raw is None:
        raise ValueError(f"Invalid IP address: {address}")
    width = len(raw) * 8
    if bits >= width:
        raise ValueError(f"IPv{4 if width == 32 else 6} mask bits must be < {width}")
    host = (1 << (width - bits)) - 1
    low = int.from_bytes(raw, "big") & ~host
    high = low | host
    digits = width // 4
    return f"{low:0{digits}X}", f"{high:0{digits}X}"
