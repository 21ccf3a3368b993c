"""``JSONNumber``: a JSON number that keeps its spelling. A leaf: it imports nothing of tamis.

The JSON grammar produces it and the event matcher reads events into it; both layers import it from here,
so neither imports the other (see ARCHITECTURE.md, "The import rule").
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation


class JSONNumber(Decimal):
    """A decimal that remembers how it was spelled in the JSON text (``1.2345678901234567890e19``)."""

    text: str

    def __new__(cls, text: str) -> JSONNumber:
        try:
            self = super().__new__(cls, text)
        except InvalidOperation:
            # An exponent beyond what Decimal holds (1e123456789012345678901): the value stands in as what a
            # double reads it as (zero, infinite, or vanishing like 1e-400); the spelling is kept as it is.
            mantissa, _, exponent = text.lower().partition("e")
            sign = "-" if mantissa.startswith("-") else ""
            if not mantissa.strip("+-0."):
                stand_in = "0"
            elif exponent.startswith("-"):
                stand_in = "1e-999999"
            else:
                stand_in = "Infinity"
            self = super().__new__(cls, sign + stand_in)
        self.text = text
        return self
