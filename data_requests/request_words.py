"""The words and phrases that name a data request: the request guard's one word list.

The intent classifier (DIET) moves a few messages between intents with every retraining,
and some that name no request at all ("What's your VAT number?", "Can I trade in my old
DSLR?") come out as a request intent and open the request form. A message that asks for
data or emails to be changed, removed, stopped or copied says so in words: a verb (delete,
update, unsubscribe, export...), a state (wrong, out of date), a complaint (spam) or the
thing wanted (a copy). The guard in
the Rasa pipeline (``rasa_server/request_guard.py``) lets a request intent stand only
when :func:`names_a_request` finds one of them.

The list is deliberately about *doing* something, not about topics: "newsletter",
"emails", "marketing", "account" or "address" alone do not name a request ("what
newsletters do you send?" is a policy question). A request worded without any of these
words loses little: it goes to the policy answer, which quotes the clause on correcting,
deleting or opting out and offers the request as a button (``kinds.offered_after``).

Every training example of the request intents (``data/nlu/requests.yml``) must name a
request by this list; ``tests/data_requests/test_request_words.py`` checks each one, so a
change here can never silently drop one. Plain Python, no Rasa: both interpreters and
the tests import it.
"""

from __future__ import annotations

import re

from data_requests.kinds import BY_INTENT, BY_NAME

# The intents the guard checks: exactly the ones that open the request form.
REQUEST_INTENTS = frozenset(BY_INTENT)
# Where a demoted message goes when no other intent is ranked: the policy answer.
POLICY_INTENT = "ask_policy"
# The one request the policy sends elsewhere than Jessops customer service: Jessops
# Photo's marketing emails are stopped "from the Jessops Photo website", run by CEWE
# (clauses choice-opt-out-2 and jessops-photo-1, after which no request is offered). An
# opt-out that names it gets that answer instead of a request customer service cannot act on.
_OPT_OUT = BY_NAME["marketing_opt_out"].intent
_JESSOPS_PHOTO = re.compile(
    r"\bjessops\s*photo\b|\bcewe\b|\bprints?\s+(?:site|website)\b", re.IGNORECASE
)

# Up to this many words may stand between the two halves of a phrase ("take my old
# email off", "opt me out", "new mobile number").
_GAP = r"(?:[\w'-]+\s+){0,3}"

