"""The 101 managed data identifiers: names, keywords, and how tamis detects each one.

The table (category, countries, keyword requirement, keywords, the issuer test numbers that
CreditCardNumber never reports) transcribes the SNS and CloudWatch Logs managed-data-identifier
pages (docs.aws.amazon.com/sns/latest/dg/sns-message-data-protection-sensitive-data-types-*.html).
The regular expressions are tamis's own reading of the documented formats; where AWS documents no
format, the pattern follows the public standard for the number and the keyword requirement keeps
it from firing on arbitrary digits. Name and Address are detected by machine learning in the
service: tamis accepts them in policies but cannot detect them (``NOT_DETECTED_LOCALLY``).
"""

from __future__ import annotations

import importlib
import string
from functools import cache
from typing import Any

from tamis.runtime.redact.detectors import CHECKS, NO_HINTS, Detector, SearchHints

ARN_PREFIX = "arn:aws:dataprotection::aws:data-identifier/"

# Machine-learning identifiers: valid in a policy, never detected by tamis (the lint says so).
NOT_DETECTED_LOCALLY = frozenset({"Name", "Address"})

# Leading context for values that may start with a non-word character ("+1 ...", "(480) ..."):
# the value is group 1.
# Keyword list shared by several identifiers in the catalogue (../shared/data_protection).
_DRIVERS_LICENSE_KEYWORDS_EN = (
    "dl#",
    "dl:",
    "dlno#",
    "driver licence",
    "driver licences",
    "driver license",
    "driver licenses",
    "driver permit",
    "drivers lic.",
    "drivers licence",
    "driver's licence",
    "drivers licences",
    "driver's licences",
    "drivers license",
    "driver's license",
    "drivers licenses",
    "driver's licenses",
    "drivers permit",
    "driver's permit",
    "drivers permit number",
    "driving licence",
    "driving license",
    "driving permit",
)
# Keyword list shared by several identifiers in the catalogue (../shared/data_protection).
_SPANISH_TAX_ID_KEYWORDS = (
    "cif",
    "cif número",
    "cifnúmero#",
    "nie",
    "nif",
    "número de contribuyente",
    "número de identidad de extranjero",
    "número de identificación fiscal",
    "número de impuesto corporativo",
    "personal tax number",
    "tax id",
    "tax identification number",
    "tax number",
    "tin",
    "tin#",
)
# Keyword list shared by several identifiers in the catalogue (../shared/data_protection).
_PHONE_KEYWORDS = (
    "cell",
    "contact",
    "fax",
    "fax number",
    "mobile",
    "phone",
    "phone number",
    "tel",
    "telephone",
    "telephone number",
)

_LEAD = r"(?:^|[^0-9A-Za-z+(])"

