"""Fine-tune the question encoder on the project's labelled questions.

Two towers, as in dense passage retrieval: the policy's texts (each clause, its
sentences, its aliases) are embedded once by the base model and stay fixed; a copy of
the base model learns to place questions next to the texts of the clause that answers
them. Only short questions go through the model with gradients, so an epoch takes about
a minute on two cores instead of five for fine-tuning both towers.

The loss is a softmax over every clause plus a "no clause answers this" logit (a clause
scores as its best text): each question against all 56 clauses, not in-batch negatives,
which with 56 clauses would often hold the question's own clause. The "none" logit is a
linear function of the question's vector, learnt with it: questions the policy does not
answer, and near-topic ones, teach it. A question whose answering sentence is labelled
(its evidence) also learns, in a softmax over every sentence of the policy, to sit next
to that sentence: that is what picks the words to quote from a long clause. So one
model ranks the clauses, reads whether any of them answers, and finds the sentence.
"""

from __future__ import annotations

import os
import random
import time
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from knowledge.training.examples import Example

if TYPE_CHECKING:
    import torch
    from sentence_transformers import SentenceTransformer


@dataclass(frozen=True)
class TrainingConfig:
    """The fine-tuning knobs; `docs/experiments/` logs how they were chosen on dev sets."""

    epochs: int = 5
    learning_rate: float = 2e-4
    batch_size: int = 32
    # Cosine similarities are multiplied by this before the softmax (sentence-transformers'
    # MultipleNegativesRankingLoss uses 20: cosines live in [-1, 1]).
    scale: float = 20.0
    # The "none" logit starts where a cosine of 0.5 would put a clause, for every question.
    none_start: float = 0.5
    none_learning_rate: float = 1e-2
    # The sentence softmax's weight beside the clause one: at 1 it cost the "none"
    # decision (docs/experiments/2026-12-learned-answers.md).
    sentence_weight: float = 0.1
    warmup_share: float = 0.1
    seed: int = 0
    # Training has the machine to itself (serving keeps a core free for Rasa): 77 s for
    # three epochs here on two threads, twice that on one.
    threads: int = field(default_factory=lambda: os.cpu_count() or 1)

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Trained:
    """The fine-tuned question encoder and its "none" logit: ``none_weights`` · vector +
    ``none_bias``."""

    model: SentenceTransformer
    none_weights: tuple[float, ...]
    none_bias: float
    seconds: float


def clause_scores(
    questions: torch.Tensor, views: torch.Tensor, owner_table: torch.Tensor
) -> torch.Tensor:
    """Questions x clauses: each clause's best cosine over its views.

    ``owner_table[c]`` lists clause ``c``'s view rows, padded with the index of an extra
    row that scores -2 (below any cosine).
    """
    import torch

    similarity = questions @ views.T
    padded = torch.cat([similarity, similarity.new_full((len(questions), 1), -2.0)], dim=1)
    return padded[:, owner_table].max(dim=-1).values


def owner_table(view_owner: np.ndarray, clauses: int) -> np.ndarray:
    """For each clause, the rows of its views, padded with ``len(view_owner)``."""
    rows = [np.flatnonzero(view_owner == c) for c in range(clauses)]
    table = np.full((clauses, max(map(len, rows))), len(view_owner), dtype=np.int64)
    for c, found in enumerate(rows):
        table[c, : len(found)] = found
    return table


def fine_tune(
    base: SentenceTransformer,
    view_vectors: np.ndarray,
    view_owner: np.ndarray,
    sentence_rows: np.ndarray,
    examples: list[Example],
    config: TrainingConfig,
    *,
    progress: bool = True,
) -> Trained:
    """Train ``base`` (in place) as the question tower; ``view_vectors`` stay fixed, and
    ``sentence_rows`` are the rows of the sentences among them, in the policy's order."""
    import torch
    from tqdm import tqdm

    started = time.perf_counter()
    threads = torch.get_num_threads()
    torch.set_num_threads(config.threads)
    torch.manual_seed(config.seed)
    order = random.Random(config.seed)
    clauses = int(view_owner.max()) + 1
    views = torch.from_numpy(view_vectors)
    table = torch.from_numpy(owner_table(view_owner, clauses))
    sentences = views[torch.from_numpy(sentence_rows)]
    none = torch.nn.Linear(view_vectors.shape[1], 1)
    torch.nn.init.zeros_(none.weight)
    torch.nn.init.constant_(none.bias, config.none_start * config.scale)
    optimiser = torch.optim.AdamW(base.parameters(), lr=config.learning_rate)
    optimiser.add_param_group({"params": none.parameters(), "lr": config.none_learning_rate})
    batches = -(-len(examples) // config.batch_size)
    steps = config.epochs * batches
    warmup = max(1, int(config.warmup_share * steps))
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda step: min(1.0, (step + 1) / warmup) * max(0.0, 1 - step / steps)
    )
    shuffled = list(examples)
    base.train()
    bar = tqdm(
        total=steps, desc="Fine-tuning the question encoder", unit="batch", disable=not progress
    )
    with bar:
        for _ in range(config.epochs):
            order.shuffle(shuffled)
            for start in range(0, len(shuffled), config.batch_size):
                batch = shuffled[start : start + config.batch_size]
                loss = _loss(base, batch, views, table, sentences, none, config)
                loss.backward()
                optimiser.step()
                schedule.step()
                optimiser.zero_grad()
                bar.update()
                bar.set_postfix(loss=f"{loss.item():.3f}")
    base.eval()
    torch.set_num_threads(threads)
    return Trained(
        model=base,
        none_weights=tuple(float(w) for w in none.weight.detach()[0]),
        none_bias=float(none.bias.detach()[0]),
        seconds=round(time.perf_counter() - started, 1),
    )


def _loss(
    model: SentenceTransformer,
    batch: list[Example],
    views: torch.Tensor,
    table: torch.Tensor,
    sentences: torch.Tensor,
    none: torch.nn.Linear,
    config: TrainingConfig,
) -> torch.Tensor:
    """Cross-entropy over the clauses and "none", plus, for the questions with labelled
    evidence, over the policy's sentences."""
    import torch

    features = model.preprocess([e.text for e in batch])
    questions = torch.nn.functional.normalize(model(features)["sentence_embedding"], dim=-1)
    scores = config.scale * clause_scores(questions, views, table)
    logits = torch.cat([scores, none(questions)], dim=1)
    loss = _cross_entropy(logits, [list(e.answers) or [-1] for e in batch])
    labelled = [row for row, e in enumerate(batch) if e.sentences]
    if labelled:
        by_sentence = config.scale * questions[labelled] @ sentences.T
        right = [list(batch[r].sentences) for r in labelled]
        loss = loss + config.sentence_weight * _cross_entropy(by_sentence, right)
    return loss


def _cross_entropy(logits: torch.Tensor, right: list[list[int]]) -> torch.Tensor:
    """Mean cross-entropy where each row has one or more right columns (the
    probabilities of all of them are added up)."""
    import torch

    mask = torch.zeros_like(logits, dtype=torch.bool)
    for row, columns in enumerate(right):
        mask[row, columns] = True
    kept = torch.logsumexp(logits.masked_fill(~mask, -1e4), dim=-1)
    return (torch.logsumexp(logits, dim=-1) - kept).mean()
