"""The validity checks of candidate values (Luhn, VIN, IBAN, ...) and ``CHECKS``, their table by name.

Each takes the message and the candidate's character span and says whether it stands. Where the native
core has a form of its own (``native.NATIVE_CHECKS``), the two are held to the same decisions by the tests.
"""

from __future__ import annotations

import ipaddress

from tamis.runtime.redact.detector import Check

# The separators the managed patterns put between digits: none of them is a digit, so deleting them
# first leaves the same string as the character-by-character filter whenever what remains is digits.
_DIGIT_SEPARATORS = str.maketrans("", "", " -.()/+")


def digits_of(value: str) -> str:
    if value.isdigit():
        return value
    quick = value.translate(_DIGIT_SEPARATORS)
    if quick.isdigit():
        return quick
    return "".join(ch for ch in value if ch.isdigit())


# Luhn's doubled digit, reduced to one digit (2 * 7 = 14 -> 5), as a translation of ASCII digits.
_LUHN_DOUBLE = str.maketrans("0123456789", "0246813579")


def luhn_ok(digits: str) -> bool:
    if digits.isascii() and digits.isdigit():  # C-speed form; the loop below is the definition
        rev = digits[::-1]
        return (sum(map(int, rev[0::2])) + sum(map(int, rev[1::2].translate(_LUHN_DOUBLE)))) % 10 == 0
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def _before(text: str, start: int, n: int = 1) -> str:
    return text[max(0, start - n) : start]


def _after(text: str, end: int, n: int = 1) -> str:
    return text[end : end + n]


def _standalone_number(text: str, start: int, end: int) -> bool:
    """Not part of a decimal, a version, a date or a longer code (``1518.33``, ``05/2027``)."""
    b, a = text[max(0, start - 2) : start], text[end : end + 2]
    if b[-1:] in ("/", ".", "-", ":", "+") and b[:1].isalnum():
        return False
    if a[:1] in ("/", ".", "-", ":", ",") and a[1:2].isdigit():
        return False
    # One short group of a space-separated digit run ("5595 0733 4041 8570") is not a number of its own.
    if end - start <= 4 and ((b[-1:] == " " and b[:1].isdigit()) or (a[:1] == " " and a[1:2].isdigit())):
        return False
    return not (b[-1:] == "$" or a[:1] == "%")


# Issuer prefixes and lengths for CreditCardNumber ("a standard issuer prefix for American Express,
# Dankort, Diners Club, Discover, Electron, JCB, Mastercard, UnionPay or Visa"; public IIN ranges).
def _issuer_ok(d: str) -> bool:
    n = len(d)
    p2, p3, p4, p6 = int(d[:2]), int(d[:3]), int(d[:4]), int(d[:6])
    if d[0] == "4":  # Visa, Visa Electron, Dankort co-brand
        return n in (13, 16, 19)
    if p2 in (34, 37):  # American Express
        return n == 15
    if 51 <= p2 <= 55 or 2221 <= p4 <= 2720:  # Mastercard
        return n == 16
    if p4 == 5019:  # Dankort
        return n == 16
    if 300 <= p3 <= 305 or p2 in (36, 38, 39) or p4 == 3095:  # Diners Club
        return 14 <= n <= 19
    if 3528 <= p4 <= 3589:  # JCB
        return 16 <= n <= 19
    if p4 == 6011 or 644 <= p3 <= 649 or p2 == 65 or 622126 <= p6 <= 622925:  # Discover
        return 16 <= n <= 19
    if p2 == 62:  # UnionPay
        return 16 <= n <= 19
    return False


def check_credit_card(text: str, start: int, end: int) -> bool:
    value = text[start:end]
    d = digits_of(value)
    if not 13 <= len(d) <= 19 or not _standalone_number(text, start, end):
        return False
    return _issuer_ok(d) and luhn_ok(d)


def check_luhn(text: str, start: int, end: int) -> bool:
    return luhn_ok(digits_of(text[start:end])) and _standalone_number(text, start, end)


def check_number(text: str, start: int, end: int) -> bool:
    return _standalone_number(text, start, end)


def check_ssn_us(text: str, start: int, end: int) -> bool:
    d = digits_of(text[start:end])
    if len(d) != 9 or not _standalone_number(text, start, end):
        return False
    area, group, serial = int(d[:3]), int(d[3:5]), int(d[5:])
    return area not in (0, 666) and area < 900 and group != 0 and serial != 0


def check_ipv4(text: str, start: int, end: int) -> bool:
    parts = text[start:end].split(".")
    after = text[end : end + 2]
    if len(parts) != 4 or (after[:1] == "." and after[1:2].isdigit()):
        return False
    if _before(text, start) == ".":
        return False
    for p in parts:  # noqa: SIM110 - a loop: all() over a generator costs a frame per finding here
        if len(p) > 3 or int(p) > 255 or (p != "0" and p.startswith("0")):
            return False
    return True


def check_ipv6(text: str, start: int, end: int) -> bool:
    value = text[start:end]
    if value.count(":") < 2 or _before(text, start) == ":" or _after(text, end) == ":":
        return False
    try:
        ipaddress.IPv6Address(value)
    except ValueError:
        return False
    # Plain hex words and times ("12:30:45") are not addresses: want a "::" or 8 groups.
    return "::" in value or value.count(":") == 7


