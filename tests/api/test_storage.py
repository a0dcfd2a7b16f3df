"""Storage under concurrency: group commit, exact counts, isolation of a failing comment."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy.exc import IntegrityError

from comments_api.db.tables import Comment, Status, utcnow
from tests.harness import Api, ApiFactory

pytestmark = pytest.mark.anyio


def new_comment(thread_key: str, number: int, status: Status = Status.APPROVED) -> Comment:
    now = utcnow()
    return Comment(
        thread_key=thread_key,
        parent_id=None,
        author_name=f"A{number}",
        author_email=f"a{number}@example.org",
        author_url=None,
        user_id=None,
        member=False,
        verified=False,
        body_md=f"n{number}",
        body_html=f"<p>n{number}</p>",
        status=status.value,
        spam_score=0.0,
        held_reasons="",
        notify=False,
        client_hash=None,
        edit_token_hash=None,
        created_at=now,
        edited_at=None,
        updated_at=now,
    )


async def test_concurrent_comments_are_all_stored_and_counted_exactly(
    make_api: ApiFactory,
) -> None:
    api = await make_api()
    storage = api.app.state.service.storage
    statuses = [Status.APPROVED if n % 3 else Status.PENDING for n in range(60)]
    with ThreadPoolExecutor(max_workers=12) as pool:
        stored = list(
            pool.map(
                lambda n: storage.insert_comment(new_comment("first-post", n, statuses[n])),
                range(60),
            )
        )
    assert len({comment.id for comment in stored}) == 60
    # Each comment got its own row's id back (a batch is one statement).
    with storage.reading() as session:
        bodies = {row.id: row.body_md for row in session.query(Comment)}
    assert {comment.id: comment.body_md for comment in stored} == bodies
    approved = sum(status is Status.APPROVED for status in statuses)
    state = storage.thread_state("first-post")
    assert state.approved_count == approved
    assert (await api.list())["count"] == approved
    assert storage.hot.counts(["first-post"]) == {"first-post": approved}


async def test_one_failing_comment_does_not_sink_the_others_of_its_batch(
    make_api: ApiFactory,
) -> None:
    api = await make_api()
    storage = api.app.state.service.storage

    def store(number: int) -> int | str:
        thread = "no-such-thread" if number == 7 else "first-post"
        try:
            return storage.insert_comment(new_comment(thread, number)).id
        except IntegrityError:
            return "refused"

    with ThreadPoolExecutor(max_workers=16) as pool:
        results = list(pool.map(store, range(16)))
    assert results[7] == "refused"
    assert all(isinstance(result, int) for n, result in enumerate(results) if n != 7)
    assert (await api.list())["count"] == 15


async def test_approving_and_deleting_move_the_count_and_the_version(api: Api) -> None:
    storage = api.app.state.service.storage
    comment = storage.insert_comment(new_comment("first-post", 1, Status.PENDING))
    before = storage.thread_state("first-post")
    assert before.approved_count == 0
    storage.change_comment(comment.id, status=Status.APPROVED)
    approved = storage.thread_state("first-post")
    assert (approved.approved_count, approved.version) == (1, before.version + 1)
    storage.change_comment(comment.id, status=Status.APPROVED)  # no change in state
    assert storage.thread_state("first-post").approved_count == 1
    storage.change_comment(comment.id, status=Status.DELETED)
    assert storage.thread_state("first-post").approved_count == 0
