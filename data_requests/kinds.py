"""The kinds of data request the assistant takes, and what each one needs.

The policy (Correcting/Updating/Deleting/Deactivating Personal Information, and the
opt-out clauses) tells customers to contact cs@jessops.com for these; the assistant
collects the same details customer service would ask for, and no more.
"""

from __future__ import annotations

from dataclasses import dataclass

CONTACT_SLOTS = ("full_name", "email")
IDENTIFYING_SLOTS = ("phone", "postcode")  # optional: help find the account
CORRECTION_SLOTS = ("correction_field", "correction_current", "correction_new")
FORM_SLOTS = CONTACT_SLOTS + IDENTIFYING_SLOTS + CORRECTION_SLOTS
# What the customer said about themselves; "correction_field" only names a detail.
PERSONAL_SLOTS = tuple(slot for slot in FORM_SLOTS if slot != "correction_field")
REQUEST_SLOT = "request_type"  # the kind of request under way; None once stored or cancelled

SLOT_LABELS = {
    "full_name": "Name",
    "email": "Email",
    "phone": "Phone",
    "postcode": "Postcode",
    "correction_field": "Detail to correct",
    "correction_current": "Currently",
    "correction_new": "Should be",
}


@dataclass(frozen=True)
class RequestKind:
    """One kind of request: its name in the outbox, its wording, the slots it needs.

    ``label`` is worded for the customer ("delete your personal data"), ``third_person``
    for customer service, who read about the customer ("delete their personal data").
    ``offered_after`` lists the policy clauses after whose quote the assistant offers to
    take this request, with ``button`` as the offer's wording. ``needs_code``: customer
    service acts only once the customer proves the address is theirs
    (``data_requests.verification``); stopping marketing mail harms no one, so an
    opt-out is passed on unverified, as opt-outs are in practice. ``intro`` is the
    response that says what the form will ask.
    """

    name: str
    intent: str
    label: str
    third_person: str
    button: str
    slots: tuple[str, ...]
    offered_after: tuple[str, ...]
    needs_code: bool = True
    intro: str = "utter_request_intro"  # the response that opens its form


_CHANGING_DATA = "correcting-updating-deleting-deactivating-personal-information-1"
KINDS = (
    RequestKind(
        "correction",
        "request_correction",
        "correct or update your personal details",
        "correct or update their personal details",
        "Correct my details",
        CONTACT_SLOTS + IDENTIFYING_SLOTS + CORRECTION_SLOTS,
        (_CHANGING_DATA,),
    ),
    RequestKind(
        "deletion",
        "request_deletion",
        "delete your personal data and close your account",
        "delete their personal data and close their account",
        "Delete my data",
        CONTACT_SLOTS + IDENTIFYING_SLOTS,
        (_CHANGING_DATA,),
    ),
    RequestKind(
        "deactivation",
        "request_deactivation",
        "deactivate your account",
        "deactivate their account",
        "Deactivate my account",
        CONTACT_SLOTS + IDENTIFYING_SLOTS,
        (_CHANGING_DATA, "service-announcements-1"),
    ),
    # Opting out is a suppression: the address is kept on a do-not-mail list, not deleted.
    RequestKind(
        "marketing_opt_out",
        "request_unsubscribe",
        "stop marketing emails to your address",
        "stop marketing emails to their address",
        "Stop marketing emails",
        CONTACT_SLOTS,
        ("your-account-1", "newsletter-1", "special-offers-and-updates-1", "choice-opt-out-1"),
        needs_code=False,
    ),
    # Subject access (UK GDPR art. 15): the policy is silent on it, yet it is the request
    # customers make most; customer service has one calendar month, as for the others.
    RequestKind(
        "access",
        "request_access",
        "send you a copy of the personal data Jessops holds about you",
        "send them a copy of the personal data Jessops holds about them",
        "Get a copy of my data",
        CONTACT_SLOTS + IDENTIFYING_SLOTS,
        (_CHANGING_DATA,),
    ),
    # Offered when no person can chat (outside SUPPORT_HOURS, or nobody took the chat in
    # time: docs/handoff.md), and after the clause on how customer service replies ("by
    # email or phone, in accordance with the users wishes"): a name and a number to
    # ring, nothing to verify.
    RequestKind(
        "callback",
        "request_callback",
        "be called back",
        "call them back",
        "Call me back",
        ("full_name", "phone"),
        ("customer-service-1",),
        needs_code=False,
        intro="utter_callback_intro",
    ),
)
BY_NAME = {kind.name: kind for kind in KINDS}
BY_INTENT = {kind.intent: kind for kind in KINDS}


def offers_after(clause_id: str) -> list[RequestKind]:
    """The requests worth offering after quoting ``clause_id``."""
    return [kind for kind in KINDS if clause_id in kind.offered_after]
