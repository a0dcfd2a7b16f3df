"""The learning filter: a multinomial naive Bayes over plain counts that storage can keep."""

from __future__ import annotations

import json
import math

import pytest

from comments_api.screening import (
    DOCUMENT_TOTALS_TOKEN,
    BayesState,
    TokenCountRow,
    default_model,
    forget,
    probability,
    state_from_json,
    state_from_rows,
    state_to_json,
    state_to_rows,
    token_probability,
    tokenize,
    train,
    train_many,
)


def small_model() -> BayesState:
    """Two lessons: one spam, one legitimate."""
    return train_many(BayesState(), [("cheap pills", True), ("ward round", False)])


def test_a_model_that_has_learned_nothing_is_undecided() -> None:
    assert probability(BayesState(), "cheap pills now") == 0.5
    only_spam = train(BayesState(), "cheap pills", is_spam=True)
    assert probability(only_spam, "cheap pills") == 0.5


def test_a_token_probability_is_robinsons_share_pulled_towards_the_prior() -> None:
    # "cheap" was in the one spam lesson and in no legitimate one: a raw share of 1, seen once,
    # against a prior of 0.5 worth two comments: (2 * 0.5 + 1 * 1) / (2 + 1).
    assert token_probability(small_model(), "cheap") == pytest.approx(2 / 3)
    assert token_probability(small_model(), "ward") == pytest.approx(1 / 3)
    assert token_probability(small_model(), "never seen") == 0.5
    twice = train(small_model(), "cheap again", is_spam=True)
    assert token_probability(twice, "cheap") == pytest.approx((2 * 0.5 + 2 * 1) / (2 + 2))


def test_fewer_telling_tokens_than_the_minimum_evidence_leave_the_filter_undecided() -> None:
    model = train_many(
        BayesState(), [("cheap pills sold here", True), ("the ward round went well", False)] * 3
    )
    assert probability(model, "cheap pills") == 0.5  # 3 telling tokens: cheap, pills, the pair
    assert probability(model, "cheap pills sold here") > 0.9
    assert probability(model, "the ward round went well") < 0.1


def test_tokens_never_seen_in_training_carry_no_evidence() -> None:
    assert probability(small_model(), "completely unfamiliar words") == pytest.approx(0.5)


def test_the_tokenizer_emits_words_word_pairs_and_link_domains() -> None:
    tokens = tokenize("Visit https://www.Cheap-Pills.shop/buy now, or see nhs.uk.")
    assert "domain:cheap-pills.shop" in tokens
    assert not any(token.startswith("tld:") for token in tokens), "a host's ending says nothing"
    assert "domain:nhs.uk" in tokens
    assert "visit" in tokens and "now" in tokens and "or see" in tokens
    assert not any("https" in token or "/" in token for token in tokens)


def test_training_returns_a_new_state_and_leaves_the_old_one_alone() -> None:
    before = small_model()
    snapshot = state_to_json(before)
    after = train(before, "cheap pills again", is_spam=True)
    assert state_to_json(before) == snapshot
    assert after.spam_documents == before.spam_documents + 1
    assert after.spam_token_counts["cheap"] == 2


def test_forgetting_a_lesson_undoes_it_exactly() -> None:
    model = small_model()
    taught = train(model, "buy followers cheap", is_spam=True)
    assert forget(taught, "buy followers cheap", was_spam=True) == model


def test_the_filter_learns_from_moderators_decisions() -> None:
    lessons = [
        ("Fantastic garden gnomes at gnomeworld, free delivery this week", True),
        ("Gnomeworld has the finest garden gnomes, free delivery", True),
        ("Our discharge team met the ward managers to review delays", False),
        ("The ward managers agreed to review the discharge checklist", False),
    ]
    model = train_many(BayesState(), lessons)
    assert probability(model, "Garden gnomes with free delivery from gnomeworld") > 0.9
    assert probability(model, "The ward managers will review discharge delays") < 0.1


def test_log_space_keeps_long_comments_finite() -> None:
    model = default_model()
    long_legitimate = "The ward team reviewed the run chart with the patients. " * 400
    long_spam = "Buy cheap casino bonus free spins now. " * 400
    legitimate_probability = probability(model, long_legitimate)
    spam_probability = probability(model, long_spam)
    assert not math.isnan(legitimate_probability) and not math.isnan(spam_probability)
    assert legitimate_probability < 0.1
    assert spam_probability > 0.9


def test_the_state_round_trips_through_json() -> None:
    model = default_model()
    text = state_to_json(model)
    assert isinstance(json.loads(text), dict)
    restored = state_from_json(text)
    assert restored == model
    sample = "Great post! https://example-casino.xyz"
    assert probability(restored, sample) == probability(model, sample)


def test_the_state_round_trips_through_rows_with_document_totals_first() -> None:
    model = small_model()
    rows = state_to_rows(model)
    assert rows[0] == TokenCountRow(DOCUMENT_TOTALS_TOKEN, 1, 1)
    assert TokenCountRow("cheap", 1, 0) in rows
    assert TokenCountRow("ward round", 0, 1) in rows
    assert state_from_rows(rows) == model
    as_tuples = [(row.token, row.spam_count, row.legitimate_count) for row in rows]
    assert state_from_rows(as_tuples) == model


@pytest.mark.parametrize(
    "text",
    [
        "[]",
        '{"spam_documents": 1}',
        '{"spam_documents": 1, "legitimate_documents": 1, '
        '"spam_token_counts": [], "legitimate_token_counts": {}}',
    ],
)
def test_json_that_is_not_a_model_is_refused_with_a_clear_error(text: str) -> None:
    with pytest.raises(ValueError, match="spam model"):
        state_from_json(text)


def test_the_default_model_has_seed_knowledge_and_hands_out_copies() -> None:
    first = default_model()
    assert first.spam_documents >= 60 and first.legitimate_documents >= 60
    first.spam_token_counts.clear()
    assert default_model().spam_token_counts, "changing one copy must not change the next"
