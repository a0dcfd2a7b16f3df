"""Measure the spam filter on a labelled corpus: `python -m comments_api.screening.evaluate FILE`.

The corpus is JSON Lines, one comment per line: `text`, `label` ("spam" or "legitimate"),
`author`, `member` and `new` (booleans), `website` (or null) and `links` (the URLs in the
text); optionally `post` (the title of the post it answers) and `tags` (subsets to report
apart, such as "non-english" or "on-topic-pitch"). A comment counts as held when the verdict
is "hold" or "spam"; the moderation policy for guests is left out, so this measures the
filter alone.

With `--folds K` (the default is 5) the figures are cross-validated: the corpus is cut into K
parts and each part is scored by the seed model that has also learned the other parts, as a
moderator's decisions would teach it; `--folds 1` scores with the seed model alone.
`--ablation` adds a table of what each signal adds: the figures again with that signal off.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

from comments_api.screening.assess import Assessment, assess, learning_text
from comments_api.screening.bayes import BayesState, train_many
from comments_api.screening.campaigns import CAMPAIGN_WINDOW, near_duplicates
from comments_api.screening.comment import CommentDraft, SpamContext
from comments_api.screening.pretrained import default_model
from comments_api.screening.rules import SIGNAL_KINDS
from comments_api.screening.settings import SpamSettings

__all__ = [
    "ConfusionMatrix",
    "CorpusEntry",
    "ablation",
    "cross_validate",
    "evaluate",
    "load_corpus",
    "main",
]

Label = Literal["spam", "legitimate"]


@dataclass(frozen=True)
class CorpusEntry:
    """One labelled comment with what the filter would know about its author."""

    identifier: str
    label: Label
    text: str
    author: str
    is_member: bool
    author_is_new: bool
    website: str | None
    links: tuple[str, ...]
    post: str = ""
    tags: tuple[str, ...] = ()

    def draft(self) -> CommentDraft:
        """The comment as the API would receive it."""
        return CommentDraft(body=self.text, author_name=self.author, website=self.website)

    def context(self, campaign_threads: int = 0) -> SpamContext:
        """What the API would know: membership, novelty, the post, campaigns seen so far; no
        duplicate, honeypot or timing."""
        return SpamContext(
            is_member=self.is_member,
            author_is_new=self.author_is_new,
            post_text=self.post,
            campaign_threads=campaign_threads,
        )


@dataclass
class ConfusionMatrix:
    """Held or published, by true label, with the members' legitimate comments apart."""

    spam_held: int = 0
    spam_published: int = 0
    legitimate_held: int = 0
    legitimate_published: int = 0
    member_legitimate_held: int = 0
    member_legitimate_total: int = 0
    missed_spam: list[str] = field(default_factory=list)
    wrongly_held: list[str] = field(default_factory=list)
    # tag -> [held, total] for spam and for legitimate comments, reported as the hard subsets
    spam_tags: dict[str, list[int]] = field(default_factory=dict)
    legitimate_tags: dict[str, list[int]] = field(default_factory=dict)

    @property
    def spam_held_rate(self) -> float:
        """Share of spam held (the filter's recall)."""
        return self.spam_held / max(1, self.spam_held + self.spam_published)

    @property
    def member_wrongly_held_rate(self) -> float:
        """Share of legitimate members' comments held by mistake."""
        return self.member_legitimate_held / max(1, self.member_legitimate_total)

    @property
    def legitimate_wrongly_held_rate(self) -> float:
        """Share of all legitimate comments (members and guests) held by mistake."""
        return self.legitimate_held / max(1, self.legitimate_held + self.legitimate_published)

    def add(self, entry: CorpusEntry, assessment: Assessment) -> None:
        """Count one comment's outcome."""
        held = assessment.verdict != "publish"
        tags = self.spam_tags if entry.label == "spam" else self.legitimate_tags
        for tag in entry.tags:
            counts = tags.setdefault(tag, [0, 0])
            counts[0] += held
            counts[1] += 1
        if entry.label == "spam":
            if held:
                self.spam_held += 1
            else:
                self.spam_published += 1
                self.missed_spam.append(f"{entry.identifier} (score {assessment.score})")
            return
        if entry.is_member:
            self.member_legitimate_total += 1
            self.member_legitimate_held += held
        if held:
            self.legitimate_held += 1
            reasons = "; ".join(assessment.explained())
            self.wrongly_held.append(f"{entry.identifier} (score {assessment.score}: {reasons})")
        else:
            self.legitimate_published += 1

    def merge(self, other: ConfusionMatrix) -> None:
        """Add another matrix's counts (one fold of a cross-validation) to this one."""
        self.spam_held += other.spam_held
        self.spam_published += other.spam_published
        self.legitimate_held += other.legitimate_held
        self.legitimate_published += other.legitimate_published
        self.member_legitimate_held += other.member_legitimate_held
        self.member_legitimate_total += other.member_legitimate_total
        self.missed_spam.extend(other.missed_spam)
        self.wrongly_held.extend(other.wrongly_held)
        for mine, theirs in (
            (self.spam_tags, other.spam_tags),
            (self.legitimate_tags, other.legitimate_tags),
        ):
            for tag, (held, total) in theirs.items():
                counts = mine.setdefault(tag, [0, 0])
                counts[0] += held
                counts[1] += total

    def subsets(self) -> list[str]:
        """One line per tagged subset: spam held, or legitimate comments wrongly held."""
        lines = [
            f"  spam [{tag}]: {held} of {total} held ({held / total:.0%})"
            for tag, (held, total) in sorted(self.spam_tags.items())
        ]
        lines.extend(
            f"  legitimate [{tag}]: {held} of {total} wrongly held ({held / total:.0%})"
            for tag, (held, total) in sorted(self.legitimate_tags.items())
        )
        return lines

    def report(self) -> str:
        """The matrix and the rates as a small plain-text table."""
        lines = [
            "                     held   published",
            f"spam              {self.spam_held:>6}  {self.spam_published:>10}",
            f"legitimate        {self.legitimate_held:>6}  {self.legitimate_published:>10}",
            f"  of which members {self.member_legitimate_held:>5}  "
            f"{self.member_legitimate_total - self.member_legitimate_held:>10}",
            "",
            f"spam held: {self.spam_held_rate:.1%}",
            f"legitimate members' comments wrongly held: {self.member_wrongly_held_rate:.1%}",
            f"all legitimate comments wrongly held: {self.legitimate_wrongly_held_rate:.1%}",
        ]
        subsets = self.subsets()
        if subsets:
            lines.extend(["hard subsets:", *subsets])
        lines.extend(f"missed spam: {item}" for item in self.missed_spam)
        lines.extend(f"wrongly held: {item}" for item in self.wrongly_held)
        return "\n".join(lines)


