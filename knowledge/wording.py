"""Say a question in the policy's own words before it is searched.

The policy (2012) says "information" and "personally identifiable information" where
customers say "data" (or "info", too short for the speller to touch). Both the dense
model and BM25 read "what do you do with my data" as far from every clause and close to
the silent topics, which speak of data retention, data protection officers and data
breaches, so the most common questions of all were told the policy does not cover them
("is my data safe", "who can see my data"). The clause aliases are said the same way
(``knowledge/enrichment.py``), so both sides of the search speak one vocabulary. Terms
of data-protection law that the policy never uses ("data protection officer", "data
breach") are kept as typed: they are what makes a question about them a silent one, and
the silent topics keep their words.
"""

from __future__ import annotations

import re

_CUSTOMER_WORDS = re.compile(
    r"\binfo\b|\bdata\b(?!\s+(?:protection|controllers?|processors?|breach(?:es)?|portability|"
    r"retention|subjects?|centres?|centers?|officers?|rights?|act)\b)",
    re.IGNORECASE,
)


def in_policy_words(question: str) -> str:
    """``question`` with customers' "data" and "info" said as the policy says it,
    "information"."""
    return _CUSTOMER_WORDS.sub("information", question)
