"""Spot likely patient-identifying details in a comment before it is published.

The guard looks for three things a health-care community must not publish by accident:
an NHS number (10 digits that pass the mod-11 check digit), a full date of birth (a full
date next to words such as "born", "DOB" or "date of birth"; ordinary dates are left alone)
and a UK phone number (mobile or 01/02 landline). It only reports what it finds; the caller
decides to hold the comment and the widget warns the writer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

__all__ = [
    "PersonalDataFinding",
    "PersonalDataKind",
    "find_personal_data",
    "is_valid_nhs_number",
    "nhs_check_digit",
]

PersonalDataKind = Literal["nhs_number", "date_of_birth", "phone_number"]

REASONS: dict[PersonalDataKind, str] = {
    "nhs_number": "looks like an NHS number",
    "date_of_birth": "looks like a date of birth",
    "phone_number": "looks like a UK phone number",
}


@dataclass(frozen=True)
class PersonalDataFinding:
    """One likely identifying detail: what it is, why, and where it sits in the text."""

    kind: PersonalDataKind
    reason: str
    start: int
    end: int
    text: str


NHS_WEIGHTS = (10, 9, 8, 7, 6, 5, 4, 3, 2)


def nhs_check_digit(first_nine_digits: str) -> int | None:
    """The mod-11 check digit for nine digits, or None when no valid number can end them."""
    if len(first_nine_digits) != 9 or not first_nine_digits.isdigit():
        raise ValueError("an NHS number check digit needs exactly nine digits")
    total = sum(
        int(digit) * weight for digit, weight in zip(first_nine_digits, NHS_WEIGHTS, strict=True)
    )
    check = 11 - total % 11
    if check == 11:
        return 0
    if check == 10:
        return None
    return check


def is_valid_nhs_number(candidate: str) -> bool:
    """True when the candidate (spaces and hyphens allowed) is ten digits with a valid check."""
    digits = re.sub(r"[\s-]", "", candidate)
    if len(digits) != 10 or not digits.isdigit():
        return False
    if len(set(digits)) == 1:  # 000 000 0000 passes the arithmetic but is a placeholder
        return False
    return nhs_check_digit(digits[:9]) == int(digits[9])


URL_PATTERN = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)

# Ten digits as 3-3-4 with one consistent separator (space or hyphen) or none at all, and not
# part of a longer number, a decimal or a thousands-separated figure.
NHS_NUMBER_PATTERN = re.compile(
    r"(?<![\d.,£$€#+-])(?:\d{3}(?P<sep>[ -]?)\d{3}(?P=sep)\d{4})(?![\d]|[.,]\d)"
)

PHONE_PREFIX = r"(?:\+44\s?(?:\(0\)\s?)?|\(?0)"
PHONE_PATTERN = re.compile(
    r"(?<![\d+\w])"
    + PHONE_PREFIX
    + r"(?:"
    + r"7\d{3}\)?[\s-]?\d{3}[\s-]?\d{3}"  # mobile: 07xxx xxx xxx / 07xxx xxxxxx
    + r"|2\d\)?[\s-]?\d{4}[\s-]?\d{4}"  # 02x xxxx xxxx
    + r"|1\d{2}\)?[\s-]?\d{3}[\s-]?\d{4}"  # 01xx xxx xxxx
    + r"|1\d{3}\)?[\s-]?\d{3}[\s-]?\d{3}"  # 01xxx xxx xxx
    + r"|1\d{3}\)?[\s-]?\d{5,6}"  # 01xxx xxxxx(x)
    + r")(?![\d])"
)

MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
MONTH_NAME = r"(?P<month_name>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
ORDINAL_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?"

FULL_DATE_PATTERNS = [
    # 12/03/1954, 12-03-54, 12.03.1954 (UK order: day first)
    re.compile(
        r"(?<![\d/.-])(?P<day>\d{1,2})([/.-])(?P<month>\d{1,2})\2(?P<year>\d{4}|\d{2})(?![\d/])"
    ),
    # 1954-03-12
    re.compile(r"(?<![\d/.-])(?P<year>\d{4})-(?P<month>\d{1,2})-(?P<day>\d{1,2})(?![\d-])"),
    # 3 March 1954, 3rd of March 1954
    re.compile(ORDINAL_DAY + r"\s+(?:of\s+)?" + MONTH_NAME + r",?\s+(?P<year>\d{4})\b", re.I),
    # March 3, 1954 / March 3rd 1954
    re.compile(MONTH_NAME + r"\s+" + ORDINAL_DAY + r",?\s+(?P<year>\d{4})\b", re.I),
]

BIRTH_CUE = r"\b(?:born|d\.?o\.?b\b\.?|date\s+of\s+birth|birth\s*date)"
# The cue must lead into the date within three plain words: "DOB 12/03/1954", "born in Leeds
# on 3 March 1954", "date of birth is 1954-03-12". A digit or a full stop in between ("born in
# 1954 and on 12 March 2024 ...") breaks the link. "Birthday" is no cue: a birthday with a
# year is usually a celebration, not a birth.
CUE_BEFORE_DATE = re.compile(BIRTH_CUE + r"[\s:=,()\-]*(?:[a-z]+[\s,]+){0,3}$", re.I)
CUE_AFTER_DATE = re.compile(
    r"^\s*[(\[,-]?\s*(?:(?:is|was)\s+(?:my|his|her|their|the)\s+)?"
    r"(?:d\.?o\.?b\b|date\s+of\s+birth|birth\s*date)",
    re.I,
)


def find_personal_data(text: str) -> list[PersonalDataFinding]:
    """Every likely NHS number, date of birth and UK phone number in the text, in text order."""
    url_spans = [match.span() for match in URL_PATTERN.finditer(text)]
    findings = [
        *find_nhs_numbers(text),
        *find_dates_of_birth(text),
        *find_phone_numbers(text),
    ]
    kept: list[PersonalDataFinding] = []
    for finding in sorted(findings, key=lambda found: (found.start, -found.end)):
        if any(start <= finding.start < end for start, end in url_spans):
            continue
        if any(finding.start < other.end and other.start < finding.end for other in kept):
            continue
        kept.append(finding)
    return kept


def find_nhs_numbers(text: str) -> list[PersonalDataFinding]:
    """Ten-digit numbers whose check digit is right."""
    return [
        finding("nhs_number", match)
        for match in NHS_NUMBER_PATTERN.finditer(text)
        if is_valid_nhs_number(match.group())
    ]


def find_phone_numbers(text: str) -> list[PersonalDataFinding]:
    """UK mobile numbers and 01/02 landlines, written nationally or with +44."""
    return [finding("phone_number", match) for match in PHONE_PATTERN.finditer(text)]


def find_dates_of_birth(text: str) -> list[PersonalDataFinding]:
    """Full, real calendar dates that sit right next to a birth cue."""
    found: list[PersonalDataFinding] = []
    for pattern in FULL_DATE_PATTERNS:
        for match in pattern.finditer(text):
            if not is_real_date(match):
                continue
            before = text[max(0, match.start() - 40) : match.start()]
            after = text[match.end() : match.end() + 40]
            if CUE_BEFORE_DATE.search(before) or CUE_AFTER_DATE.search(after):
                found.append(finding("date_of_birth", match))
    return found


def is_real_date(match: re.Match[str]) -> bool:
    """True when the day, month and year of a date match make a plausible birth date."""
    groups = match.groupdict()
    month_name = groups.get("month_name")
    month = MONTHS[month_name.lower()] if month_name else int(groups["month"])
    day = int(groups["day"])
    year_text = groups["year"]
    year = int(year_text)
    if len(year_text) == 4 and not 1880 <= year <= 2100:
        return False
    days_in_month = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
    return 1 <= month <= 12 and 1 <= day <= days_in_month[month - 1]


def finding(kind: PersonalDataKind, match: re.Match[str]) -> PersonalDataFinding:
    """A finding for a regular-expression match."""
    return PersonalDataFinding(kind, REASONS[kind], match.start(), match.end(), match.group())