_PHONE_TAIL = r"\b"
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*"
# name -> list of (pattern, group, check). Several patterns may report the same identifier.
_PATTERNS: dict[str, list[tuple[str, int, str | None]]] = {
    "AwsSecretKey": [(r"(?:^|[^A-Za-z0-9/+])([A-Za-z0-9/+]{40})(?:$|[^A-Za-z0-9/+=])", 1, "aws_secret")],
    "OpenSshPrivateKey": [
        (
            r"-----BEGIN OPENSSH PRIVATE KEY-----(?s:.*?)-----END OPENSSH PRIVATE KEY-----"
            r"|-----BEGIN OPENSSH PRIVATE KEY-----",
            0,
            None,
        )
    ],
    "PgpPrivateKey": [
        (
            r"-----BEGIN PGP PRIVATE KEY BLOCK-----(?s:.*?)-----END PGP PRIVATE KEY BLOCK-----"
            r"|-----BEGIN PGP PRIVATE KEY BLOCK-----",
            0,
            None,
        )
    ],
    "PkcsPrivateKey": [
        (
            r"-----BEGIN (?:RSA |EC |DSA |ENCRYPTED )?PRIVATE KEY-----(?s:.*?)"
            r"-----END (?:RSA |EC |DSA |ENCRYPTED )?PRIVATE KEY-----"
            r"|-----BEGIN (?:RSA |EC |DSA |ENCRYPTED )?PRIVATE KEY-----",
            0,
            None,
        )
    ],
    "PuttyPrivateKey": [
        # the key file ends with its Private-MAC line; without one, the header line alone is reported
        (
            r"PuTTY-User-Key-File-[23]: [^\r\n]*(?s:.*?)Private-MAC: [0-9A-Fa-f]+"
            r"|PuTTY-User-Key-File-[23]: [^\r\n]*",
            0,
            None,
        )
    ],
    "IpAddress": [
        (r"\b\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}\b", 0, "ipv4"),
        (r"(?:^|[^0-9A-Za-z:.])([0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7})", 1, "ipv6"),
    ],
    "EmailAddress": [
        (
            r"\b[A-Za-z0-9._%+-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b",
            0,
            "email",
        )
    ],
    "BankAccountNumber-US": [(r"\b\d{8,17}\b", 0, "number")],
    "CreditCardExpiration": [(r"\b(?:0?[1-9]|1[0-2])[/-](?:20\d{2}|\d{2})\b", 0, "expiry")],
    "CreditCardMagneticStripe": [
        (r"%B\d{13,19}\^[^^\r\n]{2,26}\^\d{4}[^?\r\n]{0,79}\?", 0, None),
        (r";\d{13,19}=\d{4}\d{0,40}\?", 0, None),
    ],
    "CreditCardNumber": [
        (
            r"\b(?:\d{13,19}|\d{4}(?: \d{4}){2,3} \d{1,4}|\d{4}(?:-\d{4}){2,3}-\d{1,4}"
            r"|\d{4} \d{6} \d{4,5}|\d{4}-\d{6}-\d{4,5})\b",
            0,
            "credit_card",
        )
    ],
    "CreditCardSecurityCode": [(r"\b\d{3,4}\b", 0, "number")],
    "DrugEnforcementAgencyNumber-US": [(r"\b[ABCDEFGHJKLMPRSTUX][A-Z9]\d{7}\b", 0, "dea")],
    "HealthInsuranceCardNumber-EU": [(r"\b[A-Z0-9]{10,20}\b", 0, "has_digit")],
    "HealthInsuranceClaimNumber-US": [(r"\b\d{3}-?\d{2}-?\d{4}[ -]?[A-Z][A-Z0-9]?\b", 0, "number")],
    "HealthInsuranceNumber-FR": [
        (r"\b[12] ?\d{2} ?(?:0[1-9]|1[0-2]) ?(?:\d{2}|2[AB]) ?\d{3} ?\d{3} ?\d{2}\b", 0, "number")
    ],
    "HealthcareProcedureCode-US": [(r"\b[A-V]\d{4}\b", 0, None)],
    "MedicareBeneficiaryNumber-US": [
        (
            r"\b[1-9][AC-HJKMNP-RT-Y][AC-HJKMNP-RT-Y0-9]\d-?[AC-HJKMNP-RT-Y][AC-HJKMNP-RT-Y0-9]\d-?"
            r"[AC-HJKMNP-RT-Y]{2}\d{2}\b",
            0,
            None,
        )
    ],
    "NationalDrugCode-US": [
        (r"\b(?:\d{4}-\d{4}-\d{2}|\d{5}-\d{3}-\d{2}|\d{5}-\d{4}-\d{1,2}|\d{10,11})\b", 0, "number")
    ],
    "NationalProviderId-US": [(r"\b[12]\d{9}\b", 0, "npi")],
    "NhsNumber-GB": [(r"\b\d{3}[ -]?\d{3}[ -]?\d{4}\b", 0, "nhs")],
    "PersonalHealthNumber-CA": [(r"\b\d{4}[ -]?\d{3}[ -]?\d{3}\b", 0, "number")],
    "CepCode-BR": [(r"\b\d{5}-?\d{3}\b", 0, "number")],
    "Cnpj-BR": [(r"\b\d{2}\.?\d{3}\.?\d{3}/?\d{4}-?\d{2}\b", 0, "number")],
    "CpfCode-BR": [(r"\b\d{3}\.?\d{3}\.?\d{3}-?\d{2}\b", 0, "number")],
    "DateOfBirth": [
        (
            r"(?i)\b(?:\d{1,2}[/.-]\d{1,2}[/.-](?:19|20)?\d{2}|(?:19|20)\d{2}[/.-]\d{1,2}[/.-]\d{1,2}"
            r"|\d{1,2}(?:st|nd|rd|th)? " + _MONTH + r"\.?,? (?:19|20)\d{2}"
            r"|" + _MONTH + r"\.? \d{1,2}(?:st|nd|rd|th)?,? (?:19|20)\d{2})\b",
            0,
            "expiry",
        )
    ],
    "ElectoralRollNumber-GB": [(r"\b[A-Z]{2,3}[ -]?\d{1,6}\b", 0, None)],
    "IndividualTaxIdentificationNumber-US": [
        (r"\b9\d{2}[- ]?(?:5\d|6[0-5]|7\d|8[0-8]|9[0-2]|9[4-9])[- ]?\d{4}\b", 0, "number")
    ],
    "InseeCode-FR": [
        (r"\b[12] ?\d{2} ?(?:0[1-9]|1[0-2]) ?(?:\d{2}|2[AB]) ?\d{3} ?\d{3} ?\d{2}\b", 0, "number")
    ],
    "LatLong": [(r"(?:^|[^0-9.-])(-?\d{1,2}\.\d{1,12}, ?-?\d{1,3}\.\d{1,12})\b", 1, "latlong")],
    "NationalIdentificationNumber-DE": [
        (r"\b[CFGHJKLMNPRTVWXYZ][CFGHJKLMNPRTVWXYZ0-9]{8}\d?\b", 0, "has_digit")
    ],
    "NationalIdentificationNumber-ES": [(r"\b\d{8}-?[A-Z]\b", 0, None)],
    "NationalIdentificationNumber-IT": [(r"\b[A-Z]{6}\d{2}[A-EHLMPR-T]\d{2}[A-Z]\d{3}[A-Z]\b", 0, None)],
    "NationalInsuranceNumber-GB": [
        (r"\b[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z] ?\d{2} ?\d{2} ?\d{2} ?[A-D]\b", 0, None)
    ],
    "NieNumber-ES": [(r"\b[XYZ]-?\d{7}-?[A-Z]\b", 0, None)],
    "NifNumber-ES": [(r"\b(?:\d{8}|[KLMXYZ]\d{7})-?[A-Z]\b", 0, None)],
    "PassportNumber-CA": [(r"\b[A-Z]{2}\d{6}\b", 0, None)],
    "PassportNumber-FR": [(r"\b\d{2}[A-Z]{2}\d{5}\b", 0, None)],
    "PassportNumber-DE": [(r"\b[CFGHJKLMNPRTVWXYZ][CFGHJKLMNPRTVWXYZ0-9]{8}\b", 0, "has_digit")],
    "PassportNumber-IT": [(r"\b[A-Z]{2}\d{7}\b", 0, None)],
    "PassportNumber-ES": [(r"\b[A-Z]{2,3}\d{6}\b", 0, None)],
    "PassportNumber-GB": [(r"\b\d{9}\b", 0, "number")],
    "PassportNumber-US": [(r"\b(?:[A-Z]\d{8}|\d{9})\b", 0, "number")],
    "PermanentResidenceNumber-CA": [(r"\b[A-Z]{0,2}\d{7,10}\b", 0, "number")],
    "PhoneNumber": [
        (
            _LEAD
            + r"((?:\+\d{1,3}[ .-]?)?(?:\(\d{1,4}\)[ .-]?)?\d{2,4}(?:[ .-]?\d{2,4}){1,4})"
            + _PHONE_TAIL,
            1,
            "phone_any",
        )
    ],
    "PhoneNumber-BR": [
        (
            _LEAD + r"((?:\+55[ .-]?)?(?:\(\d{2}\)|\d{2})[ .-]?9?\d{4}[ .-]?\d{4})" + _PHONE_TAIL,
            1,
            "phone_any",
        )
    ],
    "PhoneNumber-DE": [
        (_LEAD + r"((?:\+49[ .-]?(?:\(0\))?|0)\d{2,5}[ /.-]?\d{3,9})" + _PHONE_TAIL, 1, "phone_any")
    ],
    "PhoneNumber-ES": [
        (_LEAD + r"((?:\+34[ .-]?)?[6789]\d{2}[ .-]?\d{3}[ .-]?\d{3})" + _PHONE_TAIL, 1, "phone_any")
    ],
    "PhoneNumber-FR": [(_LEAD + r"((?:\+33[ .-]?|0)[1-9](?:[ .-]?\d{2}){4})" + _PHONE_TAIL, 1, "phone_any")],
    "PhoneNumber-GB": [
        (
            _LEAD + r"((?:\+44[ .-]?(?:\(0\))?|0)\d{2,4}[ .-]?\d{3,4}[ .-]?\d{3,4})" + _PHONE_TAIL,
            1,
            "phone_any",
        )
    ],
    "PhoneNumber-IT": [
        (_LEAD + r"((?:\+39[ .-]?)?(?:3\d{2}|0\d{1,3})[ .-]?\d{6,8})" + _PHONE_TAIL, 1, "phone_any")
    ],
    "PhoneNumber-US": [
        (
            _LEAD + r"((?:\+?1[ .-]?)?(?:\(\d{3}\)|\d{3})[ .-]?\d{3}[ .-]?\d{4})" + _PHONE_TAIL,
            1,
            "phone_nanp",
        )
    ],
    "PostalCode-CA": [(r"\b[ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z] ?\d[ABCEGHJ-NPRSTV-Z]\d\b", 0, None)],
    "RgNumber-BR": [(r"\b\d{1,2}\.?\d{3}\.?\d{3}-?[0-9Xx]\b", 0, "number")],
    "SocialInsuranceNumber-CA": [(r"\b\d{3}[ -]?\d{3}[ -]?\d{3}\b", 0, "luhn")],
    "Ssn-ES": [(r"\b\d{2}[ /-]?\d{8}[ /-]?\d{2}\b", 0, "number")],
    "Ssn-US": [(r"\b(?:\d{3}-\d{2}-\d{4}|\d{3} \d{2} \d{4}|\d{9})\b", 0, "ssn_us")],
    "TaxId-DE": [(r"\b\d{2} ?\d{3} ?\d{3} ?\d{3}\b", 0, "number")],
    "TaxId-ES": [(r"\b[ABCDEFGHJNPQRSUVW]-?\d{7}-?[0-9A-J]\b", 0, None)],
    "TaxId-FR": [(r"\b[0-3]\d ?\d{2} ?\d{3} ?\d{3} ?\d{3}\b", 0, "number")],
    "TaxId-GB": [(r"\b\d{5} ?\d{5}\b", 0, "number")],
    "VehicleIdentificationNumber": [(r"\b[A-HJ-NPR-Za-hj-npr-z0-9]{17}\b", 0, "vin")],
    "ZipCode-US": [(r"\b\d{5}(?:-\d{4})?\b", 0, "number")],
}