def load_corpus(path: Path) -> list[CorpusEntry]:
    """Read a JSON Lines corpus, naming the line of any malformed entry."""
    entries: list[CorpusEntry] = []
    for line_number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            label = data["label"]
            if label not in ("spam", "legitimate"):
                raise ValueError(f"label must be spam or legitimate, not {label!r}")
            entries.append(
                CorpusEntry(
                    identifier=str(data.get("id", f"line-{line_number}")),
                    label=label,
                    text=str(data["text"]),
                    author=str(data["author"]),
                    is_member=bool(data["member"]),
                    author_is_new=bool(data["new"]),
                    website=data.get("website") or None,
                    links=tuple(str(link) for link in data.get("links", [])),
                    post=str(data.get("post") or ""),
                    tags=tuple(str(tag) for tag in data.get("tags", [])),
                )
            )
        except (ValueError, KeyError, TypeError) as error:
            raise ValueError(f"{path}:{line_number}: not a corpus entry ({error})") from error
    return entries


def evaluate(
    entries: Iterable[CorpusEntry],
    model: BayesState | None,
    settings: SpamSettings,
) -> ConfusionMatrix:
    """Assess every entry and count held and published comments by their true label.

    Entries are taken as posted in file order, each under its post, so that a campaign across
    posts is seen as the API would see it (the last `CAMPAIGN_WINDOW` comments).
    """
    matrix = ConfusionMatrix()
    recent: list[tuple[str, str]] = []
    for entry in entries:
        campaign = len(near_duplicates(entry.text, recent[-CAMPAIGN_WINDOW:], entry.post))
        matrix.add(entry, assess(entry.draft(), entry.context(campaign), model, settings))
        recent.append((entry.post, entry.text))
    return matrix


