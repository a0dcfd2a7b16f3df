"""The one entry point: score a comment draft and decide to publish, hold or file it as spam."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from comments_api.screening.bayes import BayesState, probability
from comments_api.screening.comment import CommentDraft, SpamContext
from comments_api.screening.links import find_links
from comments_api.screening.personal_data import PersonalDataFinding, find_personal_data
from comments_api.screening.rules import Signal, rule_signals
from comments_api.screening.settings import SpamSettings

__all__ = ["Assessment", "Verdict", "assess", "learning_text", "verdict_line"]

Verdict = Literal["publish", "hold", "spam"]
MODEL_REASON_MINIMUM_POINTS = 5.0
PERSONAL_DATA_ENDING = ": please remove details that could identify a patient"


@dataclass(frozen=True)
class Assessment:
    """The verdict on a comment with its score (0..100) and the reasons behind both."""

    score: float
    verdict: Verdict
    reasons: list[str]
    link_domains: list[str] = field(default_factory=list)
    personal_data: list[PersonalDataFinding] = field(default_factory=list)
    spam_probability: float | None = None
    signals: list[Signal] = field(default_factory=list)
    rule_score: float = 0.0

    def explained(self) -> list[str]:
        """Each reason with the points it added, strongest first, then the personal data."""
        lines = [f"{signal.reason} ({signal.points:+g})" for signal in self.signals]
        lines.extend(reason for reason in self.reasons if reason.endswith(PERSONAL_DATA_ENDING))
        return lines


def assess(
    draft: CommentDraft,
    context: SpamContext,
    model: BayesState | None,
    settings: SpamSettings,
) -> Assessment:
    """Score the draft from the rules and the learning filter, then apply the thresholds.

    The score is the sum of the rule points plus up to `settings.model_weight` points from the
    filter (nothing while it leans legitimate), clipped to 0..100. With no model only the rules
    count. See `verdict_for` for where the score holds or files the comment. Moderation policy
    (such as holding every guest) is the caller's and comes on top.
    """
    signals = rule_signals(draft, context, settings)
    rule_score = sum(signal.points for signal in signals)
    spam_probability = None if model is None else probability(model, learning_text(draft))
    if spam_probability is not None:
        model_points = round(settings.model_weight * max(0.0, 2 * spam_probability - 1), 1)
        if model_points >= MODEL_REASON_MINIMUM_POINTS:
            signals.append(
                Signal(
                    model_points,
                    f"the learning filter rates it {spam_probability:.0%} likely to be spam",
                    "learning-filter",
                )
            )
    score = round(min(100.0, max(0.0, sum(signal.points for signal in signals))), 1)
    personal_data = find_personal_data(draft.body)
    signals.sort(key=lambda signal: -signal.points)
    reasons = [signal.reason for signal in signals]
    reasons.extend(personal_data_reasons(personal_data))
    return Assessment(
        score=score,
        verdict=verdict_for(score, rule_score, bool(personal_data), context, settings),
        reasons=reasons,
        link_domains=list(dict.fromkeys(link.domain for link in find_links(draft.body))),
        personal_data=personal_data,
        spam_probability=spam_probability,
        signals=signals,
        rule_score=rule_score,
    )


def verdict_for(
    score: float,
    rule_score: float,
    has_personal_data: bool,
    context: SpamContext,
    settings: SpamSettings,
) -> Verdict:
    """Spam beats hold beats publish; personal data always holds at least.

    A guest's comment goes to the spam folder at `spam_threshold` when the rules alone would
    hold it (the learning filter can hold a comment, never file it as spam by itself), and is
    held at `hold_threshold`. A member answers for what they post, so the score holds a
    member's comment only halfway between the hold and the spam scores, when the rules alone
    would hold it, and files it as spam only when the rules alone reach the spam score (a bot
    filling the hidden field).
    """
    rules_would_hold = rule_score >= settings.hold_threshold
    if context.is_member:
        if rule_score >= settings.spam_threshold:
            return "spam"
        member_hold = (settings.hold_threshold + settings.spam_threshold) / 2
        if (score >= member_hold and rules_would_hold) or has_personal_data:
            return "hold"
        return "publish"
    if score >= settings.spam_threshold and rules_would_hold:
        return "spam"
    if score >= settings.hold_threshold or has_personal_data:
        return "hold"
    return "publish"


def verdict_line(assessment: Assessment, settings: SpamSettings) -> str:
    """The filter's own verdict in one line, for moderators and for anyone measuring it."""
    where = {"publish": "publish", "hold": "hold for a moderator", "spam": "the spam folder"}
    return (
        f"spam filter verdict: {where[assessment.verdict]}, score {assessment.score:g} / 100 "
        f"(held from {settings.hold_threshold:g}, spam folder from {settings.spam_threshold:g})"
    )


def personal_data_reasons(findings: list[PersonalDataFinding]) -> list[str]:
    """One reason per kind of personal data found, without repeating the detail itself."""
    kinds = list(dict.fromkeys(finding.reason for finding in findings))
    return [f"{reason}{PERSONAL_DATA_ENDING}" for reason in kinds]


def learning_text(draft: CommentDraft) -> str:
    """What the learning filter reads (and should be trained on): body, name and website."""
    return "\n".join(part for part in (draft.body, draft.author_name, draft.website or "") if part)
