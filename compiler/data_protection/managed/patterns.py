"""The detection patterns tamis uses for each managed data identifier: regex, reported group, check.

The regular expressions are tamis's own reading of the documented formats (the facts they follow are in
the catalogue, managed/identifiers.json); where AWS documents no format, the pattern follows the public
standard for the number and the keyword requirement keeps it from firing on arbitrary digits. Name and
Address are detected by machine learning in the service: tamis accepts them in policies but cannot detect
them (``NOT_DETECTED_LOCALLY``). A check is named by its key in ``tamis.runtime.redact.checks.CHECKS``.
"""

from __future__ import annotations

# Machine-learning identifiers: valid in a policy, never detected by tamis (the lint says so).
NOT_DETECTED_LOCALLY = frozenset({"Name", "Address"})

# (regex, group that holds the value, check name or None)
Pattern = tuple[str, int, str | None]

# Leading context for values that may start with a non-word character ("+1 ...", "(480) ..."):
# the value is group 1.
_LEAD = r"(?:^|[^0-9A-Za-z+(])"

_PHONE_TAIL = r"\b"
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*"
# name -> list of (pattern, group, check). Several patterns may report the same identifier.
_PATTERNS: dict[str, list[Pattern]] = {
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


def patterns_of(name: str) -> list[Pattern]:
    """The patterns of one managed identifier; several may report it (empty: none, Name and Address)."""
    if name in _PATTERNS:
        return _PATTERNS[name]
    base, _, cc = name.partition("-")
    if base == "DriversLicense":
        return [_DL_PATTERN]
    if base == "BankAccountNumber" and cc in _IBAN_LENGTHS:
        return [(rf"\b{cc}\d{{2}}(?: ?[A-Z0-9]){{{_IBAN_LENGTHS[cc] - 4}}}\b", 0, "iban")]
    return []
