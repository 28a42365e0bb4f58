"""``python -m rasa_server <rasa arguments>``: Rasa's command line, with the project's fix."""

from __future__ import annotations

import sys

from rasa_server.patches import UnsupportedRasa, apply

try:
    apply()
except UnsupportedRasa as problem:
    sys.exit(f"error: {problem}")

from rasa.__main__ import main

sys.argv[0] = "rasa"
main()
