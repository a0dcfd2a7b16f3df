"""A small Bayesian filter that learns from moderators' decisions, cautious by design.

Each token's spam probability is Robinson's: the share of spam among the comments that used it,
pulled towards 0.5 by a prior that a few lessons cannot outweigh. Only the most telling tokens
are combined (Fisher's method), and a comment with fewer than `MINIMUM_EVIDENCE` telling tokens
gets 0.5: the filter says nothing about "hi" however often it was taught. Hosts count as whole
domains, never by their endings (.com or .uk say nothing about a comment).

The whole model is a `BayesState`: document and token counts per class, nothing else. It
round-trips through JSON (`state_to_json` / `state_from_json`) and through plain rows
(`state_to_rows` / `state_from_rows`, one row per token plus a row with the empty token for
the document totals), so storage can keep it in any table. Every function here is pure:
`train` and `forget` return a new state and leave the old one untouched.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import pairwise

from comments_api.screening.links import find_links, text_without_links

__all__ = [
    "DOCUMENT_TOTALS_TOKEN",
    "BayesState",
    "TokenCountRow",
    "forget",
    "probability",
    "token_probability",
    "state_from_json",
    "state_from_rows",
    "state_to_json",
    "state_to_rows",
    "token_counts",
    "tokenize",
    "train",
    "train_many",
]

PRIOR_STRENGTH = 2.0  # how many comments' worth of belief the 0.5 prior is worth per token
PRIOR_PROBABILITY = 0.5
MINIMUM_STRENGTH = 0.1  # a token counts only when its probability is this far from 0.5
MINIMUM_EVIDENCE = 4  # fewer telling tokens than this and the filter stays undecided
MAXIMUM_TOKENS = 30  # the most telling tokens combined for one comment
DOCUMENT_TOTALS_TOKEN = ""  # the tokenizer never emits an empty token, so rows can use it
WORD = re.compile(r"[a-z][a-z0-9']{1,29}")


@dataclass
class BayesState:
    """Counts learned so far: documents per class and token occurrences per class."""

    spam_documents: int = 0
    legitimate_documents: int = 0
    spam_token_counts: dict[str, int] = field(default_factory=dict)
    legitimate_token_counts: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class TokenCountRow:
    """One stored row: a token and how often it was seen in spam and in legitimate comments."""

    token: str
    spam_count: int
    legitimate_count: int


def tokenize(text: str) -> list[str]:
    """Words, word pairs and one `domain:` token per link (never its ending alone)."""
    tokens: list[str] = []
    for link in find_links(text):
        tokens.append(f"domain:{link.domain}")
    words = [word.strip("'") for word in WORD.findall(text_without_links(text).lower())]
    words = [word for word in words if len(word) > 1]
    tokens.extend(words)
    tokens.extend(f"{first} {second}" for first, second in pairwise(words))
    return tokens


def token_counts(text: str) -> Counter[str]:
    """How often each token occurs in the text (what `train` adds to one class)."""
    return Counter(tokenize(text))


def train(state: BayesState, text: str, is_spam: bool) -> BayesState:
    """A new state that has also learned this text as spam or as legitimate."""
    return train_many(state, [(text, is_spam)])


def train_many(state: BayesState, examples: Iterable[tuple[str, bool]]) -> BayesState:
    """A new state that has learned every (text, is_spam) example."""
    learned = copy_state(state)
    for text, is_spam in examples:
        counts = learned.spam_token_counts if is_spam else learned.legitimate_token_counts
        for token, count in token_counts(text).items():
            counts[token] = counts.get(token, 0) + count
        if is_spam:
            learned.spam_documents += 1
        else:
            learned.legitimate_documents += 1
    return learned


def forget(state: BayesState, text: str, was_spam: bool) -> BayesState:
    """A new state without one earlier lesson, for when a moderator reverses a decision."""
    learned = copy_state(state)
    counts = learned.spam_token_counts if was_spam else learned.legitimate_token_counts
    for token, count in token_counts(text).items():
        remaining = counts.get(token, 0) - count
        if remaining > 0:
            counts[token] = remaining
        else:
            counts.pop(token, None)
    if was_spam:
        learned.spam_documents = max(0, learned.spam_documents - 1)
    else:
        learned.legitimate_documents = max(0, learned.legitimate_documents - 1)
    return learned


def probability(state: BayesState, text: str) -> float:
    """The chance (0..1) that the text is spam; 0.5 when the model lacks the evidence to say.

    Undecided until the model has learned both kinds of comment and the text has at least
    `MINIMUM_EVIDENCE` tokens whose probability is `MINIMUM_STRENGTH` away from 0.5.
    """
    if state.spam_documents == 0 or state.legitimate_documents == 0:
        return 0.5
    strengths = sorted(
        (
            token_value
            for token in set(tokenize(text))
            if abs((token_value := token_probability(state, token)) - 0.5) >= MINIMUM_STRENGTH
        ),
        key=lambda value: -abs(value - 0.5),
    )[:MAXIMUM_TOKENS]
    if len(strengths) < MINIMUM_EVIDENCE:
        return 0.5
    spam_evidence = chi_square_survival(
        -2 * sum(math.log(1 - value) for value in strengths), 2 * len(strengths)
    )
    legitimate_evidence = chi_square_survival(
        -2 * sum(math.log(value) for value in strengths), 2 * len(strengths)
    )
    return (1 + legitimate_evidence - spam_evidence) / 2


def token_probability(state: BayesState, token: str) -> float:
    """Robinson's probability that a comment with this token is spam, with the 0.5 prior.

    The raw share compares how often the token occurs per spam and per legitimate comment; the
    prior weighs `PRIOR_STRENGTH` comments against the number of times the token was seen.
    """
    spam_count = state.spam_token_counts.get(token, 0)
    legitimate_count = state.legitimate_token_counts.get(token, 0)
    seen = spam_count + legitimate_count
    if seen == 0 or state.spam_documents == 0 or state.legitimate_documents == 0:
        return PRIOR_PROBABILITY
    spam_rate = min(1.0, spam_count / state.spam_documents)
    legitimate_rate = min(1.0, legitimate_count / state.legitimate_documents)
    raw = spam_rate / (spam_rate + legitimate_rate)
    return (PRIOR_STRENGTH * PRIOR_PROBABILITY + seen * raw) / (PRIOR_STRENGTH + seen)


def chi_square_survival(statistic: float, degrees_of_freedom: int) -> float:
    """P(X >= statistic) for a chi-square X with an even number of degrees of freedom."""
    half = statistic / 2.0
    term = math.exp(-half)
    total = term
    for index in range(1, degrees_of_freedom // 2):
        term *= half / index
        total += term
    return min(total, 1.0)


def copy_state(state: BayesState) -> BayesState:
    """A deep copy, so that learning never changes a state someone else holds."""
    return BayesState(
        spam_documents=state.spam_documents,
        legitimate_documents=state.legitimate_documents,
        spam_token_counts=dict(state.spam_token_counts),
        legitimate_token_counts=dict(state.legitimate_token_counts),
    )


def state_to_rows(state: BayesState) -> list[TokenCountRow]:
    """One row per token, sorted, led by the document totals under the empty token."""
    rows = [TokenCountRow(DOCUMENT_TOTALS_TOKEN, state.spam_documents, state.legitimate_documents)]
    for token in sorted(state.spam_token_counts.keys() | state.legitimate_token_counts.keys()):
        rows.append(
            TokenCountRow(
                token,
                state.spam_token_counts.get(token, 0),
                state.legitimate_token_counts.get(token, 0),
            )
        )
    return rows


def state_from_rows(rows: Iterable[TokenCountRow | tuple[str, int, int]]) -> BayesState:
    """Rebuild a state from rows as written by `state_to_rows` (or plain 3-tuples)."""
    state = BayesState()
    for row in rows:
        token, spam_count, legitimate_count = (
            (row.token, row.spam_count, row.legitimate_count)
            if isinstance(row, TokenCountRow)
            else row
        )
        if token == DOCUMENT_TOTALS_TOKEN:
            state.spam_documents = int(spam_count)
            state.legitimate_documents = int(legitimate_count)
            continue
        if spam_count:
            state.spam_token_counts[token] = int(spam_count)
        if legitimate_count:
            state.legitimate_token_counts[token] = int(legitimate_count)
    return state


def state_to_json(state: BayesState) -> str:
    """The state as a compact JSON object with sorted keys."""
    return json.dumps(
        {
            "spam_documents": state.spam_documents,
            "legitimate_documents": state.legitimate_documents,
            "spam_token_counts": state.spam_token_counts,
            "legitimate_token_counts": state.legitimate_token_counts,
        },
        sort_keys=True,
        separators=(",", ":"),
    )


def state_from_json(text: str) -> BayesState:
    """Rebuild a state from `state_to_json` output; refuses anything that is not one."""
    data = json.loads(text)
    if not isinstance(data, dict):
        raise ValueError("a spam model must be a JSON object")
    try:
        return BayesState(
            spam_documents=int(data["spam_documents"]),
            legitimate_documents=int(data["legitimate_documents"]),
            spam_token_counts={
                str(token): int(count) for token, count in data["spam_token_counts"].items()
            },
            legitimate_token_counts={
                str(token): int(count) for token, count in data["legitimate_token_counts"].items()
            },
        )
    except (KeyError, AttributeError, TypeError) as error:
        raise ValueError(f"a spam model JSON object is missing or mistypes {error}") from error
