"""Support staff's view of the outbox: list requests, show one, re-queue a failed one.

    python -m data_requests list [--status awaiting_verification|pending|sent|failed|...]
    python -m data_requests show JES-2026-000123
    python -m data_requests requeue JES-2026-000123

(``make requests ARGS='list --status failed'``). Listing shows no personal details;
``show`` does, because that is what it is for, with who verified the customer's address
and when, then the request's audit trail: every change of status, code and mail with its
time, oldest first (never a code). A request awaiting verification is not stuck: it
waits for its customer, and is closed unverified after ``VERIFY_WITHIN_DAYS``.
"""

from __future__ import annotations

import argparse
import json
import sys

from data_requests.mail import as_record, verification_line
from data_requests.outbox import STATUSES, AuditEvent, StoredRequest, open_outbox
from settings import RequestSettings


def _row(request: StoredRequest) -> str:
    error = f"  last error: {request.last_error}" if request.last_error else ""
    return (
        f"{request.reference}  {request.kind:<18} {request.status:<21} "
        f"received {request.received_at:%Y-%m-%d %H:%M} UTC  due {request.due_on}  "
        f"attempts {request.attempts}{error}"
    )


def trail_line(event: AuditEvent) -> str:
    """One line of the trail: when (UTC), what, and the SMTP reply or cause if any."""
    detail = f"  {event.detail}" if event.detail else ""
    return f"  {event.at:%Y-%m-%d %H:%M:%S} UTC  {event.event:<13}{detail}".rstrip()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m data_requests",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", required=True)
    listing = sub.add_parser("list", help="list requests, oldest first")
    listing.add_argument("--status", choices=STATUSES)
    sub.add_parser("show", help="show one request in full").add_argument("reference")
    sub.add_parser("requeue", help="send a failed request again").add_argument("reference")
    args = parser.parse_args(argv)
    outbox = open_outbox(RequestSettings.from_env())

    if args.command == "list":
        requests = outbox.list(args.status)
        for request in requests:
            print(_row(request))
        print(f"{len(requests)} request(s)")
        return 0
    if args.command == "show":
        request = outbox.get(args.reference)
        if request is None:
            print(f"No request {args.reference}", file=sys.stderr)
            return 1
        print(_row(request))
        print(verification_line(request))
        print(json.dumps(as_record(request), indent=2, ensure_ascii=False))
        print("Audit trail:")
        for event in outbox.history(request.reference):
            print(trail_line(event))
        return 0
    if outbox.requeue(args.reference):
        print(f"{args.reference} is queued again; the relay will send it shortly.")
        return 0
    print(f"{args.reference} is not a failed request; nothing to re-queue.", file=sys.stderr)
    return 1


if __name__ == "__main__":
    raise SystemExit(main())