# Drivers' licences: formats differ per country and state and AWS documents none; the keyword
# requirement carries the precision.
_DL_PATTERN = (r"\b[A-Z0-9][A-Z0-9-]{4,18}[A-Z0-9]\b", 0, "has_digit")
# BankAccountNumber-XX (IBAN): country code, two check digits, BBAN; spaces every 4 allowed.
_IBAN_LENGTHS = {"DE": 22, "ES": 24, "FR": 27, "GB": 22, "IT": 27}


def _pattern_list(name: str) -> list[tuple[str, int, str | None]]:
    if name in _PATTERNS:
        return _PATTERNS[name]
    base, _, cc = name.partition("-")
    if base == "DriversLicense":
        return [_DL_PATTERN]
    if base == "BankAccountNumber" and cc in _IBAN_LENGTHS:
        return [(rf"\b{cc}\d{{2}}(?: ?[A-Z0-9]){{{_IBAN_LENGTHS[cc] - 4}}}\b", 0, "iban")]
    return []


def _max_width(pattern: str) -> int | None:
    """Longest match of one of tamis's own patterns, in characters (None: unbounded or unknown).

    Python's regex parser only measures the pattern here; nothing is matched with it, and custom
    (user-supplied) regexes never go through it.
    """
    parsed = _parsed(pattern)
    if parsed is None:  # RE2-only syntax (\pL...): measure nothing, search the default window
        return None
    width = parsed[0].getwidth()[1]
    return width if width < 4096 else None


@cache
def _parsed(pattern: str) -> tuple[Any, Any] | None:
    """One of tamis's own patterns parsed by Python's regex parser, with the parser's constants (None:
    RE2-only syntax). Only measured (``_max_width``, ``_search_hints``), never matched."""
    try:
        parser, constants = importlib.import_module("re._parser"), importlib.import_module("re._constants")
    except ImportError:  # Python 3.10
        parser, constants = importlib.import_module("sre_parse"), importlib.import_module("sre_constants")
    try:
        return parser.parse(pattern), constants
    except Exception:
        return None


_DIGITS = frozenset("0123456789")
_WORD = frozenset(string.ascii_letters + string.digits + "_")  # RE2's \b: ASCII word characters


def _class_chars(av: Any, k: Any) -> frozenset[str]:
    """The characters of a positive class (empty: a negation or a category other than ``\\d``)."""
    chars: set[str] = set()
    for iop, iav in av:
        if iop is k.LITERAL:
            chars.add(chr(iav))
        elif iop is k.RANGE:
            chars.update(chr(c) for c in range(iav[0], iav[1] + 1))
        elif iop is k.CATEGORY and iav is k.CATEGORY_DIGIT:
            chars |= _DIGITS  # RE2's \d is ASCII digits
        else:
            return frozenset()
    return frozenset(chars)


def _required(items: Any, k: Any) -> frozenset[str] | None:
    """Characters one of which every match of the parsed sequence ``items`` contains (None: unknown).

    Sound, not complete: the smallest set among the items every match must go through (a literal, a
    positive class, a group or a repetition of at least one); a branch needs a set from every alternative.
    """
    best: frozenset[str] | None = None
    for op, av in items:
        got: frozenset[str] | None = None
        if op is k.LITERAL:
            got = frozenset(chr(av))
        elif op is k.IN:
            got = _class_chars(av, k) or None  # a negation or another category: no usable set
        elif op is k.SUBPATTERN:  # (group, added flags, removed flags, items)
            # a case-insensitive group's letters would need every case: no usable set from it
            got = None if av[1] & k.SRE_FLAG_IGNORECASE else _required(av[-1], k)
        elif op in (k.MAX_REPEAT, k.MIN_REPEAT) and av[0] >= 1:
            got = _required(av[2], k)
        elif op is k.BRANCH:
            union: set[str] = set()
            for alt in av[1]:
                part = _required(alt, k)
                if part is None:
                    union = set()
                    break
                union |= part
            got = frozenset(union) or None
        if got is not None and (best is None or len(got) < len(best)):
            best = got
    return best


def _min_count(items: Any, chars: frozenset[str], k: Any) -> int:
    """The fewest characters from ``chars`` a match of the parsed sequence ``items`` holds (a lower bound)."""
    total = 0
    for op, av in items:
        if op is k.LITERAL:
            total += chr(av) in chars
        elif op is k.IN:
            cls = _class_chars(av, k)
            total += bool(cls) and cls <= chars
        elif op is k.SUBPATTERN:
            total += 0 if av[1] & k.SRE_FLAG_IGNORECASE else _min_count(av[-1], chars, k)
        elif op in (k.MAX_REPEAT, k.MIN_REPEAT):
            total += av[0] * _min_count(av[2], chars, k)
        elif op is k.BRANCH:
            total += min(_min_count(alt, chars, k) for alt in av[1])
        # anchors, negations, categories: nothing guaranteed
    return total


def _alphabet(items: Any, k: Any) -> frozenset[str] | None:
    """Every character a match of ``items`` can hold (None: too many to list, such as a negated class)."""
    out: set[str] = set()
    for op, av in items:
        part: frozenset[str] | None
        if op is k.LITERAL:
            part = frozenset(chr(av))
        elif op is k.IN:
            part = _class_chars(av, k) or None
        elif op is k.SUBPATTERN:
            part = None if av[1] & k.SRE_FLAG_IGNORECASE else _alphabet(av[-1], k)
        elif op in (k.MAX_REPEAT, k.MIN_REPEAT):
            part = _alphabet(av[2], k)
        elif op is k.BRANCH:
            alts = [_alphabet(alt, k) for alt in av[1]]
            part = None if any(a is None for a in alts) else frozenset().union(*alts)  # type: ignore[arg-type]
        elif op is k.AT:  # ^, $, \b: consume nothing
            part = frozenset()
        else:
            part = None
        if part is None:
            return None
        out |= part
    return frozenset(out)


