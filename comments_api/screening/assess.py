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

__all__ = ["Assessment", "Verdict", "assess", "learning_text"]

Verdict = Literal["publish", "hold", "spam"]
MODEL_REASON_MINIMUM_POINTS = 5.0


@dataclass(frozen=True)
class Assessment:
    """The verdict on a comment with its score (0..100) and the reasons behind both."""

    score: float
    verdict: Verdict
    reasons: list[str]
    link_domains: list[str] = field(default_factory=list)
    personal_data: list[PersonalDataFinding] = field(default_factory=list)
    spam_probability: float | None = None


def assess(
    draft: CommentDraft,
    context: SpamContext,
    model: BayesState | None,
    settings: SpamSettings,
) -> Assessment:
    """Score the draft from the rules and the learning filter, then apply the thresholds.

    The score is the sum of the rule points plus up to `settings.model_weight` points from the
    filter (nothing while it leans legitimate), clipped to 0..100. With no model only the rules
    count. A score at or above `spam_threshold` is "spam"; at or above `hold_threshold`, or any
    likely patient-identifying detail, is "hold"; anything else is "publish". Moderation policy
    (such as holding every guest) is the caller's and comes on top.
    """
    signals = rule_signals(draft, context, settings)
    spam_probability = None if model is None else probability(model, learning_text(draft))
    if spam_probability is not None:
        model_points = settings.model_weight * max(0.0, 2 * spam_probability - 1)
        if model_points >= MODEL_REASON_MINIMUM_POINTS:
            signals.append(
                Signal(
                    model_points,
                    f"the learning filter rates it {spam_probability:.0%} likely to be spam",
                )
            )
    score = round(min(100.0, max(0.0, sum(signal.points for signal in signals))), 1)
    personal_data = find_personal_data(draft.body)
    reasons = [signal.reason for signal in sorted(signals, key=lambda signal: -signal.points)]
    reasons.extend(personal_data_reasons(personal_data))
    return Assessment(
        score=score,
        verdict=verdict_for(score, bool(personal_data), settings),
        reasons=reasons,
        link_domains=list(dict.fromkeys(link.domain for link in find_links(draft.body))),
        personal_data=personal_data,
        spam_probability=spam_probability,
    )


def verdict_for(score: float, has_personal_data: bool, settings: SpamSettings) -> Verdict:
    """Spam beats hold beats publish; personal data always holds at least."""
    if score >= settings.spam_threshold:
        return "spam"
    if score >= settings.hold_threshold or has_personal_data:
        return "hold"
    return "publish"


def personal_data_reasons(findings: list[PersonalDataFinding]) -> list[str]:
    """One reason per kind of personal data found, without repeating the detail itself."""
    kinds = list(dict.fromkeys(finding.reason for finding in findings))
    return [f"{reason}: please remove details that could identify a patient" for reason in kinds]


def learning_text(draft: CommentDraft) -> str:
    """What the learning filter reads (and should be trained on): body, name and website."""
    return "\n".join(part for part in (draft.body, draft.author_name, draft.website or "") if part)
