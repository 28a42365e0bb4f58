"""Is what the customer typed at "What's your name?" a name? A learned answer.

The Rasa NLU was taught intents, not names: to it "Li Wei" reads as a policy question and
"Harry Hill" as a greeting, so the form, which does not take those intents as answers,
asked for the name again. This reader is a logistic regression over character n-grams,
trained once per process (about a second, at the action server's start) on names of
many origins against everything else customers type:

- names: Faker's first and last names of every locale it ships, paired with a fixed seed,
  some lower-cased, some with a title or a middle name, some a first name alone;
- not names: the train question sets and the NLU's examples of every intent but
  ``inform`` (which holds names, emails and postcodes). No development or held-out
  question is trained on, not even one the NLU has as an example: they measure it
  (``tests/data_requests/test_names.py``).

The action server asks it only when the NLU took the answer for something the form does
not accept (``actions/request_form.py``).
"""

from __future__ import annotations

import importlib
import pkgutil
import random
from collections.abc import Iterable
from functools import cache

import faker.providers.person
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline

from data_requests.validators import check_name
from knowledge import question_sets
from settings import NLU_DATA

NAMES_TRAINED_ON = 6000
NAME_CUT = 0.5
SEED = 0
_FIRST_NAME_LISTS = (
    "first_names",
    "first_names_male",
    "first_names_female",
    "first_romanized_names",
)
_LAST_NAME_LISTS = ("last_names", "last_romanized_names")
_TITLES = ("Mr", "Mrs", "Ms", "Miss", "Dr")


def _faker_names(lists: Iterable[str]) -> list[str]:
    """Every name in the given lists of every locale's person provider, sorted."""
    names: set[str] = set()
    for module in pkgutil.iter_modules(faker.providers.person.__path__):
        provider = importlib.import_module(f"{faker.providers.person.__name__}.{module.name}")
        for attribute in lists:
            found = getattr(provider.Provider, attribute, ())
            if isinstance(found, dict | list | tuple):
                names.update(name for name in found if isinstance(name, str))
    return sorted(names)


def sample_names(count: int, seed: int = SEED) -> list[str]:
    """Names as customers type them: mostly "First Last", some in other shapes."""
    firsts, lasts = _faker_names(_FIRST_NAME_LISTS), _faker_names(_LAST_NAME_LISTS)
    rng = random.Random(seed)
    names = []
    for _ in range(count):
        first, last, shape = rng.choice(firsts), rng.choice(lasts), rng.random()
        if shape < 0.75:
            name = f"{first} {last}"
        elif shape < 0.85:
            name = first
        else:
            name = f"{first} {rng.choice(firsts)} {last}"
        if rng.random() < 0.2:
            name = name.lower()
        if rng.random() < 0.1:
            name = f"{rng.choice(_TITLES)} {name}"
        names.append(name)
    return names


def not_names() -> list[str]:
    """What customers type that is not a name: train questions and the NLU's examples
    (regex patterns and ``inform`` left out), less any text a development or held-out
    set asks ("can I block it?" is an NLU example and a held-out follow-up)."""
    measured = {
        question_sets.normalise(question.question)
        for role in ("development", "held-out")
        for question in question_sets.load_role(role)
    }
    questions = [question.question for question in question_sets.load_role("train")]
    messages = [
        m.text for m in question_sets.nlu_messages(NLU_DATA) if m.intent not in (None, "inform")
    ]
    return [text for text in questions + messages if question_sets.normalise(text) not in measured]


def train(names: list[str], others: list[str]) -> Pipeline:
    """Character 2–4-grams within words, case kept (names are capitalised more often)."""
    model = make_pipeline(
        TfidfVectorizer(
            analyzer="char_wb", ngram_range=(2, 4), lowercase=False, min_df=2, sublinear_tf=True
        ),
        LogisticRegression(C=4.0, class_weight="balanced", max_iter=3000, random_state=SEED),
    )
    return model.fit(names + others, [1] * len(names) + [0] * len(others))


@cache
def reader() -> Pipeline:
    """The reader, trained once per process."""
    return train(sample_names(NAMES_TRAINED_ON), not_names())


def name_probability(text: str) -> float:
    return float(reader().predict_proba([text])[0][1])


def is_name(text: str) -> bool:
    """Passes the form's name check, and reads as a name ("my name is " and the like
    left out)."""
    checked = check_name(text)
    return checked.ok and name_probability(checked.value) >= NAME_CUT