def _group_items(items: Any, group: int, k: Any) -> Any:
    """The parsed items of capturing group ``group`` (None: not found)."""
    for op, av in items:
        subs: list[Any] = []
        if op is k.SUBPATTERN:
            if av[0] == group:
                return av[-1]
            subs = [av[-1]]
        elif op in (k.MAX_REPEAT, k.MIN_REPEAT):
            subs = [av[2]]
        elif op is k.BRANCH:
            subs = list(av[1])
        for sub in subs:
            got = _group_items(sub, group, k)
            if got is not None:
                return got
    return None


def _search_hints(pattern: str, group: int = 0) -> SearchHints:
    """The search hints of one of tamis's own patterns (custom regexes never come here).

    Measured with Python's regex parser, as ``_max_width``; nothing is matched with it. A case-insensitive
    pattern gives nothing, a case-insensitive group nothing of its own (their letters would need every
    case). Of two candidate sets (the smallest one every match must go through, and the digits) the one a
    random window is least likely to hold ``count`` times is kept. ``run_alphabet`` is the value's (group
    ``group``'s) alphabet when the value alone holds ``count`` required characters: the leading context of
    a phone number or an IPv6 address lies outside it.
    """
    got = _parsed(pattern)
    if got is None:  # RE2-only syntax (\pL...)
        return NO_HINTS
    parsed, constants = got
    if parsed.state.flags & constants.SRE_FLAG_IGNORECASE:
        return NO_HINTS
    items = list(parsed)
    best: tuple[float, frozenset[str], int] | None = None
    for chars in (_required(items, constants), _DIGITS):
        if not chars:
            continue
        count = _min_count(items, chars, constants)
        if count < 1:
            continue
        odds = (len(chars) / 95) ** count  # 95 printable ASCII characters
        if best is None or odds < best[0]:
            best = (odds, chars, count)
    alphabet = _alphabet(items, constants) or frozenset()
    if best is None:
        return SearchHints(frozenset(), 0, alphabet)
    value = items if group == 0 else _group_items(items, group, constants)
    run_alphabet: frozenset[str] = frozenset()
    if value is not None and _min_count(value, best[1], constants) >= best[2]:
        run_alphabet = _alphabet(value, constants) or frozenset()
    lead = _lead_exclusion(items, group, constants)
    run_lead = lead if run_alphabet and lead is not None and run_alphabet <= lead else frozenset()
    value_lead: frozenset[str] = frozenset()
    ends_with_value = all(op is constants.AT for op, _ in items[2:])  # nothing but \b or $ after it
    if lead and value is not None and value.getwidth()[0] >= 1 and ends_with_value:
        first = _first_chars(value, constants)
        value_lead = lead if first and first <= lead else frozenset()
    word_start: frozenset[str] = frozenset()
    streak = (0, -1)
    if group == 0 and items[0] == (constants.AT, constants.AT_BOUNDARY):
        first = _first_chars(items, constants)
        word_start = first if first and first <= _WORD else frozenset()
        got = _streak(items, best[1], constants)
        if got is not None:
            stop, through = got
            lo, hi = _hull(stop, through) or (0, -1)
            # a match that ends within its leading streak needs \b after it to say the text's streak ends
            bounded = through is None or (
                best[1] <= _WORD and items[-1] == (constants.AT, constants.AT_BOUNDARY)
            )
            streak = (lo, hi if bounded and hi < 4096 else -1)
    return SearchHints(
        best[1], best[2], alphabet, run_alphabet, run_lead, value_lead, word_start, streak[0], streak[1]
    )


_Range = tuple[int, int] | None


def _streak(items: Any, chars: frozenset[str], k: Any) -> tuple[_Range, _Range] | None:
    """The length of a match's leading run of ``chars``, as two ranges (None: no such match): where the
    run ends inside the match (``stop``) and where the whole match is such a run (``through``). None:
    unknown (a construct it does not follow)."""
    stop: _Range = None
    through: _Range = (0, 0)
    for op, av in items:
        got = _streak_item(op, av, chars, k)
        if got is None:
            return None
        istop, ithrough = got
        stop = _hull(stop, _plus(through, istop))  # it stops in this item, all before it went through
        through = _plus(through, ithrough)
        if through is None:
            break
    return stop, through


def _streak_item(op: Any, av: Any, chars: frozenset[str], k: Any) -> tuple[_Range, _Range] | None:
    """``_streak`` of one parsed item."""
    if op is k.AT:
        return None, (0, 0)
    if op in (k.LITERAL, k.IN):
        cls = frozenset(chr(av)) if op is k.LITERAL else _class_chars(av, k)
        if not cls:
            return None
        if cls <= chars:
            return None, (1, 1)
        return ((0, 0), None) if not cls & chars else ((0, 0), (1, 1))
    if op is k.SUBPATTERN:
        return None if av[1] & k.SRE_FLAG_IGNORECASE else _streak(av[-1], chars, k)
    if op is k.BRANCH:
        stop: _Range = None
        through: _Range = None
        for alt in av[1]:
            got = _streak(alt, chars, k)
            if got is None:
                return None
            stop, through = _hull(stop, got[0]), _hull(through, got[1])
        return stop, through
    if op in (k.MAX_REPEAT, k.MIN_REPEAT):
        lo, hi, sub = av[0], min(av[1], 4096), av[2]
        got = _streak(sub, chars, k)
        if got is None:
            return None
        sstop, sthrough = got
        through: _Range = (0, 0) if lo == 0 else None
        if sthrough is not None:
            through = _hull(through, (lo * sthrough[0], hi * sthrough[1]))
        stop = None
        if sstop is not None and hi >= 1:  # the n-th copy stops (any n), the ones before it went through
            stop = sstop if sthrough is None else (sstop[0], (hi - 1) * sthrough[1] + sstop[1])
        return stop, through
    return None


def _plus(a: _Range, b: _Range) -> _Range:
    """Lengths of one part then another (None: either cannot happen)."""
    return None if a is None or b is None else (a[0] + b[0], a[1] + b[1])


def _hull(a: _Range, b: _Range) -> _Range:
    """Either range (None: neither can happen)."""
    if a is None:
        return b
    if b is None:
        return a
    return min(a[0], b[0]), max(a[1], b[1])


def _first_chars(items: Any, k: Any) -> frozenset[str] | None:
    """Every character a non-empty match of ``items`` can start with (None: too many to list)."""
    out: set[str] = set()
    for op, av in items:
        part: frozenset[str] | None
        if op is k.AT:  # consumes nothing: the next item starts the match
            continue
        if op is k.LITERAL:
            part, empty = frozenset(chr(av)), False
        elif op is k.IN:
            part, empty = _class_chars(av, k) or None, False
        elif op is k.SUBPATTERN:
            sub = av[-1]
            part = None if av[1] & k.SRE_FLAG_IGNORECASE else _first_chars(sub, k)
            empty = sub.getwidth()[0] == 0
        elif op in (k.MAX_REPEAT, k.MIN_REPEAT):
            part, empty = _first_chars(av[2], k), av[0] == 0 or av[2].getwidth()[0] == 0
        elif op is k.BRANCH:
            alts = [_first_chars(alt, k) for alt in av[1]]
            part = None if any(a is None for a in alts) else frozenset().union(*alts)  # type: ignore[arg-type]
            empty = any(alt.getwidth()[0] == 0 for alt in av[1])
        else:
            part = None
        if part is None:
            return None
        out |= part
        if not empty:
            break
    return frozenset(out)


