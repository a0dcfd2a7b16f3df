"""Screening figures on both of the project's corpora, with what each signal adds.

    .venv/bin/python bench/screening.py              # 5-fold cross-validation, ablation
    .venv/bin/python bench/screening.py --folds 1    # the seed model alone

For each corpus in tests/data it prints the confusion matrix, the share of spam held, of
legitimate comments held and of members' comments held, the hard subsets, and the ablation
table (the figures again with one signal left out). Both corpora were written by this project
and the rules were refined against them, so these figures are an upper bound: they say what
the filter can do, not what it will do on comments nobody has seen. It measures quality, not
speed; the time it took is printed only so that a slow change is noticed.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from comments_api.spam import SpamSettings, default_model  # noqa: E402
from comments_api.spam.evaluate import ablation, cross_validate, load_corpus  # noqa: E402

CORPORA = (
    ROOT / "tests" / "data" / "spam_corpus.jsonl",
    ROOT / "tests" / "data" / "spam_corpus_unseen_styles.jsonl",
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=5, help="cross-validation parts (default 5)")
    parser.add_argument("--no-ablation", action="store_true", help="skip the ablation table")
    options = parser.parse_args()
    settings = SpamSettings()
    for path in CORPORA:
        started = time.perf_counter()
        entries = load_corpus(path)
        matrix = cross_validate(entries, options.folds, settings, default_model())
        print(f"== {path.name}: {len(entries)} comments, folds {options.folds}")
        print(matrix.report())
        if not options.no_ablation:
            print()
            print(ablation(entries, options.folds, settings, default_model()))
        print(f"({time.perf_counter() - started:.1f} s)\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
