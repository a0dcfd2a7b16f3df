"""On the checked-in corpus the default filter holds spam and lets members' comments through."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from comments_api.screening import SpamSettings, assess, default_model, find_links
from comments_api.screening.evaluate import CorpusEntry, cross_validate, evaluate, load_corpus
from comments_api.screening.seed_examples import SEED_LEGITIMATE, SEED_SPAM
from tests.helpers import ROOT

CORPUS_PATH = ROOT / "tests" / "data" / "spam_corpus.jsonl"
UNSEEN_STYLES_PATH = ROOT / "tests" / "data" / "spam_corpus_unseen_styles.jsonl"
SHARED_WORDS_LIMIT = 7  # no run of this many words may appear in both the seed and the corpus


@pytest.fixture(scope="module", params=[CORPUS_PATH, UNSEEN_STYLES_PATH], ids=lambda p: p.stem)
def corpus(request: pytest.FixtureRequest) -> list[CorpusEntry]:
    """Each labelled corpus in tests/data."""
    path: Path = request.param
    return load_corpus(path)


def test_the_corpus_has_at_least_60_spam_and_60_legitimate_comments(
    corpus: list[CorpusEntry],
) -> None:
    spam = [entry for entry in corpus if entry.label == "spam"]
    legitimate = [entry for entry in corpus if entry.label == "legitimate"]
    assert len(spam) >= 60 and len(legitimate) >= 60
    assert len({entry.identifier for entry in corpus}) == len(corpus)
    assert len({entry.text for entry in corpus}) == len(corpus), "texts must not repeat"
    assert any(entry.is_member for entry in legitimate)
    assert any(not entry.is_member for entry in legitimate)
    assert any(not entry.links for entry in spam), "some spam carries no link at all"


def test_each_entry_records_the_links_it_contains(corpus: list[CorpusEntry]) -> None:
    for entry in corpus:
        recorded = [link.rstrip("/") for link in entry.links]
        found = [link.url.rstrip("/") for link in find_links(entry.text)]
        assert found == recorded, entry.identifier


def test_default_settings_hold_spam_and_spare_legitimate_comments(
    corpus: list[CorpusEntry],
) -> None:
    matrix = evaluate(corpus, default_model(), SpamSettings())
    print(f"\nSpam filter with the default settings:\n{matrix.report()}")
    assert matrix.spam_held_rate >= 0.95, matrix.report()
    assert matrix.legitimate_wrongly_held_rate <= 0.02, matrix.report()


def test_the_score_never_holds_a_members_legitimate_comment(corpus: list[CorpusEntry]) -> None:
    model = default_model()
    held = [
        entry.identifier
        for entry in corpus
        if entry.label == "legitimate"
        and entry.is_member
        and assess(entry.draft(), entry.context(), model, SpamSettings()).score
        >= SpamSettings().hold_threshold
    ]
    assert held == []


def test_cross_validated_figures_meet_the_goal_on_both_corpora(
    corpus: list[CorpusEntry],
) -> None:
    matrix = cross_validate(corpus, 5, SpamSettings(), default_model())
    assert matrix.spam_held_rate >= 0.95, matrix.report()
    assert matrix.legitimate_wrongly_held_rate <= 0.02, matrix.report()


def test_the_unseen_styles_corpus_is_large_and_varied() -> None:
    entries = load_corpus(UNSEEN_STYLES_PATH)
    assert len(entries) >= 300
    tags = {tag for entry in entries for tag in entry.tags}
    assert {"non-english", "non-latin", "on-topic-pitch", "website-only", "long-praise"} <= tags
    assert {"hard", "member"} <= tags
    assert all(entry.post for entry in entries), "every comment names the post it answers"
    scripts = {
        "Cyrillic": "\u0400-\u04ff",
        "Arabic": "\u0600-\u06ff",
        "Han": "\u4e00-\u9fff",
        "Hangul": "\uac00-\ud7af",
        "Devanagari": "\u0900-\u097f",
        "Greek": "\u0370-\u03ff",
    }
    for label in ("spam", "legitimate"):
        texts = " ".join(entry.text for entry in entries if entry.label == label)
        for script, characters in scripts.items():
            assert re.search(f"[{characters}]", texts), f"no {script} {label}"


def test_the_seed_training_set_shares_no_text_with_the_corpus(corpus: list[CorpusEntry]) -> None:
    def word_runs(text: str) -> set[tuple[str, ...]]:
        words = re.findall(r"[a-z0-9']+", text.lower())
        return {
            tuple(words[start : start + SHARED_WORDS_LIMIT])
            for start in range(len(words) - SHARED_WORDS_LIMIT + 1)
        }

    seed_runs = set().union(*(word_runs(text) for text in SEED_SPAM + SEED_LEGITIMATE))
    shared = {
        entry.identifier: " ".join(sorted(word_runs(entry.text) & seed_runs)[0])
        for entry in corpus
        if word_runs(entry.text) & seed_runs
    }
    assert shared == {}, "corpus entries that repeat seed text"
    assert not {entry.text for entry in corpus} & set(SEED_SPAM + SEED_LEGITIMATE)


def test_the_evaluate_command_prints_the_confusion_matrix() -> None:
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "comments_api.screening.evaluate",
            str(UNSEEN_STYLES_PATH),
            "--folds",
            "2",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert "held   published" in completed.stdout
    assert re.search(r"^spam held: \d+\.\d%$", completed.stdout, re.MULTILINE)
    assert "legitimate members' comments wrongly held:" in completed.stdout
    assert "2-fold cross-validation" in completed.stdout
    assert re.search(r"^  spam \[non-latin\]: \d+ of \d+ held", completed.stdout, re.MULTILINE)


def test_a_malformed_corpus_line_is_named(tmp_path: Path) -> None:
    broken = tmp_path / "broken.jsonl"
    broken.write_text(
        '{"label": "spam", "text": "x", "author": "a", "member": false, "new": true}\n'
        '{"label": "maybe", "text": "y"}\n',
        encoding="utf-8",
    )
    with pytest.raises(ValueError, match=r"broken\.jsonl:2"):
        load_corpus(broken)