def _lead_exclusion(items: Any, group: int, k: Any) -> frozenset[str] | None:
    """For a pattern ``(?:^|[^E])(value)...``: the characters E that may not come just before the value."""
    if group == 0 or len(items) < 2 or items[0][0] is not k.BRANCH or items[1][0] is not k.SUBPATTERN:
        return None
    if items[1][1][0] != group:
        return None
    alts = items[0][1][1]
    if len(alts) != 2 or list(alts[0]) != [(k.AT, k.AT_BEGINNING)] or len(alts[1]) != 1:
        return None
    op, av = alts[1][0]
    if op is not k.IN or not av or av[0] != (k.NEGATE, None):
        return None
    return _class_chars(av[1:], k) or None


@cache
def detectors_for(name: str) -> tuple[Detector, ...]:
    """The detectors of one managed identifier (empty for Name and Address)."""
    _category, _countries, requires, _listed, keywords = MANAGED_TABLE[name]
    base = name.partition("-")[0]
    mode = "relaxes" if base == "PhoneNumber" else ("required" if requires else "none")
    exclude = EXCLUDED_TEST_NUMBERS if name == "CreditCardNumber" else frozenset()
    out = []
    for pattern, group, check in _pattern_list(name):
        out.append(
            Detector(
                name=name,
                pattern=pattern,
                group=group,
                check=CHECKS[check] if check else None,
                keywords=keywords,
                keyword_mode=mode,
                strict_check=CHECKS["country_code"] if mode == "relaxes" else None,
                exclude=exclude,
                max_len=_max_width(pattern),
                hints=_search_hints(pattern, group),
            )
        )
    return tuple(out)


def base_names() -> frozenset[str]:
    """Managed base names (``Ssn``) and full names (``Ssn-US``): custom names may not reuse them."""
    return frozenset(MANAGED_TABLE) | frozenset(n.partition("-")[0] for n in MANAGED_TABLE)


def countries_of(base: str) -> frozenset[str]:
    """The country suffixes a base identifier accepts ("" when it takes none)."""
    out = set()
    for name in MANAGED_TABLE:
        b, _, cc = name.partition("-")
        if b == base:
            out.add(cc)
    return frozenset(out)


