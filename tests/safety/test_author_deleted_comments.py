"""A comment its author deleted stays deleted: no moderator action brings it back.

Authors withdraw a comment with its edit token, or have all their data deleted through the
e-mailed link. Either way the comment records it (`withdrawn_at`, kept in exports), the audit
log shows it (actor "author"), and `apply_action` (behind the CLI, the e-mailed links and the
moderation pages) refuses every action but "ban", with a message that says why.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import pytest

from comments_api import create_app
from comments_api.comments.backup import export_lines, import_lines
from comments_api.db.moderation_log import list_events
from comments_api.db.storage import Storage
from comments_api.db.tables import Status
from comments_api.mail.notifications import moderation_link
from comments_api.moderation.actions import ActionRefused, apply_action
from comments_api.privacy.deletion import delete_personal_data
from tests.harness import MODERATOR, MailApi, MailApiFactory
from tests.helpers import cli_variables, comments_api_cli

pytestmark = pytest.mark.anyio


async def withdrawn_comment(api: MailApi) -> int:
    """A held guest comment, then deleted by its author with the edit token."""
    created = (await api.post(body="On second thoughts, never mind")).json()
    comment_id: int = created["comment"]["id"]
    deleted = await api.client.delete(
        f"/api/v1/comments/{comment_id}", headers={"X-Edit-Token": created["edit_token"]}
    )
    assert deleted.status_code == 204
    return comment_id


async def test_the_cli_refuses_to_approve_a_comment_its_author_deleted(
    make_mail_api: MailApiFactory,
) -> None:
    api = await make_mail_api()
    comment_id = await withdrawn_comment(api)
    variables = cli_variables(api.settings.database_url, api.settings.secret_key)

    result = comments_api_cli("approve", str(comment_id), env=variables)

    assert result.returncode == 1
    assert f"Comment {comment_id} was deleted by its author and stays deleted" in result.stderr
    assert "Approved" not in result.stdout
    assert api.stored(comment_id).status == Status.DELETED.value
    assert await api.public_ids() == []
    with api.session() as session:
        logged = [(event.action, event.actor) for event in list_events(session)]
    assert logged == [("withdraw", "author")], "a refused action leaves no trace in the log"


@pytest.mark.parametrize("action", ["approve", "restore", "reject", "spam", "delete"])
async def test_no_action_resurrects_a_withdrawn_comment(
    make_mail_api: MailApiFactory, action: str
) -> None:
    api = await make_mail_api()
    comment_id = await withdrawn_comment(api)

    with pytest.raises(ActionRefused, match="deleted by its author"):
        api.act(comment_id, action)  # type: ignore[arg-type]

    assert api.stored(comment_id).status == Status.DELETED.value


async def test_a_moderator_can_still_ban_the_author_and_the_comment_stays_deleted(
    make_mail_api: MailApiFactory,
) -> None:
    api = await make_mail_api()
    comment_id = await withdrawn_comment(api)

    api.act(comment_id, "ban")
    with pytest.raises(ActionRefused):
        api.act(comment_id, "approve")  # the ban's audit row does not make it a moderator's

    assert api.stored(comment_id).status == Status.DELETED.value
    refused = await api.post(body="Back again")
    assert refused.status_code == 403


async def test_a_comment_a_moderator_deleted_can_be_restored(
    make_mail_api: MailApiFactory,
) -> None:
    api = await make_mail_api()
    comment_id = (await api.post(body="Deleted by mistake")).json()["comment"]["id"]
    api.act(comment_id, "approve")
    api.act(comment_id, "delete")
    api.act(comment_id, "ban")  # keeps it deleted; still the moderator's deletion

    api.act(comment_id, "restore")
    api.act(comment_id, "approve")

    assert await api.public_ids() == [comment_id]


async def test_comments_erased_through_the_deletion_link_stay_deleted(
    make_mail_api: MailApiFactory,
) -> None:
    api = await make_mail_api()
    comment_id = (await api.post(body="Please forget me")).json()["comment"]["id"]
    with api.app.state.service.storage.writing() as session:
        delete_personal_data(session, "ada@example.org")

    with pytest.raises(ActionRefused):
        api.act(comment_id, "approve")
    assert await api.public_ids() == []


async def test_the_emailed_approve_link_explains_why_it_cannot_approve(
    make_mail_api: MailApiFactory,
) -> None:
    api = await make_mail_api()
    comment_id = await withdrawn_comment(api)
    link = moderation_link(api.settings, comment_id, "approve", MODERATOR)

    answer = await api.client.post(link)

    assert answer.status_code == 409
    assert "deleted by its author and stays deleted" in answer.text
    assert api.stored(comment_id).status == Status.DELETED.value


async def test_withdrawing_a_comment_marks_it_and_logs_the_author_as_the_actor(
    make_mail_api: MailApiFactory,
) -> None:
    api = await make_mail_api()
    comment_id = await withdrawn_comment(api)

    assert api.stored(comment_id).withdrawn_at is not None
    with api.session() as session:
        [event] = list_events(session)
        logged = (event.comment_id, event.actor, event.action, event.from_status, event.to_status)
    assert logged == (comment_id, "author", "withdraw", "pending", "deleted")


async def test_deleting_ones_data_logs_a_withdrawal_for_each_comment(
    make_mail_api: MailApiFactory,
) -> None:
    api = await make_mail_api(moderation="hold-guests")  # every comment of Ada's is held
    held = (await api.post(body="First thoughts")).json()["comment"]["id"]
    published = (await api.post(body="Second thoughts")).json()["comment"]["id"]
    api.act(published, "approve")
    reply = (
        await api.post(body="A reply", author="Bo", email="bo@example.org", parent=published)
    ).json()["comment"]["id"]
    api.act(reply, "approve")
    already_withdrawn = await withdrawn_comment(api)

    with api.app.state.service.storage.writing() as session:
        delete_personal_data(session, "ada@example.org")

    with api.session() as session:
        withdrawals = {
            event.comment_id: (event.from_status, event.to_status)
            for event in list_events(session)
            if event.actor == "author"
        }
    assert withdrawals == {
        held: ("pending", "deleted"),
        published: ("approved", "approved"),  # kept as a placeholder: it has a reply
        already_withdrawn: ("pending", "deleted"),  # logged once, when it was withdrawn
    }
    assert all(api.stored(i).withdrawn_at is not None for i in (held, published))
    assert api.stored(reply).withdrawn_at is None


@contextmanager
def restored_copy(api: MailApi, folder: Path) -> Iterator[Storage]:
    """The service's data exported, then imported into an empty database (no audit log)."""
    exported = list(export_lines(api.app.state.service.storage))
    settings = replace(api.settings, database_url=f"sqlite:///{folder / 'restored.sqlite3'}")
    app = create_app(settings)
    storage: Storage = app.state.service.storage
    try:
        import_lines(storage, exported)
        yield storage
    finally:
        storage.close()
        storage.engine.dispose()


async def test_withdrawals_survive_an_export_and_import(
    make_mail_api: MailApiFactory, tmp_path: Path
) -> None:
    api = await make_mail_api()
    withdrawn_id = await withdrawn_comment(api)
    by_moderator = (await api.post(body="Deleted by a moderator")).json()["comment"]["id"]
    api.act(by_moderator, "delete")

    with restored_copy(api, tmp_path) as restored:
        with restored.writing() as session, pytest.raises(ActionRefused):
            apply_action(session, withdrawn_id, "restore", MODERATOR)
        with restored.writing() as session:
            apply_action(session, by_moderator, "restore", MODERATOR)
        with restored.reading() as session:
            assert list_events(session)[0].comment_id == by_moderator
