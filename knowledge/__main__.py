"""Command line for the knowledge index; see ``python -m knowledge --help``."""

from knowledge.cli import main

raise SystemExit(main())
