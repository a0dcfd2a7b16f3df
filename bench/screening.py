"""Screening figures on both of the project's corpora, with what each signal adds.

    .venv/bin/python bench/screening.py              # 5-fold cross-validation, ablation
    .venv/bin/python bench/screening.py --folds 1    # the seed model alone
    .venv/bin/python bench/screening.py --api        # also posted through the app, as guests

For each corpus in tests/data it prints the confusion matrix, the share of spam held, of
legitimate comments held and of members' comments held, the hard subsets, and the ablation
table (the figures again with one signal left out). Both corpora were written by this project
and the rules were refined against them, so these figures are an upper bound: they say what
the filter can do, not what it will do on comments nobody has seen. It measures quality, not
speed; the time it took is printed only so that a slow change is noticed.

With `--api` each corpus is also posted comment by comment through the real app (a fresh
SQLite database, the shipped default settings, one post per title the corpus names), every
comment as a first-time guest from one network address, and the filter's own verdict is read
back from the stored reasons, as an outside evaluator would.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from pathlib import Path

import httpx
from sqlalchemy.orm import Session

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from comments_api.app import create_app  # noqa: E402
from comments_api.config import Settings  # noqa: E402
from comments_api.db.engine import create_database_engine  # noqa: E402
from comments_api.db.tables import Comment  # noqa: E402
from comments_api.screening import SpamSettings, default_model  # noqa: E402
from comments_api.screening.evaluate import ablation, cross_validate, load_corpus  # noqa: E402

CORPORA = (
    ROOT / "tests" / "data" / "spam_corpus.jsonl",
    ROOT / "tests" / "data" / "spam_corpus_unseen_styles.jsonl",
)


DEPLOY_TOKEN = "bench-deploy-token"
VERDICT_PUBLISH = "spam filter verdict: publish"


async def through_the_api(path: Path) -> None:
    """Post every comment as a guest and count the filter's verdicts by true label."""
    folder = tempfile.mkdtemp(prefix="screening-bench-")
    settings = Settings(
        env="test",
        database_url=f"sqlite:///{folder}/comments.sqlite3",
        secret_key="bench-secret-key-that-is-long-enough-to-use",
        site_url="http://blog.test",
        public_url="http://api.test",
        allowed_origins=("http://blog.test",),
        rate_limits_enabled=False,
        threads_file="",
        deploy_token=DEPLOY_TOKEN,
        min_submit_seconds=0,
    )
    engine = create_database_engine(settings.database_url, pool_size=4)
    app = create_app(settings, engine=engine)
    entries = [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]
    keys = {
        post: f"post-{n}"
        for n, post in enumerate(sorted({e.get("post") or "Post" for e in entries}))
    }
    held = {"spam": [0, 0], "legitimate": [0, 0]}
    wrong: list[str] = []
    transport = httpx.ASGITransport(app=app, client=("203.0.113.9", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://api.test") as client:
        threads = [
            {"key": key, "title": post, "url": f"/{key}.html", "closed": False}
            for post, key in keys.items()
        ]
        response = await client.put(
            "/api/v1/threads",
            json={"threads": threads},
            headers={"Authorization": f"Bearer {DEPLOY_TOKEN}"},
        )
        response.raise_for_status()
        for number, entry in enumerate(entries):
            comment = {
                "author": entry["author"],
                "email": f"guest{number}@example.org",
                "body": entry["text"],
            }
            if entry.get("website"):
                comment["website"] = entry["website"]
            key = keys[entry.get("post") or "Post"]
            response = await client.post(f"/api/v1/threads/{key}/comments", json=comment)
            if response.status_code != 201:
                wrong.append(f"{entry['id']}: refused, {response.status_code}")
                continue
            with Session(engine) as session:
                stored = session.get(Comment, response.json()["comment"]["id"])
                assert stored is not None
                verdict = stored.held_reasons.splitlines()[0]
            is_held = not verdict.startswith(VERDICT_PUBLISH)
            held[entry["label"]][0] += is_held
            held[entry["label"]][1] += 1
            if is_held != (entry["label"] == "spam"):
                wrong.append(f"{entry['id']} ({entry['label']}): {verdict}")
    engine.dispose()
    spam_held, spam_total = held["spam"]
    legitimate_held, legitimate_total = held["legitimate"]
    print(
        f"through the API, every comment a first-time guest: spam held {spam_held} of "
        f"{spam_total} ({spam_held / max(1, spam_total):.1%}), legitimate held "
        f"{legitimate_held} of {legitimate_total} "
        f"({legitimate_held / max(1, legitimate_total):.1%})"
    )
    for line in wrong:
        print(f"  {line}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=5, help="cross-validation parts (default 5)")
    parser.add_argument("--no-ablation", action="store_true", help="skip the ablation table")
    parser.add_argument("--api", action="store_true", help="also post each corpus through the app")
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
        if options.api:
            print()
            asyncio.run(through_the_api(path))
        print(f"({time.perf_counter() - started:.1f} s)\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
