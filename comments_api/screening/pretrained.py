"""The filter's day-one knowledge: a model trained on the checked-in seed examples."""

from __future__ import annotations

from functools import cache

from comments_api.screening.bayes import BayesState, copy_state, train_many
from comments_api.screening.seed_examples import SEED_LEGITIMATE, SEED_SPAM

__all__ = ["default_model"]


def default_model() -> BayesState:
    """A fresh copy of the model trained on the seed examples (safe to keep and extend)."""
    return copy_state(seed_trained_model())


@cache
def seed_trained_model() -> BayesState:
    """Train once per process; callers get copies so nobody changes the shared one."""
    examples = [(text, True) for text in SEED_SPAM]
    examples.extend((text, False) for text in SEED_LEGITIMATE)
    return train_many(BayesState(), examples)
