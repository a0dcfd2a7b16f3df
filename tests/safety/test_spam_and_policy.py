"""Spam, personal data, policies and bans, through the real API."""

from __future__ import annotations

import pytest

from comments_api.db.tables import Status
from comments_api.moderation.actions import AlreadyDone
from tests.harness import MailApiFactory

pytestmark = pytest.mark.anyio

COMPANY_SPAM = (
    "Brightpath Digital is a renowned organization that specializes in SEO and link building "
    "services. Visit our website https://brightpath-seo.example/services for the best prices!"
)
LINK_FARM = (
    "Best casino bonus, cheap loans and crypto signals: https://spin-win.example "
    "https://cheap-loans.example https://crypto-pump.example click here and buy now!"
)
# 943 476 5919 passes the NHS number's mod-11 check.
PATIENT_DETAILS = "My neighbour (NHS number 943 476 5919) was discharged without a care plan."
LEGITIMATE = "The discharge checklist in this post matches what our ward uses; thank you."


async def test_promotional_spam_for_an_unrelated_company_is_held_on_the_first_try(
    make_mail_api: MailApiFactory,
) -> None:
    api = await make_mail_api(moderation="hold-first-time-guests")
    response = await api.post(
        author="Brightpath", email="sales@brightpath.example", body=COMPANY_SPAM
    )
    assert response.status_code == 201
    created = response.json()
    assert created["status"] == "pending", "the sender is not told it was filed as spam"
    stored = api.stored(created["comment"]["id"])
    assert stored.status in {Status.PENDING.value, Status.SPAM.value}
    assert stored.spam_score >= 50
    assert "reads like an advert for a company's services" in stored.held_reasons
    assert "brightpath-seo.example" in stored.held_reasons
    assert await api.public_ids() == []


async def test_a_spam_verdict_never_reaches_the_page(make_mail_api: MailApiFactory) -> None:
    api = await make_mail_api(moderation="hold-first-time-guests")
    # A returning guest, normally published at once...
    first = (await api.post(body=LEGITIMATE)).json()["comment"]["id"]
    api.act(first, "approve")
    response = await api.post(body=LINK_FARM)
    comment_id = response.json()["comment"]["id"]
    assert response.json()["status"] == "pending"
    assert api.stored(comment_id).status == Status.SPAM.value
    assert await api.public_ids() == [first]
    feed = await api.client.get("/api/v1/feed.atom")
    assert "spin-win.example" not in feed.text
    api.run_background_round()
    assert api.smtp.mailbox.messages == [] or all(
        "spin-win" not in str(message) for message in api.smtp.mailbox.messages
    ), "moderators are not mailed about the spam folder"


async def test_patient_details_hold_a_comment_with_that_reason(
    make_mail_api: MailApiFactory,
) -> None:
    api = await make_mail_api(moderation="hold-first-time-guests")
    first = (await api.post(body=LEGITIMATE)).json()["comment"]["id"]
    api.act(first, "approve")
    trusted = await api.post(body="A second, ordinary comment from a known guest.")
    assert trusted.json()["status"] == "approved", "a known guest is published at once"
    held = await api.post(body=PATIENT_DETAILS)
    assert held.json()["status"] == "pending"
    stored = api.stored(held.json()["comment"]["id"])
    assert stored.status == Status.PENDING.value
    assert "looks like an NHS number" in stored.held_reasons
    assert "943 476 5919" not in stored.held_reasons


async def test_the_widget_can_check_for_personal_data_before_posting(
    make_mail_api: MailApiFactory,
) -> None:
    api = await make_mail_api()
    response = await api.client.post(
        "/api/v1/check-personal-data",
        json={"body": PATIENT_DETAILS + " Call me on 07700 900123."},
        headers={"Origin": "http://blog.test"},
    )
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "http://blog.test"
    findings = response.json()["findings"]
    assert {finding["kind"] for finding in findings} == {"nhs_number", "phone_number"}
    assert "943" not in response.text and "07700" not in response.text
    invalid = await api.client.post(
        "/api/v1/check-personal-data", json={"body": "Reference 943 476 5918 (bad check digit)"}
    )
    assert invalid.json() == {"findings": []}