# name: (category, countries, keyword required, ARN listed in the docs, keywords)
MANAGED_TABLE: dict[str, tuple[str, tuple[str, ...], bool, bool, tuple[str, ...]]] = {
    "AwsSecretKey": (
        "Credentials",
        ("Any",),
        True,
        True,
        ("aws_secret_access_key", "credentials", "secret access key", "secret key", "set-awscredential"),
    ),
    "OpenSshPrivateKey": ("Credentials", ("Any",), False, True, ()),
    "PgpPrivateKey": ("Credentials", ("Any",), False, True, ()),
    "PkcsPrivateKey": ("Credentials", ("Any",), False, True, ()),
    "PuttyPrivateKey": ("Credentials", ("Any",), False, True, ()),
    "IpAddress": ("Device", ("Any",), False, True, ()),
    "BankAccountNumber-DE": (
        "Financial",
        ("DE",),
        True,
        True,
        (
            "account code",
            "account number",
            "accountno#",
            "accountnumber#",
            "bankleitzahl",
            "bban",
            "customer account id",
            "customer account number",
            "customer bank account id",
            "geheimzahl",
            "iban",
            "kartennummer",
            "kontonummer",
            "kreditkartennummer",
            "sepa",
        ),
    ),
    "BankAccountNumber-ES": (
        "Financial",
        ("ES",),
        True,
        True,
        (
            "account code",
            "account number",
            "accountno#",
            "accountnumber#",
            "bban",
            "código cuenta",
            "código cuenta bancaria",
            "cuenta cliente id",
            "customer account ID",
            "customer account number",
            "customer bank account id",
            "iban",
            "número cuenta bancaria cliente",
            "número cuenta cliente",
        ),
    ),
    "BankAccountNumber-FR": (
        "Financial",
        ("FR",),
        True,
        True,
        (
            "account code",
            "account number",
            "accountno#",
            "accountnumber#",
            "bban",
            "code bancaire",
            "compte bancaire",
            "customer account id",
            "customer account number",
            "customer bank account id",
            "iban",
            "numéro de compte",
        ),
    ),
    "BankAccountNumber-GB": (
        "Financial",
        ("GB",),
        True,
        True,
        (
            "account code",
            "account number",
            "accountno#",
            "accountnumber#",
            "bban",
            "customer account id",
            "customer account number",
            "customer bank account id",
            "iban",
            "sepa",
        ),
    ),
    "BankAccountNumber-IT": (
        "Financial",
        ("IT",),
        True,
        True,
        (
            "account code",
            "account number",
            "accountno#",
            "accountnumber#",
            "bban",
            "codice bancario",
            "conto bancario",
            "customer account id",
            "customer account number",
            "customer bank account id",
            "iban",
            "numero di conto",
        ),
    ),
    "BankAccountNumber-US": (
        "Financial",
        ("US",),
        True,
        True,
        (
            "bank account",
            "bank acct",
            "checking account",
            "checking acct",
            "deposit account",
            "deposit acct",
            "savings account",
            "savings acct",
            "chequing account",
            "chequing acct",
        ),
    ),
    "CreditCardExpiration": (
        "Financial",
        ("Any",),
        True,
        True,
        ("exp d", "exp m", "exp y", "expiration", "expiry"),
    ),
    "CreditCardMagneticStripe": (
        "Financial",
        ("Any",),
        True,
        False,
        ("card data", "iso7813", "mag", "magstripe", "stripe", "swipe"),
    ),
    "CreditCardNumber": (
        "Financial",
        ("Any",),
        True,
        True,
        (
            "account number",
            "american express",
            "amex",
            "bank card",
            "card",
            "card num",
            "card number",
            "cc #",
            "ccn",
            "check card",
            "credit",
            "credit card#",
            "dankort",
            "debit",
            "debit card",
            "diners club",
            "discover",
            "electron",
            "elo verification code",
            "japanese card bureau",
            "jcb",
            "mastercard",
            "mc",
            "pan",
            "payment account number",
            "payment card number",
            "pcn",
            "union pay",
            "visa",
        ),
    ),
    "CreditCardSecurityCode": (
        "Financial",
        ("Any",),
        True,
        True,
        (
            "card id",
            "card identification code",
            "card identification number",
            "card security code",
            "card validation code",
            "card validation number",
            "card verification data",
            "card verification value",
            "cvc",
            "cvc2",
            "cvv",
            "cvv2",
            "elo verification code",
        ),
    ),
    "DrugEnforcementAgencyNumber-US": ("Health", ("US",), True, True, ("dea number", "dea registration")),
    "HealthInsuranceCardNumber-EU": (
        "Health",
        ("EU",),
        True,
        True,
        (
            "assicurazione sanitaria numero",
            "carta assicurazione numero",
            "carte d’assurance maladie",
            "carte européenne d'assurance maladie",
            "ceam",
            "ehic",
            "ehic#",
            "finlandehicnumber#",
            "gesundheitskarte",
            "hälsokort",
            "health card",
            "health card number",
            "health insurance card",
            "health insurance number",
            "insurance card number",
            "krankenversicherungskarte",
            "krankenversicherungsnummer",
            "medical account number",
            "numero conto medico",
            "numéro d’assurance maladie",
            "numéro de carte d’assurance",
            "numéro de compte medical",
            "número de cuenta médica",
            "número de seguro de salud",
            "número de tarjeta de seguro",
            "sairaanhoitokortin",
            "sairausvakuutuskortti",
            "sairausvakuutusnumero",
            "sjukförsäkring nummer",
            "sjukförsäkringskort",
            "suomi ehic-numero",
            "tarjeta de salud",
            "terveyskortti",
            "tessera sanitaria assicurazione numero",
            "versicherungsnummer",
        ),
    ),
    "HealthInsuranceClaimNumber-US": (
        "Health",
        ("US",),
        True,
        True,
        (
            "health insurance claim number",
            "hic no",
            "hic no.",
            "hic number",
            "hic#",
            "hicn",
            "hicn#.",
            "hicno#",
        ),
    ),
    "HealthInsuranceNumber-FR": (
        "Health",
        ("FR",),
        True,
        True,
        ("carte d'assuré social", "carte vitale", "insurance card"),
    ),
    "HealthcareProcedureCode-US": (
        "Health",
        ("US",),
        True,
        True,
        ("current procedural terminology", "hcpcs", "healthcare common procedure coding system"),
    ),
    "MedicareBeneficiaryNumber-US": ("Health", ("US",), True, True, ("mbi", "medicare beneficiary")),
    "NationalDrugCode-US": ("Health", ("US",), True, True, ("national drug code", "ndc")),
    "NationalProviderId-US": ("Health", ("US",), True, True, ("hipaa", "n.p.i", "national provider", "npi")),
    "NhsNumber-GB": ("Health", ("GB",), True, True, ("national health service", "NHS")),
    "PersonalHealthNumber-CA": (
        "Health",
        ("CA",),
        True,
        True,
        ("canada healthcare number", "msp number", "personal healthcare number", "phn", "soins de santé"),
    ),
    "Address": ("Personal", ("Any",), False, True, ()),
    "CepCode-BR": (
        "Personal",
        ("BR",),
        True,
        True,
        ("cep", "código de endereçamento postal", "codigo de endereçamento postal"),
    ),
    "Cnpj-BR": (
        "Personal",
        ("BR",),
        True,
        True,
        ("cadastro nacional da pessoa jurídica", "cadastro nacional da pessoa juridica", "cnpj"),
    ),
    "CpfCode-BR": (
        "Personal",
        ("BR",),
        True,
        True,
        (
            "Cadastro de pessoas fisicas",
            "cadastro de pessoas físicas",
            "cadastro de pessoa física",
            "cadastro de pessoa fisica",
            "cpf",
        ),
    ),
    "DateOfBirth": (
        "Personal",
        ("Any",),
        True,
        False,
        ("dob", "date of birth", "birthdate", "birth date", "birthday", "b-day", "bday"),
    ),
    "DriversLicense-AU": (
        "Personal",
        ("AU",),
        True,
        True,
        (
            "dl#",
            "dl:",
            "dl :",
            "dlno#",
            "driver licence",
            "driver license",
            "driver permit",
            "drivers lic.",
            "drivers licence",
            "driver's licence",
            "drivers license",
            "driver's license",
            "drivers permit",
            "driver's permit",
            "drivers permit number",
            "driving licence",
            "driving license",
            "driving permit",
        ),
    ),
    "DriversLicense-AT": (
        "Personal",
        ("AT",),
        True,
        True,
        (
            "führerschein",
            "fuhrerschein",
            "führerschein republik österreich",
            "fuhrerschein republik osterreich",
        ),
    ),
    "DriversLicense-BE": (
        "Personal",
        ("BE",),
        True,
        True,
        (
            "fuehrerschein",
            "fuehrerschein- nr",
            "fuehrerscheinnummer",
            "fuhrerschein",
            "führerschein",
            "fuhrerschein- nr",
            "führerschein- nr",
            "fuhrerscheinnummer",
            "führerscheinnummer",
            "numéro permis conduire",
            "permis de conduire",
            "rijbewijs",
            "rijbewijsnummer",
        ),
    ),
    "DriversLicense-BG": (
        "Personal",
        ("BG",),
        True,
        True,
        (
            "превозно средство",
            "свидетелство за управление на моторно",
            "свидетелство за управление на мпс",
            "сумпс",
            "шофьорска книжка",
        ),
    ),
    "DriversLicense-CA": (
        "Personal",
        ("CA",),
        True,
        True,
        (
            *_DRIVERS_LICENSE_KEYWORDS_EN,
            "permis de conduire",
        ),
    ),
    "DriversLicense-HR": ("Personal", ("HR",), True, True, ("vozačka dozvola",)),
    "DriversLicense-CY": ("Personal", ("CY",), True, True, ("άδεια οδήγησης",)),
    "DriversLicense-CZ": (
        "Personal",
        ("CZ",),
        True,
        True,
        (
            "číslo licence",
            "císlo licence řidiče",
            "číslo řidičského průkazu",
            "ovladače lic.",
            "povolení k jízdě",
            "povolení řidiče",
            "řidiči povolení",
            "řidičský prúkaz",
            "řidičský průkaz",
        ),
    ),
    "DriversLicense-DK": ("Personal", ("DK",), True, True, ("kørekort", "kørekortnummer")),
    "DriversLicense-EE": (
        "Personal",
        ("EE",),
        True,
        True,
        ("juhi litsentsi number", "juhiloa number", "juhiluba", "juhiluba number"),
    ),
    "DriversLicense-FI": (
        "Personal",
        ("FI",),
        True,
        True,
        (
            "ajokortin numero",
            "ajokortti",
            "förare lic.",
            "körkort",
            "körkort nummer",
            "kuljettaja lic.",
            "permis de conduire",
        ),
    ),
    "DriversLicense-FR": ("Personal", ("FR",), True, True, ("permis de conduire",)),
    "DriversLicense-DE": (
        "Personal",
        ("DE",),
        True,
        True,
        (
            "fuehrerschein",
            "fuehrerschein- nr",
            "fuehrerscheinnummer",
            "fuhrerschein",
            "führerschein",
            "fuhrerschein- nr",
            "führerschein- nr",
            "fuhrerscheinnummer",
            "führerscheinnummer",
        ),
    ),
    "DriversLicense-GR": ("Personal", ("GR",), True, True, ("δεια οδήγησης", "adeia odigisis")),
    "DriversLicense-HU": (
        "Personal",
        ("HU",),
        True,
        True,
        (
            "illesztőprogramok lic",
            "jogosítvány",
            "jogsi",
            "licencszám",
            "vezető engedély",
            "vezetői engedély",
        ),
    ),
    "DriversLicense-IE": ("Personal", ("IE",), True, True, ("ceadúnas tiomána",)),
    "DriversLicense-IT": (
        "Personal",
        ("IT",),
        True,
        True,
        ("patente di guida", "patente di guida numero", "patente guida", "patente guida numero"),
    ),
    "DriversLicense-LV": (
        "Personal",
        ("LV",),
        True,
        True,
        (
            "autovadītāja apliecība",
            "licences numurs",
            "vadītāja apliecība",
            "vadītāja apliecības numurs",
            "vadītāja atļauja",
            "vadītāja licences numurs",
            "vadītāji lic.",
        ),
    ),
    "DriversLicense-LT": ("Personal", ("LT",), True, True, ("vairuotojo pažymėjimas",)),
    "DriversLicense-LU": ("Personal", ("LU",), True, True, ("fahrerlaubnis", "führerschäin")),
    "DriversLicense-MT": ("Personal", ("MT",), True, True, ("liċenzja tas-sewqan",)),
    "DriversLicense-NL": (
        "Personal",
        ("NL",),
        True,
        True,
        ("permis de conduire", "rijbewijs", "rijbewijsnummer"),
    ),
    "DriversLicense-PL": (
        "Personal",
        ("PL",),
        True,
        True,
        ("numer licencyjny", "prawo jazdy", "zezwolenie na prowadzenie"),
    ),
    "DriversLicense-PT": (
        "Personal",
        ("PT",),
        True,
        True,
        (
            "carta de condução",
            "carteira de habilitação",
            "carteira de motorist",
            "carteira habilitação",
            "carteira motorist",
            "licença condução",
            "licença de condução",
            "número de licença",
            "número licença",
            "permissão condução",
            "permissão de condução",
        ),
    ),
    "DriversLicense-RO": (
        "Personal",
        ("RO",),
        True,
        True,
        ("numărul permisului de conducere", "permis de conducere"),
    ),
    "DriversLicense-SK": (
        "Personal",
        ("SK",),
        True,
        True,
        (
            "číslo licencie",
            "číslo vodičského preukazu",
            "ovládače lic.",
            "povolenia vodičov",
            "povolenie jazdu",
            "povolenie na jazdu",
            "povolenie vodiča",
            "vodičský preukaz",
        ),
    ),
    "DriversLicense-SI": ("Personal", ("SI",), True, True, ("vozniško dovoljenje",)),
    "DriversLicense-ES": (
        "Personal",
        ("ES",),
        True,
        True,
        (
            "carnet conducer",
            "el carnet de conducer",
            "licencia conducer",
            "licencia de manejo",
            "número carnet conducer",
            "número de carnet de conducer",
            "número de permiso conducer",
            "número de permiso de conducer",
            "número licencia conducer",
            "número permiso conducer",
            "permiso conducción",
            "permiso conducer",
            "permiso de conducción",
        ),
    ),
    "DriversLicense-SE": (
        "Personal",
        ("SE",),
        True,
        True,
        (
            "ajokortin numero",
            "dlno# ajokortti",
            "drivere lic.",
            "förare lic.",
            "körkort",
            "körkort nummer",
            "körkortsnummer",
            "kuljettajat lic.",
        ),
    ),
    "DriversLicense-GB": (
        "Personal",
        ("GB",),
        True,
        True,
        _DRIVERS_LICENSE_KEYWORDS_EN,
    ),
    "DriversLicense-US": (
        "Personal",
        ("US",),
        True,
        True,
        _DRIVERS_LICENSE_KEYWORDS_EN,
    ),
    "ElectoralRollNumber-GB": (
        "Personal",
        ("GB",),
        True,
        True,
        (
            "electoral#",
            "electoral #",
            "electoralnumber",
            "electoral number",
            "electoralroll#",
            "electoral roll#",
            "electoral roll #",
            "electoral roll no.",
            "electoral roll number",
            "electoralrollno",
        ),
    ),
    "EmailAddress": ("Personal", ("Any",), False, True, ()),
    "IndividualTaxIdentificationNumber-US": (
        "Personal",
        ("US",),
        True,
        True,
        ("individual taxpayer identification number", "itin", "i.t.i.n."),
    ),
    "InseeCode-FR": (
        "Personal",
        ("FR",),
        True,
        True,
        (
            "assurance sociale",
            "carte nationale d’identité",
            "cni",
            "code sécurité sociale",
            "French social security number",
            "fssn#",
            "insee",
            "insurance number",
            "national id number",
            "nationalid#",
            "numéro d'assurance",
            "sécurité sociale",
            "sécurité sociale non.",
            "sécurité sociale numéro",
            "social",
            "social security",
            "social security number",
            "socialsecuritynumber",
            "ss#",
            "ssn",
            "ssn#",
        ),
    ),
    "LatLong": (
        "Personal",
        ("Any",),
        True,
        True,
        ("coordinate", "coordinates", "lat long", "latitude longitude", "location", "position"),
    ),
    "Name": ("Personal", ("Any",), False, True, ()),
    "NationalIdentificationNumber-DE": (
        "Personal",
        ("DE",),
        True,
        True,
        (
            "ausweisnummer",
            "id number",
            "identification number",
            "identity number",
            "insurance number",
            "personal id",
            "personalausweis",
        ),
    ),
    "NationalIdentificationNumber-ES": (
        "Personal",
        ("ES",),
        True,
        True,
        (
            "dni",
            "dni#",
            "dninúmero#",
            "documento nacional de identidad",
            "identidad único",
            "identidadúnico#",
            "insurance number",
            "national identification number",
            "national identity",
            "nationalid#",
            "nationalidno#",
            "número nacional identidad",
            "personal identification number",
            "personal identity no",
            "unique identity number",
            "uniqueid#",
        ),
    ),
    "NationalIdentificationNumber-IT": (
        "Personal",
        ("IT",),
        True,
        True,
        (
            "codice fiscal",
            "dati anagrafici",
            "ehic",
            "health card",
            "health insurance card",
            "p. iva",
            "partita i.v.a.",
            "personal data",
            "tax code",
            "tessera sanitaria",
        ),
    ),
    "NationalInsuranceNumber-GB": (
        "Personal",
        ("GB",),
        True,
        True,
        (
            "insurance no.",
            "insurance number",
            "insurance#",
            "national insurance number",
            "nationalinsurance#",
            "nationalinsurancenumber",
            "nin",
            "nino",
        ),
    ),
    "NieNumber-ES": (
        "Personal",
        ("ES",),
        True,
        True,
        _SPANISH_TAX_ID_KEYWORDS,
    ),
    "NifNumber-ES": (
        "Personal",
        ("ES",),
        True,
        True,
        _SPANISH_TAX_ID_KEYWORDS,
    ),
    "PassportNumber-CA": (
        "Personal",
        ("CA",),
        True,
        True,
        ("passeport", "passeport#", "passport", "passport#", "passportno", "passportno#"),
    ),
    "PassportNumber-FR": (
        "Personal",
        ("FR",),
        True,
        True,
        (
            "numéro de passeport",
            "passeport",
            "passeport#",
            "passeport #",
            "passeportn °",
            "passeport n °",
            "passeportNon",
            "passeport non",
        ),
    ),
    "PassportNumber-DE": (
        "Personal",
        ("DE",),
        True,
        True,
        (
            "ausstellungsdatum",
            "ausstellungsort",
            "geburtsdatum",
            "passport",
            "passports",
            "reisepass",
            "reisepass–nr",
            "reisepassnummer",
        ),
    ),
    "PassportNumber-IT": (
        "Personal",
        ("IT",),
        True,
        True,
        (
            "italian passport number",
            "numéro passeport",
            "numéro passeport italien",
            "passaporto",
            "passaporto italiana",
            "passaporto numero",
            "passport number",
            "repubblica italiana passaporto",
        ),
    ),
    "PassportNumber-ES": (
        "Personal",
        ("ES",),
        True,
        True,
        (
            "españa pasaporte",
            "libreta pasaporte",
            "número pasaporte",
            "pasaporte",
            "passport",
            "passport book",
            "passport no",
            "passport number",
            "spain passport",
        ),
    ),
    "PassportNumber-GB": (
        "Personal",
        ("GB",),
        True,
        True,
        (
            "passeport #",
            "passeport n °",
            "passeportNon",
            "passeport non",
            "passeportn °",
            "passport #",
            "passport no",
            "passport number",
            "passport#",
            "passportid",
        ),
    ),
    "PassportNumber-US": ("Personal", ("US",), True, True, ("passport", "travel document")),
    "PermanentResidenceNumber-CA": (
        "Personal",
        ("CA",),
        True,
        True,
        (
            "carte résident permanent",
            "numéro carte résident permanent",
            "numéro résident permanent",
            "permanent resident card",
            "permanent resident card number",
            "permanent resident no",
            "permanent resident no.",
            "permanent resident number",
            "pr no",
            "pr no.",
            "pr non",
            "pr number",
            "résident permanent no.",
            "résident permanent non",
        ),
    ),
    "PhoneNumber": (
        "Personal",
        ("Any",),
        False,
        True,
        _PHONE_KEYWORDS,
    ),
    "PhoneNumber-BR": (
        "Personal",
        ("BR",),
        False,
        True,
        (
            "cel",
            "celular",
            "fone",
            "móvel",
            "número residencial",
            "numero residencial",
            "telefone",
            *_PHONE_KEYWORDS,
        ),
    ),
    "PhoneNumber-DE": (
        "Personal",
        ("DE",),
        False,
        True,
        _PHONE_KEYWORDS,
    ),
    "PhoneNumber-ES": (
        "Personal",
        ("ES",),
        False,
        True,
        _PHONE_KEYWORDS,
    ),
    "PhoneNumber-FR": (
        "Personal",
        ("FR",),
        False,
        True,
        _PHONE_KEYWORDS,
    ),
    "PhoneNumber-GB": (
        "Personal",
        ("GB",),
        False,
        True,
        _PHONE_KEYWORDS,
    ),
    "PhoneNumber-IT": (
        "Personal",
        ("IT",),
        False,
        True,
        _PHONE_KEYWORDS,
    ),
    "PhoneNumber-US": (
        "Personal",
        ("US",),
        False,
        True,
        _PHONE_KEYWORDS,
    ),
    "PostalCode-CA": ("Personal", ("CA",), False, True, ()),
    "RgNumber-BR": ("Personal", ("BR",), True, True, ("registro geral", "rg")),
    "SocialInsuranceNumber-CA": (
        "Personal",
        ("CA",),
        True,
        True,
        ("canadian id", "numéro d'assurance sociale", "social insurance number", "sin"),
    ),
    "Ssn-ES": (
        "Personal",
        ("ES",),
        True,
        True,
        (
            "número de la seguridad social",
            "social security no.",
            "social security no. número de la seguridad social",
            "social security number",
            "socialsecurityno#",
            "ssn",
            "ssn#",
        ),
    ),
    "Ssn-US": ("Personal", ("US",), True, True, ("social security", "ss#", "ssn")),
    "TaxId-DE": (
        "Personal",
        ("DE",),
        True,
        True,
        (
            "identifikationsnummer",
            "steuer id",
            "steueridentifikationsnummer",
            "steuernummer",
            "tax id",
            "tax identification number",
            "tax number",
        ),
    ),
    "TaxId-ES": (
        "Personal",
        ("ES",),
        True,
        True,
        _SPANISH_TAX_ID_KEYWORDS,
    ),
    "TaxId-FR": (
        "Personal",
        ("FR",),
        True,
        True,
        (
            "numéro d'identification fiscale",
            "tax id",
            "tax identification number",
            "tax number",
            "tin",
            "tin#",
        ),
    ),
    "TaxId-GB": (
        "Personal",
        ("GB",),
        True,
        True,
        (
            "paye",
            "tax id",
            "tax id no.",
            "tax id number",
            "tax identification",
            "tax identification#",
            "tax no.",
            "tax number",
            "tax reference",
            "tax#",
            "taxid#",
            "temporary reference number",
            "tin",
            "trn",
            "unique tax reference",
            "unique taxpayer reference",
            "utr",
        ),
    ),
    "VehicleIdentificationNumber": (
        "Personal",
        ("Any",),
        True,
        True,
        (
            "Fahrgestellnummer",
            "niv",
            "numarul de identificare",
            "numarul seriei de sasiu",
            "serie sasiu",
            "numer VIN",
            "Número de Identificação do Veículo",
            "Número de Identificación de Automóviles",
            "numéro d'identification du véhicule",
            "vehicle identification number",
            "vin",
            "VIN numeris",
        ),
    ),
    "ZipCode-US": ("Personal", ("US",), True, True, ("zip code", "zip+4")),
}

