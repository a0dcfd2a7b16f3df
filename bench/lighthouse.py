"""Lighthouse's four scores for the home page and an article, light and dark (goal: 100).

    .venv/bin/python bench/lighthouse.py
    .venv/bin/python bench/lighthouse.py --rounds 3     # the median of three runs per page

It builds the real site next to the real comments API (an approved comment on the article,
as in tests/site/test_lighthouse.py), then runs Lighthouse 12.2 (npm, in Debian's Chromium,
its default mobile emulation with simulated throttling) on each page in each colour scheme.
Performance is a timing, so it is reported here and not tested; accessibility, best
practices and SEO are tested in `make test`. The baseline, measured in the same run: a page
holding only a heading and a paragraph, served the same way; `vs base` is ours / baseline
for the performance score. A loaded machine lowers the performance scores.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.site.audited import CATEGORIES, audited_site, run_lighthouse  # noqa: E402

BASELINE_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>Baseline</title><meta name="description" content="A bare page."></head>
<body><h1>Baseline</h1><p>A heading and a paragraph, nothing else.</p></body></html>
"""


def scores(url: str, scheme: str, rounds: int) -> dict[str, float]:
    runs = [run_lighthouse(url, scheme, CATEGORIES)["scores"] for _ in range(rounds)]
    return {category: statistics.median(run[category] for run in runs) for category in CATEGORIES}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=1)
    arguments = parser.parse_args()
    with (
        tempfile.TemporaryDirectory(prefix="bench-lighthouse-") as folder,
        audited_site(Path(folder)) as audited,
    ):
        (audited.site.output / "baseline.html").write_text(BASELINE_PAGE)
        base = scores(audited.site.url("baseline.html"), "light", arguments.rounds)
        print(
            f"{'page':<10} {'scheme':<6} "
            + " ".join(f"{c:>14}" for c in CATEGORIES)
            + f" {'vs base':>8}"
        )
        print(
            f"{'baseline':<10} {'light':<6} "
            + " ".join(f"{base[c]:>14.0f}" for c in CATEGORIES)
            + f" {1:>8.2f}"
        )
        for name, url in audited.pages().items():
            for scheme in ("light", "dark"):
                ours = scores(url, scheme, arguments.rounds)
                ratio = ours["performance"] / base["performance"]
                print(
                    f"{name:<10} {scheme:<6} "
                    + " ".join(f"{ours[c]:>14.0f}" for c in CATEGORIES)
                    + f" {ratio:>8.2f}"
                )


if __name__ == "__main__":
    main()
