"""Finnish business ID (Y-tunnus): seven digits, a hyphen and a check digit.

The check digit is computed from the seven digits with the weights
7, 9, 10, 5, 8, 4, 2; the weighted sum modulo 11 gives remainder 0 → check
digit 0, remainder 1 → no valid ID exists for these digits, otherwise the
check digit is 11 minus the remainder.
"""

from __future__ import annotations

import re

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2)
_FORMAT = re.compile(r"^(\d{7})-(\d)$")


def _check_digit(digits: str) -> int | None:
    remainder = sum(int(d) * w for d, w in zip(digits, _WEIGHTS, strict=True)) % 11
    if remainder == 0:
        return 0
    if remainder == 1:
        return None
    return 11 - remainder


def validate_business_id(value: str) -> str:
    """Return the business ID normalised as ``NNNNNNN-C``, or raise ``ValueError``.

    Surrounding whitespace is ignored, and old six-digit IDs written without the
    leading zero (``737546-2``) are padded, as the trade register does.
    """
    text = value.strip()
    if re.fullmatch(r"\d{6}-\d", text):
        text = "0" + text
    match = _FORMAT.match(text)
    if match is None:
        raise ValueError(
            f"business ID {value!r} must have the form NNNNNNN-C "
            "(seven digits, a hyphen and a check digit)"
        )
    digits, check = match.groups()
    expected = _check_digit(digits)
    if expected is None:
        raise ValueError(f"business ID {value!r} is not valid: no check digit exists for {digits}")
    if expected != int(check):
        raise ValueError(f"business ID {value!r} has a wrong check digit (expected {expected})")
    return text


def make_business_id(seven_digits: int) -> str | None:
    """The valid business ID for a seven-digit number, or None when none exists."""
    if not 0 <= seven_digits <= 9_999_999:
        raise ValueError("a business ID has seven digits")
    digits = f"{seven_digits:07d}"
    check = _check_digit(digits)
    return None if check is None else f"{digits}-{check}"
