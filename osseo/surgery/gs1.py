"""Reading a device's GS1 UDI (Unique Device Identification) barcode, with biip.

Pure: no Django. Accepts what a scanner or a person gives us (docs/sources.md#udi):

- raw scanner content, with or without a symbology identifier such as `]d2` (GS1 DataMatrix) or
  `]C1` (GS1-128), the variable-length fields ended by the GS character (ASCII 29, FNC1);
  a GS typed or pasted as the placeholder `<GS>` or shown as the symbol `␝` is read as GS;
- the human-readable form printed under the barcode: `(01)09506000134352(17)290101(10)ABC123`;
- a GS1 Digital Link URI (`https://id.gs1.org/01/09506000134352/10/ABC123?17=290101`).

Application Identifiers (GS1 General Specifications): (01) GTIN, the UDI-DI, 14 digits with a
mod-10 check digit; (10) batch/lot; (21) serial number; (17) expiry date and (11) production date,
both YYMMDD, where day "00" means the last day of the month (biip applies that rule). biip reads
the two-digit year within 49 years back and 50 years ahead of the current year (§7.12).

Known limit: a scanner that drops the GS separators makes a variable-length field swallow the
fields after it (https://github.com/jodal/biip/issues/113); that cannot be detected here.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import biip
from biip import ParseConfig
from biip.gs1_element_strings import GS1ElementStrings
from biip.gs1_messages import GS1Message

GS = "\x1d"
# Typed or displayed stand-ins for the GS separator that scanners send as ASCII 29.
_GS_PLACEHOLDERS = re.compile(r"<GS>|␝", re.IGNORECASE)
_DATE_AIS = {"11": "production date", "17": "expiry date"}
_AI_NAMES = {"01": "GTIN", "10": "lot number", "21": "serial number", **_DATE_AIS}
# Dates are checked here, so that an impossible date gets a clear sentence of its own.
_CONFIG = ParseConfig(gs1_element_strings_verify_date=False)
_PATTERN_FAILURE = re.compile(r"Failed to match '(?P<value>.*)' with GS1 AI \((?P<ai>\d+)\)")
_GTIN_CHECK_DIGIT = re.compile(r"Expected (?P<expected>\d+), got (?P<found>\d+)")


class UDIError(ValueError):
    """The code cannot be read as a GS1 UDI; the message is a sentence for the person scanning."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class ParsedUDI:
    """The parts of a UDI that Osseo stores (FHIR Device.udiCarrier, lotNumber, serialNumber...)."""

    gtin: str
    lot: str | None
    serial: str | None
    expiry: dt.date | None
    production_date: dt.date | None
    expired: bool
    hri: str
    """The human-readable form, `(01)...(17)...(10)...`, for Device.udiCarrier.carrierHRF."""


def parse_udi(code: str, *, today: dt.date | None = None) -> ParsedUDI:
    """Read a GS1 UDI; raise UDIError with a plain sentence when it cannot be read.

    An expired device is not an error: `expired` is True (past its expiry date; the expiry day
    itself still counts as in date) and the caller asks the user to confirm. `today` defaults to
    this machine's local date; a Django caller passes `timezone.localdate()`.
    """
    text = _GS_PLACEHOLDERS.sub(GS, code).strip()
    if not text:
        raise UDIError("The code is empty: scan the barcode or type its text.")
    elements = _element_strings(text)

    by_ai = {element.ai.ai: element for element in elements}
    gtin = by_ai.get("01")
    if gtin is None:
        raise UDIError("The code has no GTIN (AI 01), so it does not identify a device.")
    if gtin.gtin_error:
        raise UDIError(_gtin_sentence(gtin.value, gtin.gtin_error))

    dates: dict[str, dt.date | None] = {}
    for ai, name in _DATE_AIS.items():
        element = by_ai.get(ai)
        if element is not None and element.date is None:
            raise UDIError(
                f"The {name} (AI {ai}) {element.value!r} is not a real date; GS1 dates are "
                "YYMMDD, with day 00 meaning the end of the month."
            )
        dates[ai] = element.date if element is not None else None

    lot, serial = by_ai.get("10"), by_ai.get("21")
    expiry = dates["17"]
    if today is None:
        today = dt.datetime.now(dt.UTC).astimezone().date()
    return ParsedUDI(
        gtin=gtin.value,
        lot=lot.value if lot is not None else None,
        serial=serial.value if serial is not None else None,
        expiry=expiry,
        production_date=dates["11"],
        expired=expiry is not None and expiry < today,
        hri="".join(element.as_hri() for element in elements),
    )


def _element_strings(text: str) -> GS1ElementStrings:
    if text.startswith("("):
        try:
            elements = GS1Message.parse_hri(text, config=_CONFIG).element_strings
        except biip.ParseError as error:
            raise UDIError(_parse_sentence(str(error))) from error
        # biip skips text that is not "(digits)data", such as a stray "(C)"; refuse rather than
        # store a lot or serial number cut short.
        if "".join(element.as_hri() for element in elements) != "".join(text.split()):
            raise UDIError(
                "Part of the text could not be read: in the human-readable form each field is "
                "its AI in brackets followed by its value, as in (01)09506000134352(10)ABC123."
            )
        return elements

    result = biip.parse(text, config=_CONFIG)
    if result.gs1_message is not None and result.gs1_message.element_strings:
        return result.gs1_message.element_strings
    if result.gs1_digital_link_uri is not None:
        return result.gs1_digital_link_uri.element_strings
    if result.gtin is not None:
        raise UDIError(
            f"This is a bare product number ({result.gtin.value}) without lot, serial or "
            "dates; scan the UDI barcode, or type it as (01)...(17)...(10)...(21)..."
        )
    if result.gs1_message_error:
        raise UDIError(_parse_sentence(result.gs1_message_error))
    raise UDIError(_parse_sentence(result.gs1_digital_link_uri_error or ""))


def _gtin_sentence(value: str, biip_error: str) -> str:
    if match := _GTIN_CHECK_DIGIT.search(biip_error):
        return (
            f"The GTIN's check digit is wrong: expected {match['expected']}, "
            f"found {match['found']}. Check the code was scanned or typed correctly."
        )
    return f"The GTIN {value!r} is not valid: {biip_error}"


def _parse_sentence(biip_error: str) -> str:
    """A sentence for the person scanning, from biip's message (which it keeps as detail)."""
    if match := _PATTERN_FAILURE.match(biip_error):
        ai, value = match["ai"], match["value"].removeprefix(match["ai"])
        name = _AI_NAMES.get(ai, f"field with AI {ai}")
        if ai in _DATE_AIS:
            value = value[:6]  # a raw message runs on past the fixed-length date
            return (
                f"The {name} (AI {ai}) {value!r} is not a real date; GS1 dates are YYMMDD, "
                "with day 00 meaning the end of the month."
            )
        if ai == "01":
            return f"The GTIN (AI 01) must be 14 digits; found {value!r}."
        return f"The {name} (AI {ai}) {value!r} is not in the format GS1 requires."
    return f"This is not a GS1 UDI that Osseo can read ({biip_error.rstrip('.')})."
