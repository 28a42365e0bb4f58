"""Customer-language aliases for clauses, kept in ``enrichment.yml`` beside this file.

Customers say "delete" where the policy says "deactivate" and "spam" where it says
"communications". Each alias is a training question for its clause: the question encoder
learns from them (``knowledge.training.examples``); the customer is only ever shown the
policy's own words.
"""

from __future__ import annotations

from pathlib import Path

import yaml

Aliases = dict[str, tuple[str, ...]]


def load_aliases(path: Path, clause_ids: set[str]) -> Aliases:
    """Read the alias file; an alias for a clause that no longer exists is an error."""
    if not path.exists():
        return {}
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    unknown = set(data) - clause_ids
    if unknown:
        raise ValueError(f"{path} names clauses the policy no longer has: {sorted(unknown)}")
    return {clause_id: tuple(str(a) for a in aliases or ()) for clause_id, aliases in data.items()}