def check_phone_nanp(text: str, start: int, end: int) -> bool:
    d = digits_of(text[start:end])
    if len(d) == 11 and d[0] == "1":
        d = d[1:]
    return len(d) == 10 and d[0] not in "01" and d[3] not in "01" and _standalone_number(text, start, end)


def check_phone_any(text: str, start: int, end: int) -> bool:
    d = digits_of(text[start:end])
    return 8 <= len(d) <= 15 and _standalone_number(text, start, end)


def has_country_code(text: str, start: int, end: int) -> bool:
    # "+CC" or the international call prefix "00" followed by a country code (never "000")
    return text[start] == "+" or (
        text[start : start + 2] == "00" and text[start + 2 : start + 3] in "123456789"
    )


def check_latlong(text: str, start: int, end: int) -> bool:
    try:
        lat_s, lon_s = text[start:end].split(",")
        lat, lon = float(lat_s), float(lon_s)
    except ValueError:
        return False
    return -90 <= lat <= 90 and -180 <= lon <= 180 and _standalone_number(text, start, end)


_VIN_VALUES = {
    **{str(i): i for i in range(10)},
    **dict(zip("ABCDEFGH", range(1, 9), strict=True)),
    **dict(zip("JKLMN", range(1, 6), strict=True)),
    "P": 7,
    "R": 9,
    **dict(zip("STUVWXYZ", range(2, 10), strict=True)),
}
_VIN_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)


def vin_check_digit_ok(vin: str) -> bool:
    """The North-American position-9 check digit (mandatory only there; ISO 3779 elsewhere)."""
    total = sum(_VIN_VALUES[c] * w for c, w in zip(vin, _VIN_WEIGHTS, strict=True))
    r = total % 11
    return vin[8] == ("X" if r == 10 else str(r))


def check_vin(text: str, start: int, end: int) -> bool:
    vin = text[start:end].upper()
    if len(vin) != 17 or any(c in "IOQ" for c in vin) or not any(c.isdigit() for c in vin):
        return False
    # ISO 3779: North-American manufacturers (WMI 1-5) must carry a valid check digit.
    return vin_check_digit_ok(vin) if vin[0] in "12345" else True


_IBAN_LENGTHS = {"DE": 22, "ES": 24, "FR": 27, "GB": 22, "IT": 27}


def check_iban(text: str, start: int, end: int) -> bool:
    """IBAN length per country and the ISO 13616 mod-97 check (a public standard; AWS is silent)."""
    value = text[start:end].replace(" ", "").upper()
    want = _IBAN_LENGTHS.get(value[:2])
    if want is not None and len(value) != want:
        return False
    moved = value[4:] + value[:4]
    try:
        num = int("".join(str(int(c, 36)) for c in moved))
    except ValueError:
        return False
    return num % 97 == 1


def check_nhs(text: str, start: int, end: int) -> bool:
    """NHS number modulus 11 (public standard; AWS is silent)."""
    d = digits_of(text[start:end])
    if len(d) != 10 or not _standalone_number(text, start, end):
        return False
    total = sum(int(c) * w for c, w in zip(d[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    check = 0 if check == 11 else check
    return check != 10 and check == int(d[9])


def check_expiry(text: str, start: int, end: int) -> bool:
    b, a = _before(text, start, 2), _after(text, end, 2)
    if b[-1:] in ("/", "-", ".", ":") and b[:1].isdigit():
        return False
    return not (a[:1] in ("/", "-", ".", ":") and a[1:2].isdigit())


def check_email(text: str, start: int, end: int) -> bool:
    value = text[start:end]
    local, _, domain = value.rpartition("@")
    return bool(local) and "." in domain and ".." not in value and not domain.startswith("-")


def check_aws_secret(text: str, start: int, end: int) -> bool:
    """Secret keys mix upper and lower case; a hex digest (a git commit id) does not."""
    value = text[start:end]
    return any(c.isupper() for c in value) and any(c.islower() for c in value)


def check_has_digit(text: str, start: int, end: int) -> bool:
    return any(c.isdigit() for c in text[start:end])


def check_dea(text: str, start: int, end: int) -> bool:
    d = text[start + 2 : end]
    total = int(d[0]) + int(d[2]) + int(d[4]) + 2 * (int(d[1]) + int(d[3]) + int(d[5]))
    return total % 10 == int(d[6])


def check_npi(text: str, start: int, end: int) -> bool:
    """NPI: Luhn over the digits prefixed with 80840 (public standard; AWS is silent)."""
    return luhn_ok("80840" + text[start:end]) and _standalone_number(text, start, end)


CHECKS: dict[str, Check] = {
    "credit_card": check_credit_card,
    "luhn": check_luhn,
    "number": check_number,
    "ssn_us": check_ssn_us,
    "ipv4": check_ipv4,
    "ipv6": check_ipv6,
    "phone_nanp": check_phone_nanp,
    "phone_any": check_phone_any,
    "latlong": check_latlong,
    "vin": check_vin,
    "iban": check_iban,
    "nhs": check_nhs,
    "expiry": check_expiry,
    "email": check_email,
    "aws_secret": check_aws_secret,
    "has_digit": check_has_digit,
    "dea": check_dea,
    "npi": check_npi,
    "country_code": has_country_code,
}
