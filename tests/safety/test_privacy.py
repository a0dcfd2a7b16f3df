"""Personal data that is no longer needed goes, on a SQLite file and on PostgreSQL.

Retention: `comments-api purge` with COMMENTS_RETENTION_DAYS, run as operators run it.

Approved comments older than the retention period lose the author's e-mail address and client
hash and keep their text; newer comments and held comments are left alone (a moderator may
still need to know who wrote a held comment).
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from comments_api.db.tables import (
    Comment,
    DeletionRequest,
    LoginToken,
    OutboxMessage,
    Status,
    utcnow,
)
from tests.harness import MODERATOR, MailApi, MailApiFactory
from tests.helpers import cli_variables, comments_api_cli, free_port

pytestmark = pytest.mark.anyio


def purge(api: MailApi, retention_days: int) -> str:
    """`comments-api purge` against the test's database."""
    variables = cli_variables(
        api.settings.database_url,
        api.settings.secret_key,
        COMMENTS_RETENTION_DAYS=str(retention_days),
    )
    result = comments_api_cli("purge", env=variables)
    assert result.returncode == 0, result.stderr
    return result.stdout


def age(api: MailApi, comment_id: int, days: int) -> None:
    """Pretend the comment was written `days` ago."""
    with api.session() as session, session.begin():
        session.execute(
            update(Comment)
            .where(Comment.id == comment_id)
            .values(created_at=utcnow() - timedelta(days=days))
        )


async def three_comments(api: MailApi) -> tuple[int, int, int]:
    """An approved comment 40 days old, an approved one 5 days old, a held one 40 days old."""
    old = (
        await api.post(
            body="Old but *still* worth reading", website="https://ada.example", notify=True
        )
    ).json()["comment"]["id"]
    recent = (await api.post(body="Recent thoughts", author="Bo", email="bo@example.org")).json()[
        "comment"
    ]["id"]
    held = (
        await api.post(body="Still waiting for a moderator", author="Cy", email="cy@example.org")
    ).json()["comment"]["id"]
    api.act(old, "approve")
    api.act(recent, "approve")
    age(api, old, 40)
    age(api, recent, 5)
    age(api, held, 40)
    return old, recent, held


async def test_purge_removes_addresses_from_old_approved_comments_and_keeps_their_text(
    make_mail_api: MailApiFactory,
) -> None:
    api = await make_mail_api()
    old, recent, held = await three_comments(api)
    before = {comment_id: api.stored(comment_id) for comment_id in (old, recent, held)}
    assert all(c.author_email and c.client_hash for c in before.values())
    listing_before = (await api.client.get("/api/v1/threads/first-post/comments")).json()

    assert "Removed personal data from 1 comments" in purge(api, retention_days=30)

    purged = api.stored(old)
    assert purged.author_email is None
    assert purged.client_hash is None
    assert purged.notify is False, "nobody left to notify"
    assert purged.status == Status.APPROVED.value
    assert purged.body_md == before[old].body_md
    assert purged.body_html == before[old].body_html
    assert (purged.author_name, purged.author_url) == ("Ada", "https://ada.example")
    for untouched in (recent, held):
        now = api.stored(untouched)
        assert (now.author_email, now.client_hash, now.status, now.body_md) == (
            before[untouched].author_email,
            before[untouched].client_hash,
            before[untouched].status,
            before[untouched].body_md,
        )
    listing_after = (await api.client.get("/api/v1/threads/first-post/comments")).json()
    assert listing_after["comments"] == listing_before["comments"], "readers see no change"

    assert "Removed personal data from 0 comments" in purge(api, retention_days=30)


async def test_without_a_retention_period_purge_keeps_everything(
    make_mail_api: MailApiFactory,
) -> None:
    api = await make_mail_api()
    old, _, _ = await three_comments(api)

    assert "Removed personal data from 0 comments" in purge(api, retention_days=0)
    assert api.stored(old).author_email == "ada@example.org"
    assert api.stored(old).client_hash


async def test_purge_deletes_mail_sent_before_the_retention_period(
    make_mail_api: MailApiFactory,
) -> None:
    api = await make_mail_api()
    await api.post(body="Held, so the moderators hear of it", author="Cy", email="cy@example.org")
    assert api.run_background_round() == 1
    [message] = api.smtp.mailbox.wait_for(1)
    assert "cy@example.org" in str(message), "moderator notices quote the author's address"
    await api.post(body="Another held one", author="Di", email="di@example.org")
    api.run_background_round()
    with api.session() as session, session.begin():
        first = session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).first()
        assert first is not None and first.sent_at is not None
        first.created_at = utcnow() - timedelta(days=40)

    purge(api, retention_days=30)

    with api.session() as session:
        left = session.scalars(select(OutboxMessage.text_body)).all()
    assert len(left) == 1, "only the message sent within the period is kept"
    assert "di@example.org" in left[0]
    assert all("cy@example.org" not in text for text in left)


