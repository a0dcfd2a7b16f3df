"""Messages to moderators and commenters, followed link by link as a person would."""

from __future__ import annotations

import time
from dataclasses import replace

import pytest
from sqlalchemy import select

from comments_api.db.tables import OutboxMessage, Status
from comments_api.mail.notifications import moderation_link
from tests.harness import MODERATOR, MailApiFactory
from tests.helpers import free_port
from tests.smtp import link_containing, links_in, text_of

pytestmark = pytest.mark.anyio


async def test_a_moderator_approves_a_held_comment_from_the_email_once(
    make_mail_api: MailApiFactory,
) -> None:
    api = await make_mail_api()
    created = (await api.post(body="A thoughtful question about discharge planning.")).json()
    comment_id = created["comment"]["id"]
    assert created["status"] == "pending"

    assert api.run_background_round() == 1
    [message] = api.smtp.mailbox.wait_for(1)
    assert message["To"] == MODERATOR
    assert "Held for moderation" in message["Subject"]
    body = text_of(message)
    assert "a first comment from this address is held for a moderator" in body
    assert "ada@example.org" in body
    approve = link_containing(message, "/moderation/email-action/")
    assert len([link for link in links_in(message) if "email-action" in link]) == 2

    # Opening the link (as a mail scanner would) changes nothing.
    shown = await api.client.get(approve)
    assert shown.status_code == 200
    assert "Approve this comment?" in shown.text
    assert api.stored(comment_id).status == Status.PENDING.value
    assert await api.public_ids() == []

    done = await api.client.post(approve)
    assert done.status_code == 200, done.text
    assert "Comment approved" in done.text
    assert await api.public_ids() == [comment_id]

    again = await api.client.post(approve)
    assert again.status_code == 410
    assert "already used" in again.text
    assert (await api.client.get(approve)).status_code == 410

    from comments_api.db.moderation_log import list_events

    with api.session() as session:
        [event] = list_events(session)
    assert (event.action, event.actor) == ("approve", f"{MODERATOR} (e-mail link)")
    assert api.run_background_round() == 0, "each held comment is announced once"


async def test_an_expired_or_forged_moderator_link_is_refused(
    make_mail_api: MailApiFactory,
) -> None:
    api = await make_mail_api(moderation_link_hours=1)
    comment_id = (await api.post()).json()["comment"]["id"]
    two_hours_ago = time.time() - 2 * 3600
    expired = moderation_link(api.settings, comment_id, "approve", MODERATOR, two_hours_ago)
    for method in ("GET", "POST"):
        response = await api.client.request(method, expired)
        assert response.status_code == 410
        assert "expired" in response.text
    forged = moderation_link(
        replace(api.settings, secret_key="x" * 40), comment_id, "approve", MODERATOR
    )
    assert (await api.client.post(forged)).status_code == 400
    stranger = moderation_link(api.settings, comment_id, "approve", "someone@else.test")
    assert (await api.client.post(stranger)).status_code == 403
    assert api.stored(comment_id).status == Status.PENDING.value


async def test_a_digest_lists_every_held_comment_in_one_message(
    make_mail_api: MailApiFactory,
) -> None:
    api = await make_mail_api(moderator_digest=60)
    for number in range(3):
        await api.post(body=f"Question number {number} about waiting lists.")
    assert api.run_background_round() == 1
    [digest] = api.smtp.mailbox.wait_for(1)
    assert digest["Subject"] == "3 comment(s) waiting for moderation"
    assert len([link for link in links_in(digest) if "email-action" in link]) == 6
    await api.post(body="A fourth one, within the hour.")
    assert api.run_background_round() == 0, "the next digest waits for its hour"


