"""Support staff's command line for the outbox; see ``python -m data_requests --help``."""

from data_requests.cli import main

raise SystemExit(main())