async def test_deleting_ones_data_also_removes_moderator_mail_that_quotes_the_address(
    make_mail_api: MailApiFactory,
) -> None:
    from comments_api.privacy.deletion import delete_personal_data

    api = await make_mail_api(smtp_port=free_port())  # the mail server is down: mail waits
    await api.post(body="Held, and then I changed my mind", author="Cy", email="cy@example.org")
    await api.post(body="Held as well", author="Di", email="di@example.org")
    api.run_background_round()
    with api.session() as session:
        waiting = session.scalars(select(OutboxMessage)).all()
    assert {m.recipient for m in waiting} == {MODERATOR}
    assert any("cy@example.org" in m.text_body for m in waiting)

    with api.app.state.service.storage.writing() as session:
        delete_personal_data(session, "CY@example.org")

    with api.session() as session:
        left = session.scalars(select(OutboxMessage.text_body)).all()
    assert len(left) == 1 and "di@example.org" in left[0]


async def test_deleting_ones_data_also_removes_the_sign_in_links_asked_for_with_the_address(
    make_mail_api: MailApiFactory,
) -> None:
    from comments_api.privacy.deletion import delete_personal_data

    api = await make_mail_api(smtp_port=free_port())  # the mail server is down: mail waits
    asked = await api.client.post("/api/v1/auth/login", json={"email": "ed@example.org"})
    assert asked.status_code == 202, asked.text
    await api.client.post("/api/v1/auth/login", json={"email": "fay@example.org"})

    with api.app.state.service.storage.writing() as session:
        delete_personal_data(session, "Ed@example.org")

    with api.session() as session:
        kept = session.scalars(select(LoginToken.email)).all()
    assert kept == ["fay@example.org"]


async def test_a_deletion_link_used_twice_at_once_answers_used_not_a_server_error(
    make_mail_api: MailApiFactory,
) -> None:
    api = await make_mail_api(smtp_port=free_port())  # the mail server is down: mail waits
    await api.post(body="Mine", author="Gil", email="gil@example.org")
    await api.client.post("/api/v1/privacy/delete-request", json={"email": "gil@example.org"})
    link = deletion_link_waiting_for(api, "gil@example.org")
    # Both clicks found the link unused when they opened it.
    assert (await api.client.get(link)).status_code == 200
    assert (await api.client.get(link)).status_code == 200
    first = await api.client.post(link)
    assert first.status_code == 200, first.text
    second = await api.client.post(link)
    assert second.status_code == 410, second.text
    assert "already used" in second.text
    with api.session() as session:
        assert session.scalars(select(DeletionRequest)).all() == [], "the address went with it"


def deletion_link_waiting_for(api: MailApi, address: str) -> str:
    with api.session() as session:
        text = session.scalars(
            select(OutboxMessage.text_body).where(OutboxMessage.recipient == address)
        ).one()
    [link] = re.findall(r"http://api\.test/api/v1/privacy/delete\?token=\S+", text)
    return link.replace("http://api.test", "")


async def test_purge_forgets_expired_sign_in_links_with_their_address_and_client(
    make_mail_api: MailApiFactory,
) -> None:
    api = await make_mail_api(smtp_port=free_port())
    for address in ("ed@example.org", "fay@example.org"):
        asked = await api.client.post("/api/v1/auth/login", json={"email": address})
        assert asked.status_code == 202, asked.text
    with api.session() as session, session.begin():
        session.execute(
            update(LoginToken)
            .where(LoginToken.email == "ed@example.org")
            .values(expires_at=utcnow() - timedelta(seconds=1))
        )

    purge(api, retention_days=0)  # expired links go whatever the retention period

    with api.session() as session:
        kept = session.execute(select(LoginToken.email, LoginToken.client_hash)).all()
    assert [email for email, _ in kept] == ["fay@example.org"]
    assert all(client_hash for _, client_hash in kept), "the fresh link still works"


async def test_the_background_chores_forget_expired_deletion_links(
    make_mail_api: MailApiFactory,
) -> None:
    api = await make_mail_api(smtp_port=free_port())
    mine = (await api.post(body="Mine", author="Gil", email="gil@example.org")).json()["comment"]
    await api.post(body="Mine too", author="Hal", email="hal@example.org")
    for address in ("gil@example.org", "hal@example.org"):
        await api.client.post("/api/v1/privacy/delete-request", json={"email": address})
    link = deletion_link_waiting_for(api, "gil@example.org")
    with api.session() as session, session.begin():
        session.execute(
            update(DeletionRequest)
            .where(DeletionRequest.email == "gil@example.org")
            .values(expires_at=utcnow() - timedelta(seconds=1))
        )

    api.run_background_round()

    with api.session() as session:
        assert session.scalars(select(DeletionRequest.email)).all() == ["hal@example.org"]
    refused = await api.client.post(link)
    assert refused.status_code == 410
    assert api.stored(mine["id"]).author_email == "gil@example.org", "nothing was deleted"
