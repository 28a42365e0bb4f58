"""privacy.redaction: card numbers found and masked, personal values masked, JSON walked."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from privacy.redaction import card_numbers_in, mask_card, mask_cards, mask_values, redact

VISA = "4111 1111 1111 1111"


def test_card_number_keeps_only_its_last_four_digits() -> None:
    assert mask_card(VISA) == "**** **** **** 1111"
    assert mask_card("4111-1111-1111-1111") == "****-****-****-1111"
    assert mask_cards(f"my card is {VISA}, call 020 7946 0958") == (
        "my card is **** **** **** 1111, call 020 7946 0958"
    )


def test_digits_that_fail_the_luhn_check_are_left_alone() -> None:
    assert mask_cards("order 4111 1111 1111 1112") == "order 4111 1111 1111 1112"


def test_personal_values_are_masked_case_insensitively_longest_first() -> None:
    text = "Name: Jane Doe, email jane.doe@example.com; JANE DOE again"
    masked = mask_values(text, ["Jane Doe", "jane.doe@example.com", "Jane"])
    assert "Jane" not in masked and "JANE" not in masked and "example" not in masked
    assert masked.startswith("Name: J*** D**, email")


def test_redact_walks_every_string_of_an_event() -> None:
    event = {
        "event": "user",
        "text": f"card {VISA}",
        "parse_data": {"text": f"card {VISA}", "entities": [{"value": "Jane Doe"}]},
        "timestamp": 1.5,
    }
    redacted = redact(event, ["Jane Doe"])
    assert "4111 1111 1111 1111" not in str(redacted) and "Jane Doe" not in str(redacted)
    assert redacted["parse_data"]["text"] == "card **** **** **** 1111"
    assert redacted["timestamp"] == 1.5


@given(st.text(max_size=300))
def test_masked_text_never_holds_a_card_number(text: str) -> None:
    assert card_numbers_in(mask_cards(text)) == []
    assert mask_cards(mask_cards(text)) == mask_cards(text)