async def test_by_default_a_guest_whose_comment_was_approved_is_published_at_once(
    make_mail_api: MailApiFactory,
) -> None:
    api = await make_mail_api()
    first = await api.post(body=LEGITIMATE)
    assert first.json()["status"] == "pending"
    assert (
        "a first comment from this address is held"
        in api.stored(first.json()["comment"]["id"]).held_reasons
    )
    api.act(first.json()["comment"]["id"], "approve")
    again = await api.post(body="Another ordinary comment from the same guest.")
    assert again.json()["status"] == "approved"
    assert again.json()["comment"]["id"] in await api.public_ids()
    suspicious = await api.post(body=PATIENT_DETAILS)
    assert suspicious.json()["status"] == "pending", "the screening still holds what it finds"


async def test_hold_guests_holds_every_guest_and_members_are_published(
    make_mail_api: MailApiFactory,
) -> None:
    api = await make_mail_api(moderation="hold-guests")
    first = (await api.post(body=LEGITIMATE)).json()["comment"]["id"]
    api.act(first, "approve")
    again = await api.post(body="Another ordinary comment from the same guest.")
    assert again.json()["status"] == "pending"
    assert "guest comments are held" in api.stored(again.json()["comment"]["id"]).held_reasons


async def test_a_banned_author_is_refused_with_a_clear_message(
    make_mail_api: MailApiFactory,
) -> None:
    api = await make_mail_api()
    comment_id = (await api.post(body="Rude words here.")).json()["comment"]["id"]
    api.act(comment_id, "ban")
    assert api.stored(comment_id).status == Status.REJECTED.value
    refused = await api.post(body="Trying again.")
    assert refused.status_code == 403
    assert "blocked" in refused.json()["detail"]
    neighbour = await api.post(body="From the same network.", email="new@example.org")
    assert neighbour.status_code == 201, "the person is banned, not everyone at their address"


async def test_moderators_teach_the_filter_and_similar_spam_scores_higher(
    make_mail_api: MailApiFactory,
) -> None:
    api = await make_mail_api(moderation="hold-all")
    pitch = (
        "Our {n} bamboo flooring warehouse delivers sustainable parquet planks nationwide, "
        "ask about bamboo parquet planks today."
    )
    probe = (await api.post(body=pitch.format(n="new"))).json()["comment"]["id"]
    before = api.stored(probe).spam_score
    for number in range(6):
        taught = (
            await api.post(
                body=pitch.format(n=f"number {number}"), email=f"seller{number}@example.org"
            )
        ).json()["comment"]["id"]
        api.act(taught, "spam")
    later = await api.post(body=pitch.format(n="latest"), email="other@example.org")
    after = api.stored(later.json()["comment"]["id"]).spam_score
    assert after > before
    assert "learning filter" in api.stored(later.json()["comment"]["id"]).held_reasons


async def test_a_reversed_decision_is_unlearned_not_counted_twice(
    make_mail_api: MailApiFactory,
) -> None:
    from sqlalchemy import select

    from comments_api.db.tables import SpamLesson, SpamToken

    api = await make_mail_api()
    comment_id = (await api.post(body="zebracorn zebracorn unusual words")).json()["comment"]["id"]
    api.act(comment_id, "spam")
    with pytest.raises(AlreadyDone):  # a second "spam" changes nothing, and teaches nothing
        api.act(comment_id, "spam")
    api.act(comment_id, "restore")
    api.act(comment_id, "approve")
    with api.session() as session:
        row = session.scalars(select(SpamToken).where(SpamToken.token == "zebracorn")).one()
        lesson = session.get(SpamLesson, comment_id)
    assert (row.spam_count, row.legitimate_count) == (0, 2)
    assert lesson is not None and lesson.is_spam is False
