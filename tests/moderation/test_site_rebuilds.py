"""Which changes ask the static site to rebuild, and what the moderation pages say about it.

The real app over ASGI with a signed-in moderator (SQLite and PostgreSQL), and a real hook
receiver on a loopback port; one background round is `call_build_hook`, as the sender runs it.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from comments_api.db.site_rebuilds import rebuild_status
from comments_api.db.tables import utcnow
from comments_api.mail.build_hook import call_build_hook
from tests.harness import Desk, ServiceFactory, form_token
from tests.hook_receiver import HookReceiver

pytestmark = pytest.mark.anyio


@pytest.fixture
def receiver() -> Iterator[HookReceiver]:
    with HookReceiver(answers=(500, 204)) as running:
        yield running


async def hooked_desk(make_service: ServiceFactory, **overrides: object) -> Desk:
    service = await make_service(**overrides)
    service.make_user("moderator@example.org", "moderator", "Morgan Moderator")
    moderator = service.browser()
    await service.sign_in("moderator@example.org", "/moderation", client=moderator)
    page = await moderator.get("/moderation")
    assert page.status_code == 200, page.text
    return Desk(service, moderator, form_token(page.text))


async def rebuild_line(desk: Desk, path: str = "/moderation/log") -> str:
    page = await desk.page(path)
    line = page.find(id="site-rebuild")
    assert line is not None, "the page does not say when the site was last rebuilt"
    return " ".join(line.get_text().split())


def waiting(desk: Desk) -> bool:
    with desk.service.app.state.service.storage.reading() as session:
        return rebuild_status(session).waiting_since is not None


async def test_the_moderation_pages_say_when_the_site_was_asked_to_rebuild_and_how_it_answered(
    make_service: ServiceFactory, receiver: HookReceiver
) -> None:
    desk = await hooked_desk(make_service, build_hook_url=receiver.url, build_hook_seconds=0)
    assert await rebuild_line(desk) == "The site has not been asked to rebuild yet."
    comment_id = await desk.guest_comment(body="Worth publishing")
    assert (await desk.act(comment_id, "approve")).status_code == 303
    assert "it will be asked again around" in await rebuild_line(desk)

    engine, settings = desk.service.engine, desk.service.settings
    assert call_build_hook(engine, settings) is False  # the receiver answers 500
    line = await rebuild_line(desk)
    assert "The site was last asked to rebuild on" in line
    assert "it did not answer (the build hook answered HTTP 500 Internal Server Error)" in line
    assert "it will be asked again around" in line

    assert call_build_hook(engine, settings) is False  # not due again yet: no call
    assert len(receiver.calls) == 1
    assert call_build_hook(engine, settings, utcnow() + timedelta(minutes=5)) is True
    assert len(receiver.calls) == 2
    for path in ("/moderation", "/moderation/log", "/moderation/bans"):
        line = await rebuild_line(desk, path)
        assert line.endswith("it answered."), path
        assert "asked again" not in line


async def test_only_changes_the_static_pages_show_ask_for_a_rebuild(
    make_service: ServiceFactory, receiver: HookReceiver
) -> None:
    desk = await hooked_desk(make_service, build_hook_url=receiver.url, build_hook_seconds=0)
    held = await desk.guest_comment(body="Held, then rejected")
    assert not waiting(desk)  # a held comment is on no static page
    assert (await desk.act(held, "reject")).status_code == 303
    assert not waiting(desk)

    published = await desk.guest_comment(body="Held, then approved")
    assert (await desk.act(published, "approve")).status_code == 303
    assert waiting(desk)
    later = utcnow() + timedelta(minutes=5)
    call_build_hook(desk.service.engine, desk.service.settings, later)  # 500
    call_build_hook(desk.service.engine, desk.service.settings, later + timedelta(minutes=5))
    assert not waiting(desk)

    assert (await desk.act(published, "reject")).status_code == 303  # taken down: a note
    assert waiting(desk)


async def test_without_a_hook_the_pages_say_the_static_pages_wait_for_the_next_deploy(
    make_service: ServiceFactory,
) -> None:
    desk = await hooked_desk(make_service)
    line = await rebuild_line(desk)
    assert line.startswith("Static pages: no build hook is set (COMMENTS_BUILD_HOOK_URL)")


def answer_waiting_rebuild(desk: Desk) -> None:
    """A background round once the request has settled: the receiver answers it."""
    later = utcnow() + timedelta(hours=1)
    assert call_build_hook(desk.service.engine, desk.service.settings, later) is True
    assert not waiting(desk)


async def test_a_published_comment_and_its_authors_edit_and_deletion_each_ask_for_a_rebuild(
    make_service: ServiceFactory,
) -> None:
    with HookReceiver(answers=(204,)) as receiver:
        desk = await hooked_desk(
            make_service, build_hook_url=receiver.url, build_hook_seconds=0, moderation="publish"
        )
        guest = desk.service.browser()
        created = await guest.post(
            "/api/v1/threads/first-post/comments",
            json={"author": "Ada", "email": "ada@example.org", "body": "Published at once"},
        )
        assert created.status_code == 201 and created.json()["status"] == "approved"
        comment_id, token = created.json()["comment"]["id"], created.json()["edit_token"]
        assert waiting(desk)
        answer_waiting_rebuild(desk)

        edited = await guest.patch(
            f"/api/v1/comments/{comment_id}",
            json={"body": "Published, then corrected"},
            headers={"X-Edit-Token": token},
        )
        assert edited.status_code == 200, edited.text
        assert waiting(desk)
        answer_waiting_rebuild(desk)

        deleted = await guest.delete(
            f"/api/v1/comments/{comment_id}", headers={"X-Edit-Token": token}
        )
        assert deleted.status_code in {200, 204}, deleted.text
        assert waiting(desk)
        answer_waiting_rebuild(desk)
    assert len(receiver.calls) == 3
