"""NHS number validation: ten digits whose last is the Modulus 11 check digit.

Source: NHS Data Dictionary, "NHS Number" (check digit: weights 10..2 over the first nine digits,
11 - (sum mod 11); 11 becomes 0; 10 means the number is invalid).
"""

from __future__ import annotations

import re

_SEPARATORS = re.compile(r"[\s-]")


def normalise_nhs_number(value: str) -> str:
    """Strip spaces and hyphens (people write 943 476 5919 or 943-476-5919)."""
    return _SEPARATORS.sub("", value or "")


def nhs_check_digit(first_nine: str) -> int | None:
    """The Modulus 11 check digit for nine digits, or None when no valid number can end them."""
    total = sum(int(d) * w for d, w in zip(first_nine, range(10, 1, -1), strict=True))
    check = 11 - (total % 11)
    if check == 11:
        return 0
    if check == 10:
        return None
    return check


def nhs_number_problem(value: str) -> str | None:
    """Why `value` is not a valid NHS number, or None when it is."""
    digits = normalise_nhs_number(value)
    if not digits.isdigit() or len(digits) != 10:
        return "An NHS number has exactly 10 digits."
    check = nhs_check_digit(digits[:9])
    if check is None or check != int(digits[9]):
        return "This is not a valid NHS number: its check digit does not match."
    return None


def is_valid_nhs_number(value: str) -> bool:
    return nhs_number_problem(value) is None
