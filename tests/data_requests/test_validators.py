"""Form validation: what customers type is normalised, or refused with a reason."""

from __future__ import annotations

import pytest

from data_requests.validators import (
    SKIPPED,
    Checked,
    card_numbers_in,
    check_detail,
    check_email,
    check_name,
    check_phone,
    check_postcode,
    clean,
    given,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("jane.doe@example.com", "jane.doe@example.com"),
        ("Jane.Doe@EXAMPLE.co.uk", "Jane.Doe@example.co.uk"),
        ("my email is a.b@example.com", "a.b@example.com"),
        ("  <x@example.org>  ", "x@example.org"),
    ],
)
def test_good_emails_are_normalised(raw: str, expected: str) -> None:
    assert check_email(raw).value == expected


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "jane",
        "jane@",
        "@example.com",
        "jane@example",
        "ja ne@example.com",
        "jane@example.com\r\nBcc: victim@example.org",
        "jane@example.com\nSubject: hi",
        "jane@exa\u202emple.com",
        "a" * 300 + "@example.com",
    ],
)
def test_bad_emails_are_refused_with_a_reason(raw: str) -> None:
    result = check_email(raw)
    assert result.value is None and result.problem and "valid email" in result.problem


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("020 7946 0958", "020 7946 0958"),
        ("02079460958", "020 7946 0958"),
        ("+44 20 7946 0958", "020 7946 0958"),
        ("0044 20 7946 0958", "020 7946 0958"),
        ("(020) 7946-0958", "020 7946 0958"),
        ("07911 123456", "07911 123456"),
        ("+447911123456", "07911 123456"),
        ("0845 458 7005", "0845 458 7005"),
        ("skip", SKIPPED),
        ("No", SKIPPED),
    ],
)
def test_uk_phone_numbers_in_common_formats(raw: str, expected: str) -> None:
    assert check_phone(raw).value == expected


@pytest.mark.parametrize("raw", ["12345", "phone", "0207 946", "+44 1234", "079111234567"])
def test_bad_phone_numbers_are_refused(raw: str) -> None:
    result = check_phone(raw)
    assert result.value is None and "phone number" in result.problem


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("SW1A 1AA", "SW1A 1AA"),
        ("sw1a1aa", "SW1A 1AA"),
        ("postcode is le1 6sd", "LE1 6SD"),
        ("M1 1AE", "M1 1AE"),
        ("B33 8TH", "B33 8TH"),
        ("CR2 6XH", "CR2 6XH"),
        ("DN55 1PT", "DN55 1PT"),
        ("none", SKIPPED),
    ],
)
def test_uk_postcodes(raw: str, expected: str) -> None:
    assert check_postcode(raw).value == expected


@pytest.mark.parametrize("raw", ["ABC", "12345", "SW1A", "1AA SW1", "Q1 1AA X" * 40])
def test_bad_postcodes_are_refused(raw: str) -> None:
    assert "postcode" in check_postcode(raw).problem


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Jane Doe", "Jane Doe"),
        ("my name is Seán O'Brien", "Seán O'Brien"),
        ("it's  Anne-Marie   Smith-Jones", "Anne-Marie Smith-Jones"),
        ("李小龍", "李小龍"),
        ("Siân O'Neill-Brown", "Siân O'Neill-Brown"),
        ("José Ángel", "José Ángel"),
        ("Jose\u0301 A\u0301ngel", "José Ángel"),  # accents typed as combining marks
        ("Zoë D’Souza", "Zoë D’Souza"),
        ("Dr. Aisha Khan", "Dr. Aisha Khan"),
        ("J. R. Hartley", "J. R. Hartley"),
        ("Gerard 't Hooft", "Gerard 't Hooft"),
        ("नरेन्द्र मोदी", "नरेन्द्र मोदी"),
        ("Ольга Петрова", "Ольга Петрова"),
    ],
)
def test_names(raw: str, expected: str) -> None:
    assert check_name(raw) == Checked(expected)


@pytest.mark.parametrize("raw", ["", "   ", "jane@example.com", "12345678", "x" * 101])
def test_bad_names_are_refused(raw: str) -> None:
    assert check_name(raw).problem


NOT_A_NAME = (
    "That doesn't look like a name: a name has only letters, spaces, hyphens and apostrophes."
)


@pytest.mark.parametrize(
    "raw",
    [
        "<script>alert(3)</script>",
        "<b>Jane</b>",
        "&lt;b&gt;Jane",
        "＜script＞",  # full-width brackets are brackets after NFKC
        "{{7*7}}",
        "${jndi:ldap://example.com/a}",
        "Robert'); DROP TABLE customers;--",
        "https://example.com/jane",
        "Jane Doe 2",
        "007",
        "Jane_Doe",
        "Jane / John",
        "what is this for?",
        "'--",
        "-Jane",
    ],
)
def test_markup_and_other_things_that_are_not_names_are_refused_with_a_reason(
    raw: str,
) -> None:
    assert check_name(raw) == Checked(problem=NOT_A_NAME)


def test_an_email_or_a_refusal_is_not_a_name() -> None:
    assert "email address" in check_name("it's jane@example.com").problem
    for raw in ("skip", "none", "n/a", "rather not"):
        assert "need your name" in check_name(raw).problem


def test_a_10000_character_field_is_refused_not_stored() -> None:
    for check in (check_name, check_email, check_phone, check_postcode, check_detail):
        result = check("a" * 10_000)
        assert result.value is None and result.problem


def test_card_numbers_are_refused_everywhere() -> None:
    card = "4111 1111 1111 1111"
    assert card_numbers_in(f"my card is {card} thanks") == [card]
    assert card_numbers_in("4111-1111-1111-1111") and card_numbers_in("4111111111111111")
    assert not card_numbers_in("4111 1111 1111 1112")  # fails the Luhn check
    assert not card_numbers_in("020 7946 0958")
    for check in (check_name, check_detail, check_phone):
        assert "card" in check(card).problem


@pytest.mark.parametrize(
    ("check", "raw"),
    [
        (check_name, "my name is Seán O'Brien"),
        (check_email, "my email is Jane.Doe@EXAMPLE.co.uk"),
        (check_phone, "+44 20 7946 0958"),
        (check_phone, "skip"),
        (check_postcode, "postcode is le1 6sd"),
        (check_postcode, "none"),
        (check_detail, "  12 High   Street "),
    ],
)
def test_a_value_a_check_gave_passes_it_again_unchanged(check: object, raw: str) -> None:
    """Rasa checks the details a form already holds again when the form restarts."""
    first = check(raw)
    assert first.ok and check(first.value) == first


def test_given_is_none_for_a_skipped_detail() -> None:
    assert given(SKIPPED) is None and given(None) is None
    assert given("020 7946 0958") == "020 7946 0958"


def test_clean_removes_control_and_invisible_characters() -> None:
    assert clean("a\x00b\u200bc\u202e d\r\n e") == "abc d e"