# Each pattern is matched, case-insensitively, against the message with typographic
# apostrophes straightened. Word boundaries keep "exchange" from naming a change.
REQUEST_WORDS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (why, re.compile(pattern, re.IGNORECASE))
    for why, pattern in (
        # --- removing data or the account (request_deletion) ---
        ("delete, deleted, deletion", r"\bdelet\w*"),
        ("remove, removed, removal", r"\bremov\w*"),
        ("erase, erased, erasure", r"\beras\w*"),
        ("wipe my data", r"\bwip(?:e|ed|es|ing)\b"),
        ("purge my data", r"\bpurg\w*"),
        ("destroy my records", r"\bdestroy\w*"),
        ("forget me, the right to be forgotten", r"\bforg(?:et|otten)\b"),
        ("get rid of my information", r"\bget\s+rid\s+of\b"),
        # --- closing or pausing the account (request_deletion, request_deactivation) ---
        ("close my account, closure", r"\bclos(?:e|ed|es|ing|ure)\b"),
        ("cancel my account or subscription", r"\bcancel\w*"),
        ("deactivate, deactivation", r"\bde-?activat\w*"),
        ("disable my account or login", r"\bdisabl\w*"),
        ("suspend, suspension", r"\bsuspen(?:d|ded|ding|sion)\b"),
        ("freeze my account", r"\bfr(?:eez|oz)\w*"),
        ("pause my account", r"\bpaus\w*"),
        ("lock my account", r"\block(?:ed)?\b"),
        ("put my account on hold", r"\bon\s+hold\b"),
        ("make my account inactive", r"\binactive\b"),
        ("switch off or turn off my account", rf"\b(?:switch|turn)\w*\s+{_GAP}off\b"),
        # --- correcting details (request_correction) ---
        ("correct, correction", r"\bcorrect\w*"),
        ("update, out of date", r"\bupdat\w*"),
        ("change, changed (not 'exchange')", r"\bchang(?:e|ed|es|ing)\b"),
        ("amend, amendment", r"\bamend\w*"),
        ("fix my details", r"\bfix\w*"),
        ("edit, modify my details", r"\b(?:edit|modif(?:y|ied))\w*"),
        ("swap or replace a detail", r"\b(?:swap|replac)\w*"),
        ("my name is wrong, incorrect", r"\b(?:wrong|incorrect)\w*"),
        ("a mistake, a typo, misspelt", r"\b(?:mistake\w*|typo\w*|misspel\w*)"),
        ("out of date, outdated", r"\bout\s*(?:of\s+|-)?dated?\b"),
        ("I've moved house", r"\bmov(?:ed|ing)\b"),
        (
            "a new address, email, phone number... (the customer's detail has changed)",
            rf"\bnew\s+{_GAP}(?:address|e-?mail|phone|number|mobile|landline|name|surname|"
            r"postcode|details?)\b",
        ),
        # --- a copy of the customer's data (request_access) ---
        ("a copy of my data", r"\bcop(?:y|ies)\b"),
        ("subject access request, SAR, DSAR", r"\bsubject\s+access\b|\bD?SAR\b"),
        ("download or export my data", r"\b(?:download|export)\w*"),
        ("I want it, I want to see it all", r"\bi\s+want\s+(?:it|them|to\s+see)\b"),
        (
            "send me everything you hold",
            rf"\bsend\s+me\s+{_GAP}(?:everything|data|information|info|details)\b",
        ),
        # --- a callback when no person can chat (request_callback) ---
        (
            "call me back, a callback, ring or phone me, a phone call",
            r"\bcall\s*-?\s*backs?\b|\b(?:call|ring|phone)\s+me\b|\b(?:give\s+me\s+a|phone)\s+call\b",
        ),
        # --- stopping marketing email (request_unsubscribe) ---
        ("stop sending, make it stop", r"\bstop\w*"),
        ("unsubscribe, unsub", r"\bunsub\w*"),
        ("opt out, opt me out, opt-out", rf"\bopt(?:ed|ing)?[\s-]+{_GAP}out\b"),
        ("take me off your list", rf"\btake\s+{_GAP}off\b"),
        ("off your mailing list", rf"\boff\s+(?:your|the)\s+{_GAP}list\b"),
        ("no more emails", r"\bno\s+more\b"),
        ("I don't want your newsletter any more", r"\b(?:don'?t|do\s+not|no\s+longer)\s+want\b"),
        ("unwanted mail: spam, junk", r"\b(?:spam|junk)\b"),
    )
)


# Words in quotation marks are cited, not asked for: "I got a 'site temporarily suspended
# for maintenance' email, what was that?" asks about an email, not to suspend anything.
# A quote opens and closes outside a word, so "I've" and "customers' data" open none.
_QUOTED = re.compile(r'"[^"]*"|\u201c[^\u201d]*\u201d|(?<!\w)\'[^\']+\'(?!\w)')


def normalise(text: str) -> str:
    """The text as the patterns expect it: typographic apostrophes straightened."""
    return text.replace("\u2019", "'").replace("\u2018", "'")


def names_a_request(text: str) -> bool:
    """Whether ``text`` asks, in words, for data or emails to be changed, removed, stopped
    or copied."""
    plain = _QUOTED.sub(" ", normalise(text))
    return any(pattern.search(plain) for _, pattern in REQUEST_WORDS)


def made_elsewhere(intent: str | None, text: str) -> bool:
    """Whether the policy sends this request elsewhere than Jessops customer service: an
    opt-out from Jessops Photo's emails."""
    return intent == _OPT_OUT and bool(_JESSOPS_PHOTO.search(normalise(text)))
