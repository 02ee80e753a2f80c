"""UK-specific checks and formats used wherever people's details are entered or imported."""

from __future__ import annotations

import datetime as dt
import re

from linkworker.errors import UserError


class InvalidValue(UserError, ValueError):
    """A value that cannot be accepted; the message says why and what would be right."""


# --- NHS number -----------------------------------------------------------------------------

_NHS_WEIGHTS = (10, 9, 8, 7, 6, 5, 4, 3, 2)


def tidy_text(value: str) -> str | None:
    """Trimmed text, no-break spaces as plain ones, empty as None: a name pasted from a web page
    or typed with Option+Space must be the same name typed plainly (duplicates, search, and an
    export imported back), whether it came from a screen or a spreadsheet."""
    return value.replace("\xa0", " ").strip() or None


def nhs_check_digit(first_nine: str) -> int | None:
    """The modulus-11 check digit, or None where the nine digits can never be valid (10)."""
    total = sum(int(d) * w for d, w in zip(first_nine, _NHS_WEIGHTS, strict=True))
    check = 11 - total % 11
    if check == 11:
        return 0
    return None if check == 10 else check


def nhs_digits(value: str) -> str:
    """An NHS number as typed, without its spaces and dashes ("943 476-5919" -> "9434765919");
    not checked. The one clean-up every reader of a typed or imported NHS number uses."""
    return re.sub(r"[\s\-]", "", value)


def normalise_nhs_number(value: str | None) -> str | None:
    """Ten digits with spaces and dashes removed, check digit verified; None if blank."""
    if value is None:
        return None
    digits = nhs_digits(str(value))
    if digits.endswith(".0"):  # spreadsheets turn 9434765919 into 9434765919.0
        digits = digits[:-2]
    if not digits:
        return None
    if not re.fullmatch(r"[0-9]{10}", digits):  # not \d: that also takes Arabic-Indic digits
        raise InvalidValue(f"NHS number {value!r} must be 10 digits.")
    if nhs_check_digit(digits[:9]) != int(digits[9]):
        raise InvalidValue(f"NHS number {value!r} fails the check digit: please check it.")
    return digits


def is_valid_nhs_number(value: str | None) -> bool:
    try:
        return normalise_nhs_number(value) is not None
    except InvalidValue:
        return False


def format_nhs_number(digits: str | None) -> str:
    return f"{digits[:3]} {digits[3:6]} {digits[6:]}" if digits else ""


# --- postcodes ------------------------------------------------------------------------------

# The one postcode pattern: search, log scrubbing and checking all build on these two parts.
OUTWARD_CODE = r"[A-Z]{1,2}[0-9][A-Z0-9]?"  # "NE1", "SW1A"
INWARD_CODE = r"[0-9][A-Z]{2}"  # "4ST"
_POSTCODE = re.compile(rf"^({OUTWARD_CODE})({INWARD_CODE})$")


def normalise_postcode(value: str | None) -> str | None:
    """Upper case with one space before the inward code ("ne1 4st" -> "NE1 4ST")."""
    if value is None:
        return None
    compact = re.sub(r"\s+", "", str(value)).upper()
    if not compact:
        return None
    match = _POSTCODE.match(compact)
    if not match:
        raise InvalidValue(f"{value!r} is not a UK postcode (for example NE1 4ST).")
    return f"{match.group(1)} {match.group(2)}"


def postcode_district(postcode: str | None) -> str | None:
    """The outward code ("NE1 4ST" -> "NE1"), used for contract areas."""
    normal = normalise_postcode(postcode)
    return normal.split(" ")[0] if normal else None


# --- dates ----------------------------------------------------------------------------------

_EXCEL_EPOCH = dt.date(1899, 12, 30)
_UK_FORMATS = ("%d/%m/%Y", "%d/%m/%y", "%d-%m-%Y", "%d.%m.%Y", "%d %b %Y", "%d %B %Y", "%d-%b-%Y")


def parse_date(value: object, *, allow_serial: bool = True) -> dt.date | None:
    """A date from what people type or spreadsheets hold: dd/mm/yyyy, ISO, or an Excel serial.

    Ambiguous US order (mm/dd/yyyy) is never guessed: 03/04/2026 is 3 April 2026.
    """
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if not allow_serial:
            raise InvalidValue(f"{value!r} is a number, not a date.")
        return _from_serial(float(value))
    text = str(value).strip()
    if not text:
        return None
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}([T ].*)?", text):
        try:
            return dt.date.fromisoformat(text[:10])
        except ValueError:
            raise InvalidValue(f"{text!r} is not a real date.") from None
    for fmt in _UK_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    if allow_serial and re.fullmatch(r"\d{4,6}(\.\d+)?", text):
        return _from_serial(float(text))
    raise InvalidValue(f"{text!r} is not a date: use dd/mm/yyyy, for example 03/04/2026.")


def _from_serial(serial: float) -> dt.date:
    if not 1 <= serial < 2958466:
        raise InvalidValue(f"{serial!r} is outside the range of spreadsheet dates.")
    return _EXCEL_EPOCH + dt.timedelta(days=int(serial))


def format_date(value: dt.date | None) -> str:
    """dd/mm/yyyy for the screen; empty for no date. (Not ``strftime``: every call of it
    imports ``time`` again, through PySide6's import hook in the app: a list's repaint
    formats a date per row.)"""
    return f"{value.day:02d}/{value.month:02d}/{value.year}" if value else ""


def age_on(date_of_birth: dt.date | None, on: dt.date) -> int | None:
    if date_of_birth is None:
        return None
    years = on.year - date_of_birth.year
    if (on.month, on.day) < (date_of_birth.month, date_of_birth.day):
        years -= 1
    return years


def check_birth_date(born: dt.date, today: dt.date) -> dt.date:
    """A date of birth the service could have: not in the future, not over 120. One rule for the
    profile, referrals and imports, so a record that imports also saves."""
    if born > today:
        raise InvalidValue(f"The date of birth {format_date(born)} is in the future.")
    if (age_on(born, today) or 0) > 120:
        raise InvalidValue(f"The date of birth {format_date(born)} makes them over 120.")
    return born


_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def check_email(text: str) -> str:
    """The address if it looks like one (something@somewhere.tld); deliverability is not ours."""
    if not _EMAIL.match(text):
        raise InvalidValue(f"{text!r} is not an email address (for example name@example.org).")
    return text


def format_money(amount: float, currency: str = "GBP") -> str:
    symbol = {"GBP": "£", "EUR": "€", "USD": "$"}.get(currency, currency + " ")
    sign = "-" if amount < 0 else ""
    return f"{sign}{symbol}{abs(amount):,.2f}"


def labelled(label: str, message: str) -> str:
    """``message`` about the field ``label`` as "Label: message", unless it already starts
    with the field's name ("NHS number: NHS number '123' must be 10 digits" said it twice)."""
    if message.casefold().startswith(label.casefold()):
        return message
    return f"{label}: {message}"