EXCLUDED_TEST_NUMBERS: frozenset[str] = frozenset(
    (
        "122000000000003",
        "2222405343248877",
        "2222990905257051",
        "2223007648726984",
        "2223577120017656",
        "30569309025904",
        "34343434343434",
        "3528000700000000",
        "3530111333300000",
        "3566002020360505",
        "36148900647913",
        "36700102000000",
        "371449635398431",
        "378282246310005",
        "378734493671000",
        "38520000023237",
        "4012888888881881",
        "4111111111111111",
        "4222222222222",
        "4444333322221111",
        "4462030000000000",
        "4484070000000000",
        "4911830000000",
        "4917300800000000",
        "4917610000000000",
        "4917610000000000003",
        "5019717010103742",
        "5105105105105100",
        "5111010030175156",
        "5185540810000019",
        "5200828282828210",
        "5204230080000017",
        "5204740009900014",
        "5420923878724339",
        "5454545454545454",
        "5455330760000018",
        "5506900490000436",
        "5506900490000444",
        "5506900510000234",
        "5506920809243667",
        "5506922400634930",
        "5506927427317625",
        "5553042241984105",
        "5555553753048194",
        "5555555555554444",
        "5610591081018250",
        "6011000990139424",
        "6011000400000000",
        "6011111111111117",
        "630490017740292441",
        "630495060000000000",
        "6331101999990016",
        "6759649826438453",
        "6799990100000000019",
        "76009244561",
    )
)
