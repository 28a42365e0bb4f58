"""Questions about the request itself, asked while the customer gives its details.

"why do you need my phone?" or "what happens next?" halfway through a request is not a
question about the privacy policy: searched there, it was told the policy doesn't cover
it, or got the help reply. While a request is open these get a short answer about the
request (what each detail is for, what happens once it is sent), then the form asks
its question again. Plain Python, no Rasa: the action and the tests import it.
"""

from __future__ import annotations

import re

WHY_DETAILS = "utter_request_why_details"
WHAT_NEXT = "utter_request_what_next"

_DETAIL = (
    r"(?:details?|info\w*|name|e-?mail|phone|number|mobile|postcode|address|data|this|that|it)"
)
_QUESTIONS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (response, re.compile(pattern, re.IGNORECASE))
    for response, pattern in (
        # "why do you need my phone?", "why are you asking for my postcode",
        # "what do you want my email for", "is the phone number necessary?"
        (WHY_DETAILS, r"\bwhy\b.*\b(?:need|want|ask|asking|require|requires|have to)\b"),
        (WHY_DETAILS, rf"\bwhat\b.*\b(?:need|want|use)\b.*\b{_DETAIL}\b.*\bfor\b"),
        (
            WHY_DETAILS,
            rf"\b(?:is|are)\b.*\b{_DETAIL}\b.*\b(?:necessary|needed|required|compulsory|mandatory)\b",
        ),
        # "what happens next?", "what will you do with my request", "how long will it take"
        (WHAT_NEXT, r"\bwhat\s+happens\s+(?:next|now|then|after\w*)\b"),
        (WHAT_NEXT, r"\bwhat\b.*\b(?:will|do)\s+you\s+do\s+with\b"),
        (WHAT_NEXT, r"\bhow\s+long\s+(?:will|does|do)\b"),
        (WHAT_NEXT, r"\bwhen\s+will\s+(?:i|they|you|it)\b"),
    )
)


def about_the_request(text: str) -> str | None:
    """The response that answers ``text`` as a question about the open request, if it is one."""
    return next((response for response, pattern in _QUESTIONS if pattern.search(text)), None)