async def test_a_reply_notification_has_one_click_unsubscribe(
    make_mail_api: MailApiFactory,
) -> None:
    api = await make_mail_api()
    parent = (await api.post(body="Parent comment", notify=True)).json()["comment"]["id"]
    api.act(parent, "approve")
    reply = (
        await api.post(body="A reply from Bo", author="Bo", email="bo@example.org", parent=parent)
    ).json()["comment"]["id"]
    api.act(reply, "approve")
    api.run_background_round()
    # Both comments were approved before the round: no held-comment alerts, just the reply.
    messages = api.smtp.mailbox.wait_for(1)
    [notice] = api.smtp.mailbox.to("ada@example.org")
    assert notice["Subject"] == "Bo replied to your comment on First post"
    assert "A reply from Bo" in text_of(notice)
    assert f"http://blog.test/posts/first.html#comment-{reply}" in text_of(notice)
    header = notice["List-Unsubscribe"]
    assert header.startswith("<http://api.test/api/v1/unsubscribe?token=") and header.endswith(">")
    assert notice["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert len(messages) == 1

    link = header.strip("<>")
    confirm = await api.client.get(link)
    assert confirm.status_code == 200 and "Unsubscribe" in confirm.text
    assert api.stored(parent).notify is True, "GET changes nothing"
    # What a mail program sends for a one-click unsubscribe (RFC 8058).
    done = await api.client.post(
        link,
        content="List-Unsubscribe=One-Click",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert done.status_code == 200
    assert api.stored(parent).notify is False

    second = (
        await api.post(body="Another reply", author="Cy", email="cy@example.org", parent=parent)
    ).json()["comment"]["id"]
    api.act(second, "approve")
    api.run_background_round()
    assert len(api.smtp.mailbox.to("ada@example.org")) == 1, "no more reply e-mails"


async def test_the_deletion_link_deletes_the_commenters_data(
    make_mail_api: MailApiFactory,
) -> None:
    api = await make_mail_api(moderation="publish")
    mine = (
        await api.post(body="My story with my details", website="https://ada.example", notify=True)
    ).json()["comment"]["id"]
    held = (await api.post(body="Second thought")).json()["comment"]["id"]
    reply = (
        await api.post(body="Reply by Bo", author="Bo", email="bo@example.org", parent=mine)
    ).json()["comment"]["id"]
    api.run_background_round()
    before = len(api.smtp.mailbox.messages)

    unknown = await api.client.post(
        "/api/v1/privacy/delete-request", json={"email": "nobody@example.org"}
    )
    asked = await api.client.post(
        "/api/v1/privacy/delete-request", json={"email": "Ada@Example.org"}
    )
    assert unknown.status_code == asked.status_code == 202
    assert unknown.json() == asked.json(), "the answer does not reveal who has commented"
    api.run_background_round()
    [message] = api.smtp.mailbox.wait_for(before + 1)[before:]
    assert message["To"] == "ada@example.org"
    link = link_containing(message, "/api/v1/privacy/delete?token=")

    confirm = await api.client.get(link)
    assert confirm.status_code == 200 and "Delete my comments" in confirm.text
    assert api.stored(mine).author_email == "ada@example.org", "GET deletes nothing"
    done = await api.client.post(link)
    assert done.status_code == 200, done.text

    kept_place = api.stored(mine)
    assert kept_place.author_email is None and kept_place.client_hash is None
    assert kept_place.body_md == "" and kept_place.author_url is None
    assert api.stored(held).status == Status.DELETED.value
    assert api.stored(held).body_md == ""
    listing = (await api.client.get("/api/v1/threads/first-post/comments")).json()["comments"]
    by_id = {comment["id"]: comment for comment in listing}
    assert by_id[mine]["html"] == "<p><em>Comment deleted.</em></p>"
    assert by_id[mine]["author"] == "[deleted]"
    assert by_id[reply]["parent"] == mine, "the reply keeps its place in the thread"
    assert "ada@example.org" not in str(listing).lower()
    with api.session() as session:
        left = session.scalars(select(OutboxMessage.recipient)).all()
    assert "ada@example.org" not in left
    assert (await api.client.post(link)).status_code == 410


async def test_when_smtp_is_down_the_comment_is_kept_and_the_mail_goes_later(
    make_mail_api: MailApiFactory,
) -> None:
    api = await make_mail_api(smtp_port=free_port())
    response = await api.post(body="Posted while the mail server is down")
    assert response.status_code == 201
    comment_id = response.json()["comment"]["id"]
    assert api.run_background_round() == 0
    assert api.stored(comment_id).status == Status.PENDING.value
    with api.session() as session:
        [waiting] = session.scalars(select(OutboxMessage)).all()
    assert waiting.attempts == 1 and waiting.sent_at is None

    from datetime import timedelta

    from comments_api.db.tables import utcnow
    from comments_api.mail import deliver_pending

    back = replace(api.settings, smtp_port=api.smtp.port)
    engine = api.app.state.service.storage.engine
    assert deliver_pending(engine, back, now=utcnow() + timedelta(minutes=5)) == 1
    [message] = api.smtp.mailbox.wait_for(1)
    assert "Posted while the mail server is down" in text_of(message)


async def test_an_unsubscribe_link_mailed_before_links_left_out_addresses_still_works(
    make_mail_api: MailApiFactory,
) -> None:
    from comments_api.mail.signed_links import sign_token

    api = await make_mail_api()
    parent = (await api.post(body="Parent comment", notify=True)).json()["comment"]["id"]
    old_token = sign_token(api.settings, "unsubscribe", {"e": "ada@example.org"})

    done = await api.client.post("/api/v1/unsubscribe", params={"token": old_token})

    assert done.status_code == 200, done.text
    assert api.stored(parent).notify is False
