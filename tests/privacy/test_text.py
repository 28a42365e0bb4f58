"""The text every channel hands to Rasa: read as typed plainly."""

from __future__ import annotations

import pytest

from privacy.text import plain_text


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("Ｄｏ ｙｏｕ ｓｅｌｌ ｍｙ ｄａｔａ？", "Do you sell my data?"),  # full-width
        ("𝗱𝗼 𝘆𝗼𝘂 𝘀𝗲𝗹𝗹 𝗺𝘆 𝗱𝗮𝘁𝗮", "do you sell my data"),  # "fancy text" letters
        ("who sees my ﬁle", "who sees my file"),  # a ligature
        ("do\u200byou\u200d sell\ufeff my\u200e data", "doyou sell my data"),  # invisible marks
        ("card ４１１１ １１１１", "card 4111 1111"),
    ],
)
def test_odd_unicode_is_read_as_plain_text(typed: str, read: str) -> None:
    assert plain_text(typed) == read


@pytest.mark.parametrize("typed", ["Is my data safe? 🙂", "Café crème, £5 — Zoë's order", "", "?"])
def test_ordinary_text_is_left_as_typed(typed: str) -> None:
    assert plain_text(typed) == typed
