"""On the checked-in corpus the default filter holds spam and lets members' comments through."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from comments_api.screening import SpamSettings, default_model, find_links
from comments_api.screening.evaluate import CorpusEntry, evaluate, load_corpus
from comments_api.screening.seed_examples import SEED_LEGITIMATE, SEED_SPAM
from tests.helpers import ROOT

CORPUS_PATH = ROOT / "tests" / "data" / "spam_corpus.jsonl"
SHARED_WORDS_LIMIT = 7  # no run of this many words may appear in both the seed and the corpus


@pytest.fixture(scope="module")
def corpus() -> list[CorpusEntry]:
    """The labelled comments in tests/data."""
    return load_corpus(CORPUS_PATH)


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


def test_default_settings_hold_spam_and_spare_members(corpus: list[CorpusEntry]) -> None:
    matrix = evaluate(corpus, default_model(), SpamSettings())
    print(f"\nSpam filter on {CORPUS_PATH.name} with the default settings:\n{matrix.report()}")
    assert matrix.spam_held_rate >= 0.95, matrix.report()
    assert matrix.member_wrongly_held_rate <= 0.05, matrix.report()


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
        [sys.executable, "-m", "comments_api.screening.evaluate", str(CORPUS_PATH)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert "held   published" in completed.stdout
    assert re.search(r"^spam held: \d+\.\d%$", completed.stdout, re.MULTILINE)
    assert "legitimate members' comments wrongly held:" in completed.stdout


def test_a_malformed_corpus_line_is_named(tmp_path: Path) -> None:
    broken = tmp_path / "broken.jsonl"
    broken.write_text(
        '{"label": "spam", "text": "x", "author": "a", "member": false, "new": true}\n'
        '{"label": "maybe", "text": "y"}\n',
        encoding="utf-8",
    )
    with pytest.raises(ValueError, match=r"broken\.jsonl:2"):
        load_corpus(broken)
