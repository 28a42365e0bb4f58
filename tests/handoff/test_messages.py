import pytest

from handoff.messages import escape_mrkdwn, from_customer, is_end, unescape_mrkdwn


@pytest.mark.parametrize("text", ["done", "Done.", " DONE! ", "/end_handoff"])
def test_staff_end_the_chat_with_done_or_the_button(text: str) -> None:
    assert is_end(text)


@pytest.mark.parametrize("text", ["I'm done checking, your order is on its way", "not done"])
def test_done_in_a_sentence_ends_nothing(text: str) -> None:
    assert not is_end(text)


def test_what_the_customer_types_goes_as_typed_but_for_card_numbers() -> None:
    typed = "I'm jo@example.com, 07911 123456, card 4111-1111-1111-1111"
    assert from_customer(typed) == (
        "Customer: I'm jo@example.com, 07911 123456, card ****-****-****-1111"
    )


def test_a_staff_reply_reads_as_typed() -> None:
    typed = "Prices < £5 & > £1"
    assert unescape_mrkdwn(escape_mrkdwn(typed)) == typed
