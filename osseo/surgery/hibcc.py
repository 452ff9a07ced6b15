"""Reading a device's HIBCC UDI label (HIBC Supplier Labeling Standard, LIC format), beside GS1.

Pure: no Django. About one implant sticker in five carries HIBCC or a custom code rather than
GS1 (LROI, docs/sources.md#udi), so both are read. FHIR names the issuer
`http://hl7.org/fhir/NamingSystem/hibcc-dI` (docs/sources.md#udi).

Structures (HIBC LIC):

- primary: `+` LIC (4 characters, the first a letter: the labeler) PCN (1-18 characters: the
  labeler's product or catalogue number) U (1 digit: the unit of measure) C (check character);
- secondary: `+` then the quantity/date reference and the lot or serial, then L (the link
  character: the primary's check character) and C (its own check character):
  `$` lot; `$+` serial; `$$` expiry then lot; `$$+` expiry then serial; five digits YYJJJ
  (a Julian expiry date) then lot. After `$$`, a flag digit says the date format: 2 MMDDYY,
  3 YYMMDD, 4 YYMMDDHH, 5 YYJJJ, 6 YYJJJHH, 7 no date; any other first digit means MMYY.
  Before the date, a quantity may come: 8 and two digits, or 9 and five digits (the units in
  the package), as the HIBC LIC secondary data structure gives it.
- both in one symbol: the primary without its check character, `/`, the secondary without its
  `+` and link character, one check character over the whole.

The check character is the modulus 43 sum of the character values (0-9 = 0-9, A-Z = 10-35,
`-` 36, `.` 37, space 38, `$` 39, `/` 40, `+` 41, `%` 42), from the leading `+`. Worked example
checked against the scanner references' own: `+A1234BJC5D6E71` sums to 149, remainder 20, `K`.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

CHARSET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ-. $/+%"
ISSUER = "http://hl7.org/fhir/NamingSystem/hibcc-dI"
_PRIMARY = re.compile(r"(?P<lic>[A-Z][A-Z0-9]{3})(?P<pcn>[A-Z0-9]{1,18})(?P<unit>[0-9])")


class HIBCCError(ValueError):
    """The label cannot be read as HIBCC; the message is a sentence for the person scanning."""


@dataclass(frozen=True)
class ParsedHIBCC:
    labeler: str  # LIC
    product: str  # PCN
    unit_of_measure: str
    lot: str | None
    serial: str | None
    expiry: dt.date | None
    check: str  # the check character of the structure that carries the primary data
    expired: bool
    quantity: int | None = None  # the secondary label's quantity field, if it has one

    @property
    def di(self) -> str:
        """The device identifier: labeler, product and unit of measure."""
        return f"{self.labeler}{self.product}{self.unit_of_measure}"


def check_character(data: str) -> str:
    """The modulus 43 check character of `data` (from its leading `+`)."""
    try:
        return CHARSET[sum(CHARSET.index(c) for c in data) % 43]
    except ValueError as exc:
        bad = next(c for c in data if c not in CHARSET)
        raise HIBCCError(f"The character {bad!r} cannot be in an HIBCC label.") from exc


def looks_like_hibcc(code: str) -> bool:
    return code.strip().lstrip("*").startswith("+")


def _verified(structure: str, what: str) -> str:
    """The structure without its check character, once the check character is right."""
    if len(structure) < 3:
        raise HIBCCError(f"The {what} is too short to be an HIBCC label.")
    body, given = structure[:-1], structure[-1]
    expected = check_character(body)
    if given != expected:
        raise HIBCCError(
            f"The {what}'s check character is {given!r} but should be {expected!r}: "
            "the label was misread or mistyped. Scan it again."
        )
    return body


def _julian(yy: str, jjj: str) -> dt.date:
    year = 2000 + int(yy)
    day = int(jjj)
    if not 1 <= day <= (366 if calendar.isleap(year) else 365):
        raise HIBCCError(f"The expiry day {jjj} is not a day of {year}.")
    return dt.date(year, 1, 1) + dt.timedelta(days=day - 1)


def _date(text: str, fmt: str) -> dt.date:
    try:
        if fmt == "MMDDYY":
            return dt.date(2000 + int(text[4:6]), int(text[0:2]), int(text[2:4]))
        if fmt == "YYMMDD":
            return dt.date(2000 + int(text[0:2]), int(text[2:4]), int(text[4:6]))
        if fmt == "MMYY":
            year, month = 2000 + int(text[2:4]), int(text[0:2])
            return dt.date(year, month, calendar.monthrange(year, month)[1])
    except ValueError as exc:
        raise HIBCCError(f"The expiry date {text} is not a date.") from exc
    return _julian(text[0:2], text[2:5])


# After "$$": the flag digit, the date's format and its length (HIBC LIC secondary data).
_DATE_FLAGS = {
    "2": ("MMDDYY", 6),
    "3": ("YYMMDD", 6),
    "4": ("YYMMDD", 8),  # YYMMDDHH: the hour is not kept
    "5": ("YYJJJ", 5),
    "6": ("YYJJJ", 7),  # YYJJJHH
    "7": ("", 0),
}


# After "$$" (or "$$+"): a quantity flag and the number of digits that follow it.
_QUANTITY_FLAGS = {"8": 2, "9": 5}


def _secondary(data: str) -> tuple[dt.date | None, str | None, str | None, int | None]:
    """(expiry, lot, serial, quantity) from the secondary data without `+`, link and check
    characters."""
    if data.startswith("$$"):
        rest = data[2:]
        serial = rest.startswith("+")
        rest = rest[1:] if serial else rest
        quantity = None
        if rest[:1] in _QUANTITY_FLAGS:
            digits = _QUANTITY_FLAGS[rest[0]]
            text, rest = rest[1 : 1 + digits], rest[1 + digits :]
            if len(text) != digits or not text.isdigit():
                raise HIBCCError(
                    f"The HIBCC quantity after the flag {data[2 + serial]} is {digits} digits."
                )
            quantity = int(text)
        if rest[:1] in _DATE_FLAGS:
            fmt, size = _DATE_FLAGS[rest[0]]
            text, rest = rest[1 : 1 + size], rest[1 + size :]
        else:
            fmt, text, rest = "MMYY", rest[:4], rest[4:]
        if fmt and (len(text) < (size if fmt != "MMYY" else 4) or not text.isdigit()):
            raise HIBCCError("The expiry date in the HIBCC label is incomplete.")
        expiry = _date(text, fmt) if fmt else None
        if serial:
            return expiry, None, rest or None, quantity
        return expiry, rest or None, None, quantity
    if data.startswith("$+"):
        return None, None, data[2:] or None, None
    if data.startswith("$"):
        return None, data[1:] or None, None, None
    if len(data) >= 5 and data[:5].isdigit():
        return _julian(data[:2], data[2:5]), data[5:] or None, None, None
    raise HIBCCError("The secondary HIBCC data starts with $, $$, $+ or a YYJJJ date.")


def parse_hibcc(code: str, *, today: dt.date | None = None) -> ParsedHIBCC:
    """Read an HIBCC primary label, primary and secondary labels (scanned one after the other,
    separated by a space or a line), or both in one symbol; raise HIBCCError with a sentence.
    A wrong check character is refused: it means the label was misread."""
    today = today or dt.datetime.now(dt.UTC).date()
    parts = [p.strip().strip("*") for p in code.strip().split()]
    if not parts or not parts[0].startswith("+"):
        raise HIBCCError("An HIBCC label starts with '+'.")
    primary = parts[0]
    expiry = lot = serial = None
    quantity: int | None = None
    if "/" in primary and len(parts) == 1:  # primary and secondary in one symbol
        body = _verified(primary, "label")
        head, _, tail = body[1:].partition("/")
        match = _PRIMARY.fullmatch(head)
        check = primary[-1]
        expiry, lot, serial, quantity = _secondary(tail)
    else:
        body = _verified(primary, "primary label")
        match = _PRIMARY.fullmatch(body[1:])
        check = primary[-1]
        if len(parts) > 2:
            raise HIBCCError("Give the primary label and at most one secondary label.")
        if len(parts) == 2:
            secondary = parts[1]
            if not secondary.startswith("+"):
                raise HIBCCError("The secondary HIBCC label starts with '+'.")
            data = _verified(secondary, "secondary label")
            if data[-1] != check:
                raise HIBCCError(
                    "The secondary label's link character does not match the primary label: "
                    "they are from different products."
                )
            expiry, lot, serial, quantity = _secondary(data[1:-1])
    if match is None:
        raise HIBCCError(
            "The primary HIBCC data is a 4-character labeler code (starting with a letter), "
            "a product number and a one-digit unit of measure."
        )
    for name, value in (("lot", lot), ("serial", serial)):
        if value is not None and len(value) > 18:
            raise HIBCCError(f"The {name} number is too long for an HIBCC label.")
    return ParsedHIBCC(
        labeler=match["lic"],
        product=match["pcn"],
        unit_of_measure=match["unit"],
        lot=lot,
        serial=serial,
        expiry=expiry,
        check=check,
        expired=expiry is not None and expiry < today,
        quantity=quantity,
    )
