"""assess(): rules with reasons, the learning filter and the personal-data guard, together."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from comments_api.screening import (
    Assessment,
    BayesState,
    CommentDraft,
    SpamContext,
    SpamSettings,
    assess,
    default_model,
    learning_text,
    train_many,
)

DEFAULTS = SpamSettings()
ESTABLISHED_MEMBER = SpamContext(is_member=True, author_is_new=False)
NEW_GUEST = SpamContext(is_member=False, author_is_new=True)

# The kind of comment the page this blog is modelled on showed: promotion for an unrelated company.
COMPANY_PITCH = (
    "Crestmoor Analytics is a renowned organization that specializes in data annotation, "
    "transcription and virtual assistant services for businesses across the globe. "
    "https://crestmoor-analytics.com"
)


def assess_text(
    body: str,
    context: SpamContext = ESTABLISHED_MEMBER,
    model: BayesState | None = None,
    spam_settings: SpamSettings = DEFAULTS,
    **draft_fields: str,
) -> Assessment:
    """Assess a body with the given context (an established member unless told otherwise)."""
    return assess(CommentDraft(body=body, **draft_fields), context, model, spam_settings)


def reasons_text(assessment: Assessment) -> str:
    """All reasons in one string, for readable assertions."""
    return " | ".join(assessment.reasons)


@pytest.mark.parametrize(
    "model", [None, BayesState(), default_model()], ids=["none", "empty", "seed"]
)
def test_promotional_link_spam_for_an_unrelated_company_is_held_on_the_first_try(
    model: BayesState | None,
) -> None:
    assessment = assess_text(COMPANY_PITCH, NEW_GUEST, model, author_name="Maria")
    assert assessment.verdict in ("hold", "spam")
    assert "reads like an advert for a company's services" in assessment.reasons
    assert "crestmoor-analytics.com" in reasons_text(assessment)
    assert assessment.link_domains == ["crestmoor-analytics.com"]


def test_a_company_pitch_without_a_link_is_still_held() -> None:
    body = "Harbour Legal is a leading firm that specializes in conveyancing services."
    assert assess_text(body, NEW_GUEST).verdict == "hold"


def test_an_established_member_linking_to_trusted_sources_is_published() -> None:
    body = (
        "The NICE guideline (https://www.nice.org.uk/guidance/ng51) and this BMJ paper "
        "https://qualitysafety.bmj.com/content/33/1/1 back up your point about escalation."
    )
    assessment = assess_text(body, model=default_model())
    assert assessment.verdict == "publish"
    assert assessment.reasons == []
    assert assessment.link_domains == ["nice.org.uk", "qualitysafety.bmj.com"]


def test_links_outside_the_trusted_list_are_named_in_the_reasons() -> None:
    assessment = assess_text(
        "Our charity wrote a guide for carers that covers exactly this: "
        "https://carers-together.org/guide"
    )
    assert "links to a domain outside the trusted list: carers-together.org" in assessment.reasons
    assert assessment.verdict == "publish"


def test_the_site_can_trust_its_own_domain() -> None:
    body = "More in https://blog.improvement.example/posts/flow.html"
    trusting = DEFAULTS.trusting("improvement.example")
    assert assess_text(body, NEW_GUEST, spam_settings=trusting).reasons == []
    assert assess_text(body, NEW_GUEST).reasons != []


def test_the_same_text_posted_again_is_reported() -> None:
    context = SpamContext(duplicate_exists=True)
    assessment = assess_text("Great point about handover.", context)
    assert "the same text was posted before" in assessment.reasons


def test_a_new_author_posting_links_costs_more_than_an_established_one() -> None:
    body = "I wrote about this too: https://my-ward-notes.net/handover"
    new_guest = assess_text(body, NEW_GUEST)
    new_member = assess_text(body, SpamContext(is_member=True, author_is_new=True))
    established = assess_text(body, ESTABLISHED_MEMBER)
    assert "a first-time guest posting links" in new_guest.reasons
    assert "a new member posting links" in new_member.reasons
    assert new_guest.score > new_member.score > established.score


def test_link_only_comments_and_many_links_are_reported() -> None:
    only_a_link = assess_text("https://spin-wheel-prizes.win", NEW_GUEST)
    assert "little or no text besides the links" in only_a_link.reasons
    assert only_a_link.verdict == "hold"
    many = assess_text(
        "See https://a-deals.shop and https://b-deals.shop and https://c-deals.shop for more.",
        NEW_GUEST,
    )
    assert "3 links in one comment" in many.reasons


def test_short_generic_praise_next_to_a_link_is_held() -> None:
    body = "Nice post, thanks for sharing! https://garden-sheds-direct.com"
    assessment = assess_text(body, NEW_GUEST)
    assert "short generic praise next to a link" in assessment.reasons
    assert assessment.verdict in ("hold", "spam")


def test_promotional_wording_is_quoted_in_the_reasons() -> None:
    assessment = assess_text("Click here for cheap SEO and casino bonuses.", NEW_GUEST)
    assert 'promotional wording ("SEO", "casino", "cheap", "click here")' in assessment.reasons
    assert assessment.verdict == "spam"


def test_an_advert_for_a_name_is_reported() -> None:
    assessment = assess_text("Interesting.", NEW_GUEST, author_name="Cheap SEO Services")
    assert 'the author name reads like an advert: "Cheap SEO Services"' in assessment.reasons


def test_patient_identifying_details_hold_an_otherwise_clean_comment() -> None:
    body = "My patient (NHS number 943 476 5919, DOB 12/03/1954) waited nine hours."
    assessment = assess_text(body, model=default_model())
    assert assessment.verdict == "hold"
    assert assessment.score < DEFAULTS.hold_threshold
    assert "looks like an NHS number: please remove details that could identify a patient" in (
        assessment.reasons
    )
    assert "looks like a date of birth" in reasons_text(assessment)
    assert "943 476 5919" not in reasons_text(assessment), "reasons must not repeat the detail"
    assert [finding.kind for finding in assessment.personal_data] == ["nhs_number", "date_of_birth"]


def test_spam_beats_hold_when_the_score_is_high_enough() -> None:
    context = SpamContext(duplicate_exists=True)
    strict = SpamSettings(hold_threshold=20.0, spam_threshold=40.0)
    assessment = assess_text("Call 07700 900123 for cheap loans", context, spam_settings=strict)
    assert assessment.verdict == "spam"


def test_the_learning_filter_adds_a_reason_and_points_once_it_knows_the_pattern() -> None:
    body = "Lovely thoughts. Gnomeworld garden gnomes are the finest, free delivery this week"
    untrained = assess_text(body, NEW_GUEST, BayesState())
    lessons = [
        ("Fantastic garden gnomes at gnomeworld, free delivery", True),
        ("Gnomeworld: the finest garden gnomes with free delivery this week", True),
        ("Garden gnomes from gnomeworld, the finest around, free delivery", True),
        ("Free delivery this week on gnomeworld garden gnomes", True),
        ("We reviewed the discharge checklist with ward managers", False),
        ("Lovely to hear the ward managers backed the checklist", False),
        ("The ward managers and the discharge team met this week", False),
        ("Thoughts on the checklist from the ward managers", False),
    ]
    trained = assess_text(body, NEW_GUEST, train_many(BayesState(), lessons))
    assert untrained.verdict == "publish"
    assert trained.verdict == "hold"
    assert trained.spam_probability is not None and trained.spam_probability > 0.9
    assert any(reason.startswith("the learning filter rates it") for reason in trained.reasons)


def test_learning_text_includes_the_name_and_website_the_filter_also_reads() -> None:
    draft = CommentDraft(body="Hello", author_name="Ann", website="https://ann.example")
    assert learning_text(draft) == "Hello\nAnn\nhttps://ann.example"


@pytest.mark.parametrize(
    "overrides",
    [
        {"hold_threshold": 95.0, "spam_threshold": 90.0},
        {"hold_threshold": 0.0},
        {"model_weight": 150.0},
    ],
)
def test_settings_that_cannot_work_are_refused(overrides: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        SpamSettings(**overrides)  # type: ignore[arg-type]


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=400), st.booleans(), st.booleans(), st.booleans())
def test_any_text_gets_a_score_between_0_and_100_and_a_verdict(
    body: str, is_member: bool, author_is_new: bool, duplicate_exists: bool
) -> None:
    context = SpamContext(is_member, author_is_new, duplicate_exists=duplicate_exists)
    assessment = assess(CommentDraft(body), context, default_model(), DEFAULTS)
    assert 0 <= assessment.score <= 100
    assert assessment.verdict in ("publish", "hold", "spam")


SPAM_DECISIONS = (
    "hi, original text essays for you, thanks, useful writers at essay-aid.example",
    "Hi! 100% original text, plagiarism free, useful for every student, order now",
    "hi dear, thanks for the post, original essays cheap at paper-mill.example",
    "Hi there, useful tip: original coursework written for you, whatsapp us",
    "hi all, we write original text for your assignments, thanks",
)
SHORT_BENIGN_COMMENTS = ("hi", "Original text.", "Thanks, useful", "Hi, thanks!", "Useful text")


@pytest.mark.parametrize("decisions", [1, 2, 5, 20])
@pytest.mark.parametrize("start", ["empty", "seed"])
def test_a_few_spam_decisions_never_hold_short_benign_comments(decisions: int, start: str) -> None:
    model = default_model() if start == "seed" else BayesState()
    lessons = [
        (f"{SPAM_DECISIONS[index % len(SPAM_DECISIONS)]} {index}", True)
        for index in range(decisions)
    ]
    if start == "empty":
        lessons.append(("We tried the run chart on our ward and it helped", False))
    taught = train_many(model, lessons)
    for body in SHORT_BENIGN_COMMENTS:
        for context in (NEW_GUEST, ESTABLISHED_MEMBER):
            assessment = assess_text(body, context, taught)
            assert assessment.score < DEFAULTS.hold_threshold, (body, assessment.reasons)
            assert assessment.verdict == "publish", (body, assessment.reasons)


def test_the_learning_filter_alone_can_hold_a_comment_but_never_file_it_as_spam() -> None:
    lessons = [(f"gnomeworld garden gnomes free delivery offer {n}", True) for n in range(30)]
    lessons += [(f"the ward managers reviewed the checklist on day {n}", False) for n in range(30)]
    model = train_many(BayesState(), lessons)
    assessment = assess_text("Gnomeworld garden gnomes, free delivery offer", NEW_GUEST, model)
    assert assessment.spam_probability is not None and assessment.spam_probability > 0.99
    assert assessment.score >= DEFAULTS.hold_threshold
    assert assessment.verdict == "hold"
    member = assess_text("Gnomeworld garden gnomes, free delivery offer", ESTABLISHED_MEMBER, model)
    assert member.verdict == "publish", "the filter alone never holds a member's comment"


def test_every_reason_is_explained_with_its_points() -> None:
    assessment = assess_text(COMPANY_PITCH, NEW_GUEST)
    explained = assessment.explained()
    assert "reads like an advert for a company's services (+50)" in explained
    assert sum(signal.points for signal in assessment.signals) >= assessment.score
    assert len(explained) == len(assessment.reasons)
