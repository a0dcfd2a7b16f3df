"""The personal-data guard catches NHS numbers, dates of birth and phone numbers, nothing else."""

from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from comments_api.screening.personal_data import (
    PersonalDataFinding,
    find_personal_data,
    is_valid_nhs_number,
    nhs_check_digit,
)

# Example and test-patient NHS numbers published in NHS documentation and integration guides.
PUBLISHED_NHS_NUMBERS = ["943 476 5919", "900 000 0009", "401 023 2137", "944 930 5552"]


def check_digit_by_the_book(first_nine: str) -> int | None:
    """The NHS mod-11 rule, written out again here so the tests do not trust the module."""
    weighted_sum = 0
    for position, digit in enumerate(first_nine):
        weighted_sum += int(digit) * (10 - position)
    remainder = weighted_sum % 11
    check = 11 - remainder
    return {11: 0, 10: None}.get(check, check)


def valid_nhs_numbers(how_many: int, seed: int = 20240312) -> list[str]:
    """Ten-digit numbers with a correct check digit, from a fixed random stream."""
    generator = random.Random(seed)
    numbers: list[str] = []
    while len(numbers) < how_many:
        first_nine = f"{generator.randrange(10**9):09d}"
        check = check_digit_by_the_book(first_nine)
        if check is not None and len(set(first_nine)) > 1:
            numbers.append(first_nine + str(check))
    return numbers


def kinds(text: str) -> list[str]:
    """The kinds of personal data found in a text."""
    return [finding.kind for finding in find_personal_data(text)]


@pytest.mark.parametrize("number", PUBLISHED_NHS_NUMBERS)
def test_published_nhs_numbers_are_caught(number: str) -> None:
    findings = find_personal_data(f"Her NHS number is {number}, please check the record.")
    assert [(finding.kind, finding.text) for finding in findings] == [("nhs_number", number)]
    assert findings[0].reason == "looks like an NHS number"


@pytest.mark.parametrize("number", valid_nhs_numbers(25))
def test_computed_valid_nhs_numbers_are_caught_in_every_usual_layout(number: str) -> None:
    layouts = [
        number,
        f"{number[:3]} {number[3:6]} {number[6:]}",
        f"{number[:3]}-{number[3:6]}-{number[6:]}",
    ]
    for written in layouts:
        assert kinds(f"patient {written} was seen") == ["nhs_number"], written


@pytest.mark.parametrize("number", valid_nhs_numbers(25, seed=7))
def test_nhs_numbers_with_a_wrong_check_digit_are_not_caught(number: str) -> None:
    for wrong_digit in set("0123456789") - {number[-1]}:
        wrong = f"{number[:3]} {number[3:6]} {number[6:9]}{wrong_digit}"
        assert "nhs_number" not in kinds(f"reference {wrong} attached"), wrong


def test_nine_digits_that_no_check_digit_can_complete_are_never_an_nhs_number() -> None:
    assert check_digit_by_the_book("123456789") is None
    assert nhs_check_digit("123456789") is None
    for last_digit in "0123456789":
        assert not is_valid_nhs_number("123456789" + last_digit)


@given(st.from_regex(r"\A[0-9]{9}\Z"))
def test_the_module_agrees_with_the_mod_11_rule_for_any_nine_digits(first_nine: str) -> None:
    assert nhs_check_digit(first_nine) == check_digit_by_the_book(first_nine)


def test_placeholder_and_malformed_numbers_are_not_nhs_numbers() -> None:
    assert not is_valid_nhs_number("000 000 0000")
    assert not is_valid_nhs_number("943 476 591")
    assert not is_valid_nhs_number("943 476 59191")
    assert not is_valid_nhs_number("943 476 591x")
    with pytest.raises(ValueError, match="nine digits"):
        nhs_check_digit("12345")


@pytest.mark.parametrize(
    "text",
    [
        "We saw 12,500 patients in 2023 and 13,250 in 2024.",
        "The budget rose from £1,234,567 to £2,345,678.",
        "Order reference 12345678901 (eleven digits) and 9434765919123 (thirteen).",
        "Mean wait fell from 4.9434765919 hours.",
        "The paper is at https://www.bmj.com/content/9434765919 if you want it.",
        "Call NHS 111 or 999 in an emergency; our switchboard is 0300 311 2233.",
        "1 in 10,000 patients, 95% confidence interval 0.82 to 1.14, p = 0.003.",
        "Wards 943 and 476 shared 5919 bed days.",
    ],
)
def test_ordinary_numbers_are_not_flagged(text: str) -> None:
    assert find_personal_data(text) == []


@pytest.mark.parametrize(
    "text, date_text",
    [
        ("DOB 12/03/1954, lives alone", "12/03/1954"),
        ("D.O.B: 12.03.1954", "12.03.1954"),
        ("She was born on 3 March 1954 in Hull.", "3 March 1954"),
        ("born in Leeds on 3rd of March 1954", "3rd of March 1954"),
        ("date of birth: 1954-03-12", "1954-03-12"),
        ("Date of birth is March 3, 1954.", "March 3, 1954"),
        ("Mr Smith (12/03/54 DOB) was admitted", "12/03/54"),
        ("12 March 1954 is his date of birth", "12 March 1954"),
    ],
)
def test_a_full_date_next_to_a_birth_cue_is_a_date_of_birth(text: str, date_text: str) -> None:
    findings = find_personal_data(text)
    assert [(finding.kind, finding.text) for finding in findings] == [("date_of_birth", date_text)]
    assert findings[0].reason == "looks like a date of birth"


@pytest.mark.parametrize(
    "text",
    [
        "See you at the meeting on 12 March 2024.",
        "The audit ran from 01/04/2023 to 31/03/2024.",
        "Published 2024-03-12, updated 2024-06-01.",
        "I was born in 1954 and on 12 March 2024 I had my hip replaced.",
        "The idea was born at a network meeting on 12 March 2024.",
        "Her birthday was on 3 March 2024 and the ward celebrated.",
        "born on 31/02/1954, which is not a real date",
        "DOB 14 March",
    ],
)
def test_ordinary_and_incomplete_dates_are_not_flagged(text: str) -> None:
    assert "date_of_birth" not in kinds(text)


@pytest.mark.parametrize(
    "phone",
    [
        "07700 900123",
        "07700900123",
        "07700 900 123",
        "+44 7700 900123",
        "+447700900123",
        "+44 (0)7700 900123",
        "020 7946 0000",
        "(020) 7946 0000",
        "0113 496 0000",
        "(0161) 496 0000",
        "01632 960123",
        "+44 113 496 0000",
    ],
)
def test_uk_mobile_and_landline_numbers_are_caught(phone: str) -> None:
    findings = find_personal_data(f"You can reach her daughter on {phone} after six.")
    assert [(finding.kind, finding.text) for finding in findings] == [("phone_number", phone)]
    assert findings[0].reason == "looks like a UK phone number"


def test_findings_give_positions_that_point_at_the_detail_in_text_order() -> None:
    text = "DOB 12/03/1954, NHS number 943 476 5919, mobile 07700 900123."
    findings = find_personal_data(text)
    assert [finding.kind for finding in findings] == ["date_of_birth", "nhs_number", "phone_number"]
    for finding in findings:
        assert isinstance(finding, PersonalDataFinding)
        assert text[finding.start : finding.end] == finding.text


def test_a_comment_without_personal_details_has_no_findings() -> None:
    text = (
        "We ran three PDSA cycles on discharge letters between 4 March and 12 April 2024; "
        "the median time fell from 26 to 9 hours across 1,240 discharges."
    )
    assert find_personal_data(text) == []
