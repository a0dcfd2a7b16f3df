"""Measure the spam filter on a labelled corpus: `python -m comments_api.screening.evaluate FILE`.

The corpus is JSON Lines, one comment per line: `text`, `label` ("spam" or "legitimate"),
`author`, `member` and `new` (booleans), `website` (or null) and `links` (the URLs in the
text). A comment counts as held when the verdict is "hold" or "spam"; the moderation policy
for guests is left out, so this measures the filter alone.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from comments_api.screening.assess import Assessment, assess
from comments_api.screening.bayes import BayesState
from comments_api.screening.comment import CommentDraft, SpamContext
from comments_api.screening.pretrained import default_model
from comments_api.screening.settings import SpamSettings

__all__ = ["ConfusionMatrix", "CorpusEntry", "evaluate", "load_corpus", "main"]

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

    def draft(self) -> CommentDraft:
        """The comment as the API would receive it."""
        return CommentDraft(body=self.text, author_name=self.author, website=self.website)

    def context(self) -> SpamContext:
        """What the API would know: membership and novelty; no duplicate."""
        return SpamContext(is_member=self.is_member, author_is_new=self.author_is_new)


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
            reasons = "; ".join(assessment.reasons)
            self.wrongly_held.append(f"{entry.identifier} (score {assessment.score}: {reasons})")
        else:
            self.legitimate_published += 1

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
    """Assess every entry and count held and published comments by their true label."""
    matrix = ConfusionMatrix()
    for entry in entries:
        matrix.add(entry, assess(entry.draft(), entry.context(), model, settings))
    return matrix


def main(arguments: Sequence[str] | None = None) -> int:
    """Print the confusion matrix for a corpus with the default settings and seed model."""
    parser = argparse.ArgumentParser(
        prog="python -m comments_api.screening.evaluate", description=__doc__.splitlines()[0]
    )
    parser.add_argument("corpus", type=Path, help="JSON Lines file of labelled comments")
    parser.add_argument("--no-model", action="store_true", help="score with the rules alone")
    options = parser.parse_args(arguments)
    model = None if options.no_model else default_model()
    matrix = evaluate(load_corpus(options.corpus), model, SpamSettings())
    print(matrix.report())
    return 0


if __name__ == "__main__":
    sys.exit(main())