def cross_validate(
    entries: Sequence[CorpusEntry],
    folds: int,
    settings: SpamSettings,
    model: BayesState | None,
) -> ConfusionMatrix:
    """Score each of `folds` parts with `model` after it learned the other parts.

    Entries are dealt to the parts in turn (entry i to part i mod folds), so every part has
    both kinds. With one fold, or no model, nothing is learned from the corpus.
    """
    if model is None or folds <= 1:
        return evaluate(entries, model, settings)
    matrix = ConfusionMatrix()
    for fold in range(folds):
        lessons = [
            (learning_text(entry.draft()), entry.label == "spam")
            for index, entry in enumerate(entries)
            if index % folds != fold
        ]
        taught = train_many(model, lessons)
        held_out = [entry for index, entry in enumerate(entries) if index % folds == fold]
        matrix.merge(evaluate(held_out, taught, settings))
    return matrix


def ablation(
    entries: Sequence[CorpusEntry],
    folds: int,
    settings: SpamSettings,
    model: BayesState | None,
) -> str:
    """A table: spam held and legitimate held with everything, then with each signal left out."""
    baseline = cross_validate(entries, folds, settings, model)
    rows = [
        "signal left out        spam held   change   legitimate held   change",
        f"{'(none)':<22} {baseline.spam_held_rate:>9.1%}   {'':>6}   "
        f"{baseline.legitimate_wrongly_held_rate:>15.1%}",
    ]
    variants: list[tuple[str, SpamSettings, BayesState | None]] = [
        (kind, replace(settings, disabled_signals=frozenset({kind})), model)
        for kind in SIGNAL_KINDS
    ]
    variants.append(("learning-filter", settings, None))
    for name, variant_settings, variant_model in variants:
        matrix = cross_validate(entries, folds, variant_settings, variant_model)
        spam_change = matrix.spam_held_rate - baseline.spam_held_rate
        legitimate_change = (
            matrix.legitimate_wrongly_held_rate - baseline.legitimate_wrongly_held_rate
        )
        rows.append(
            f"{name:<22} {matrix.spam_held_rate:>9.1%}   {spam_change:>+6.1%}   "
            f"{matrix.legitimate_wrongly_held_rate:>15.1%}   {legitimate_change:>+6.1%}"
        )
    return "\n".join(rows)


def main(arguments: Sequence[str] | None = None) -> int:
    """Print the confusion matrix for a corpus with the default settings and seed model."""
    parser = argparse.ArgumentParser(
        prog="python -m comments_api.screening.evaluate", description=__doc__.splitlines()[0]
    )
    parser.add_argument("corpus", type=Path, help="JSON Lines file of labelled comments")
    parser.add_argument("--no-model", action="store_true", help="score with the rules alone")
    parser.add_argument(
        "--folds",
        type=int,
        default=5,
        help="cross-validate over this many parts (1: the seed model alone); default 5",
    )
    parser.add_argument(
        "--without",
        action="append",
        default=[],
        choices=SIGNAL_KINDS,
        metavar="SIGNAL",
        help=f"leave a signal out (repeatable): {', '.join(SIGNAL_KINDS)}",
    )
    parser.add_argument("--ablation", action="store_true", help="also print what each signal adds")
    options = parser.parse_args(arguments)
    if options.folds < 1:
        parser.error("--folds must be 1 or more")
    model = None if options.no_model else default_model()
    settings = SpamSettings(disabled_signals=frozenset(options.without))
    entries = load_corpus(options.corpus)
    matrix = cross_validate(entries, options.folds, settings, model)
    folds = (
        "the seed model alone"
        if options.folds == 1 or model is None
        else (f"{options.folds}-fold cross-validation")
    )
    print(f"{options.corpus.name}: {len(entries)} comments, {folds}")
    print(matrix.report())
    if options.ablation:
        print()
        print(ablation(entries, options.folds, settings, model))
    return 0


if __name__ == "__main__":
    sys.exit(main())
