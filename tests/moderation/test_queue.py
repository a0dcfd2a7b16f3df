"""The moderation queue: what a moderator sees, and what each action does."""

from __future__ import annotations

from datetime import datetime

import pytest
from bs4 import BeautifulSoup

from comments_api.web.html import moment
from tests.harness import API, BLOG, Desk

pytestmark = pytest.mark.anyio


async def test_a_held_comment_is_shown_with_everything_needed_to_decide(desk: Desk) -> None:
    parent = await desk.guest_comment(body="Is the clinic open on Sundays?")
    await desk.act(parent, "approve")
    held = await desk.guest_comment(
        author="Pat Nurse",
        email="pat@example.org",
        website="https://pat.example.net",
        body="Yes, from ten to four; the opening hours are on "
        "[the clinic's page](https://clinic.example.org/hours).",
        parent=parent,
    )

    page = await desk.page()

    article = page.find("article", id=f"comment-{held}")
    assert article is not None, page.get_text()
    text = " ".join(article.get_text().split())
    post_link = article.find("a", string="First post")
    assert post_link["href"] == f"{BLOG}/posts/first.html"
    assert "In reply to Guest Writer: Is the clinic open on Sundays?" in text
    assert "Pat Nurse" in text
    assert "pat@example.org" in text
    assert "Spam score" in text and "/ 100" in text
    assert article.select("dt:-soup-contains('Spam score') + dd li"), "no reasons shown"
    domains = [item.get_text() for item in article.select("dt:-soup-contains('Links to') + dd li")]
    assert domains == ["clinic.example.org", "pat.example.net"]
    assert article.find("button", attrs={"value": "approve"}) is not None
    assert page.find("article", id=f"comment-{parent}") is None  # published, not reported
    posted = article.select_one("dt:-soup-contains('Posted') + dd time")
    when = datetime.strptime(posted["datetime"], "%Y-%m-%dT%H:%M:%SZ")
    assert posted.get_text() == f"{when.day} {when:%B %Y, %H:%M} UTC"


def test_times_read_as_on_the_blog_with_no_leading_zero() -> None:
    second_of_december = datetime(2026, 12, 2, 9, 5)
    assert str(moment(second_of_december)) == (
        '<time datetime="2026-12-02T09:05:00Z">2 December 2026, 09:05 UTC</time>'
    )
    assert "2 Dec 2026, 09:05 UTC" in moment(second_of_december, "short")


async def test_promotional_link_spam_lands_in_the_spam_folder_with_its_reasons(
    desk: Desk,
) -> None:
    spam = await desk.guest_comment(
        author="Brightwave Media",
        email="sales@brightwave-media.example",
        website="https://brightwave-media.example",
        body="Brightwave Media is a renowned organization that specializes in SEO, branding "
        "and marketing services. Visit [our offer](https://cheap-seo.example/offer) today!",
    )
    queue = await desk.page()
    folder = await desk.page("/moderation/spam")
    article = queue.find("article", id=f"comment-{spam}") or folder.find(
        "article", id=f"comment-{spam}"
    )
    assert article is not None
    assert article.select("dt:-soup-contains('Spam score') + dd li"), "no reasons shown"
    assert "cheap-seo.example" in article.get_text()
    assert spam not in await desk.public_ids()


async def test_the_queue_and_the_comment_page_show_the_filters_verdict_and_points(
    desk: Desk,
) -> None:
    pitch = await desk.guest_comment(
        author="Sam Lowe",
        email="sam@qi-certify.example",
        body="Good points. We run an accredited SPC certificate course for ward teams, book "
        "your place today at https://qi-certify.example and quote RUNCHART for 20% off.",
    )
    plain = await desk.guest_comment(author="Jo Bloggs", body="Useful, thank you.")
    queue = await desk.page()
    folder = await desk.page("/moderation/spam")
    listed = queue.find("article", id=f"comment-{pitch}") or folder.find(
        "article", id=f"comment-{pitch}"
    )
    assert listed is not None
    comment_page = await desk.page(f"/moderation/comments/{pitch}")
    for article in (listed, comment_page):
        verdict = article.select_one("dt:-soup-contains('Filter verdict') + dd")
        assert verdict is not None, article.get_text()
        assert verdict.get_text().startswith(("hold for a moderator, score", "the spam folder"))
        reasons = [
            " ".join(item.get_text().split())
            for item in article.select("dt:-soup-contains('Spam score') + dd li")
        ]
        assert any(
            reason.startswith("sells something: an offer with") and reason.endswith(")")
            for reason in reasons
        ), reasons
        assert all("spam filter verdict" not in reason for reason in reasons)
    plain_article = queue.find("article", id=f"comment-{plain}")
    assert plain_article is not None
    plain_verdict = plain_article.select_one("dt:-soup-contains('Filter verdict') + dd")
    assert plain_verdict is not None
    assert plain_verdict.get_text().startswith("publish, score 0 / 100")
    assert "a first comment from this address is held for a moderator" in plain_article.get_text()


async def test_approving_a_held_comment_publishes_it_and_logs_who_did_it(desk: Desk) -> None:
    held = await desk.guest_comment(body="A careful, kind comment.")
    assert held not in await desk.public_ids()

    response = await desk.act(held, "approve", reason="on topic")

    assert response.status_code == 303
    assert response.headers["location"] == "/moderation?done=approve&count=1"
    assert held in await desk.public_ids()
    after = await desk.page(response.headers["location"].split("?")[0], done="approve", count="1")
    assert "1 comment approved." in after.find(attrs={"role": "status"}).get_text()
    assert after.find("article", id=f"comment-{held}") is None
    log = await desk.page("/moderation/log")
    row = " ".join(log.find("tbody").find("tr").get_text().split())
    assert "moderator@example.org" in row and "approve" in row and "on topic" in row
    assert "pending → approved" in row


async def test_bulk_actions_apply_to_every_selected_comment(desk: Desk) -> None:
    first = await desk.guest_comment(body="first")
    second = await desk.guest_comment(body="second")
    kept = await desk.guest_comment(body="kept")

    response = await desk.bulk([first, second], "reject")

    assert response.headers["location"] == "/moderation?done=reject&count=2"
    page = await desk.page()
    assert page.find("article", id=f"comment-{first}") is None
    assert page.find("article", id=f"comment-{second}") is None
    assert page.find("article", id=f"comment-{kept}") is not None
    assert await desk.public_ids() == []


async def test_a_bulk_action_without_a_selection_says_what_to_do(desk: Desk) -> None:
    response = await desk.bulk([], "approve")
    page = await desk.page("/moderation", error="none-selected")
    assert response.status_code == 303
    assert "Select at least one comment" in page.find(attrs={"role": "status"}).get_text()


async def test_marked_spam_goes_to_the_spam_folder_and_can_be_rescued(desk: Desk) -> None:
    comment = await desk.guest_comment(body="Buy followers now")
    await desk.act(comment, "spam")

    folder = await desk.page("/moderation/spam")
    assert folder.find("article", id=f"comment-{comment}") is not None
    assert (await desk.page()).find("article", id=f"comment-{comment}") is None

    await desk.act(comment, "approve")
    assert comment in await desk.public_ids()
    assert (await desk.page("/moderation/spam")).find("article", id=f"comment-{comment}") is None


async def test_a_reported_comment_returns_to_the_queue_with_the_reason(desk: Desk) -> None:
    comment = await desk.guest_comment(body="Published, then reported")
    await desk.act(comment, "approve")
    reader = desk.service.browser()
    reported = await reader.post(
        f"/api/v1/comments/{comment}/report", json={"reason": "Shares a patient's details"}
    )
    assert reported.status_code == 202, reported.text

    article = (await desk.page()).find("article", id=f"comment-{comment}")
    assert article is not None
    assert "reported" in article.get_text()
    assert "Shares a patient's details" in article.get_text()
    # Its score and reasons are from when it was posted, and say so.
    assert article.find("dt", string="Spam score when it was posted") is not None
    # It is published already: the button that closes its reports says what it does.
    keep = article.find("button", attrs={"value": "approve"})
    assert keep.get_text() == "Keep published"
    assert keep["aria-label"] == f"Keep published: comment {comment}"
    single = await desk.page(f"/moderation/comments/{comment}")
    assert single.find("button", attrs={"value": "approve"}).get_text() == "Keep published"

    await desk.act(comment, "delete")
    assert (await desk.page()).find("article", id=f"comment-{comment}") is None
    listed = (await desk.service.client.get("/api/v1/threads/first-post/comments")).json()
    assert [(shown["id"], shown["removed"], shown["html"]) for shown in listed["comments"]] == [
        (comment, True, "")
    ], "only the note that it was removed is left"


async def test_search_finds_comments_by_author_email_or_text(desk: Desk) -> None:
    by_name = await desk.guest_comment(author="Florence N", email="fn@example.org", body="Lamp")
    by_text = await desk.guest_comment(author="Mary S", email="ms@example.org", body="Crimea 100%")
    await desk.act(by_text, "approve")

    def found(page: object) -> set[int]:
        return {
            int(article["id"].removeprefix("comment-"))
            for article in page.find_all("article")  # type: ignore[attr-defined]
        }

    assert found(await desk.page("/moderation/search", q="florence")) == {by_name}
    assert found(await desk.page("/moderation/search", q="MS@EXAMPLE")) == {by_text}
    assert found(await desk.page("/moderation/search", q="100%")) == {by_text}
    assert found(await desk.page("/moderation/search", q="%")) == {by_text}
    assert found(await desk.page("/moderation/search", q="nobody-like-this")) == set()


async def test_banning_the_author_rejects_the_comment_and_refuses_their_next_one(
    desk: Desk,
) -> None:
    comment = await desk.guest_comment(email="troll@example.org", body="Provocation")
    response = await desk.act(comment, "ban", reason="abuse")
    assert response.headers["location"] == "/moderation?done=ban&count=1"

    again = await desk.service.browser().post(
        "/api/v1/threads/first-post/comments",
        json={"author": "Troll", "email": "troll@example.org", "body": "Back again"},
    )
    assert 400 <= again.status_code < 500
    log = " ".join((await desk.page("/moderation/log")).get_text().split())
    assert "ban" in log and "abuse" in log


async def test_actions_return_only_to_moderation_pages(desk: Desk) -> None:
    comment = await desk.guest_comment()
    response = await desk.act(comment, "approve", back="https://evil.example/moderation")
    assert response.headers["location"].startswith("/moderation?")
    other = await desk.guest_comment()
    response = await desk.act(other, "approve", back="//evil.example/x")
    assert response.headers["location"].startswith("/moderation?")
    kept = await desk.guest_comment()
    response = await desk.act(kept, "reject", back="/moderation/search?q=guest")
    assert response.headers["location"] == "/moderation/search?q=guest&done=reject&count=1"


async def test_the_pages_are_accessible_by_construction(desk: Desk) -> None:
    await desk.guest_comment(body="For the structure check")
    for path in ("/moderation", "/moderation/spam", "/moderation/search", "/moderation/log"):
        response = await desk.moderator.get(path)
        assert response.headers["x-frame-options"] == "DENY"
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
        page = await desk.page(path)
        assert page.find("html")["lang"] == "en"
        assert page.find("main") is not None and page.find("nav") is not None
        assert len(page.find_all("h1")) == 1
        assert page.find("a", attrs={"aria-current": "page"}) is not None
        for field in page.find_all(["input", "select", "textarea"]):
            if field.get("type") == "hidden":
                continue
            assert field.get("id") and page.find("label", attrs={"for": field["id"]}), field
        assert page.find("script") is None


async def test_control_characters_in_a_search_or_a_reason_are_not_a_server_error(
    desk: Desk,
) -> None:
    comment = await desk.guest_comment(body="Plain words")
    response = await desk.moderator.get("/moderation/search", params={"q": "Plain\x00words"})
    assert response.status_code == 200, response.text
    acted = await desk.act(comment, "reject", reason="rude\x00\x07 words")
    assert acted.status_code == 303, acted.text
    log = await desk.page("/moderation/log")
    assert "rude words" in log.get_text()


async def test_the_queue_shows_plain_text_addresses_and_the_parent_as_text(desk: Desk) -> None:
    parent = await desk.guest_comment(
        body="> Quoting the post\n\nIs the clinic **open** on Sundays?"
    )
    await desk.act(parent, "approve")
    held = await desk.guest_comment(
        body="The hours are on [the clinic's page](https://clinic.example.org/hours) "
        "and at hours.example.net too.",
        parent=parent,
    )

    article = (await desk.page()).find("article", id=f"comment-{held}")
    assert article is not None

    domains = [item.get_text() for item in article.select("dt:-soup-contains('Links to') + dd li")]
    assert domains == ["clinic.example.org", "hours.example.net"]
    text = " ".join(article.get_text().split())
    assert "In reply to Guest Writer: Quoting the post Is the clinic open on Sundays?" in text


async def test_deleting_asks_first_and_cancelling_keeps_the_comment(desk: Desk) -> None:
    comment = await desk.guest_comment(body="Delete me only if you mean it")
    await desk.act(comment, "approve")
    asked = await desk.moderator.post(
        f"/moderation/comments/{comment}",
        data={"action": "delete", "csrf_token": desk.csrf, "back": "/moderation"},
        headers={"Origin": API},
    )
    assert asked.status_code == 200
    page = BeautifulSoup(asked.text, "lxml")
    assert page.h1.get_text() == "Delete 1 comment?"
    assert "Delete me only if you mean it" in page.get_text()
    assert page.find("a", string="Cancel")["href"] == "/moderation"

    async def shown() -> list[tuple[int, bool]]:
        listed = await desk.service.client.get("/api/v1/threads/first-post/comments")
        return [(shown["id"], shown["removed"]) for shown in listed.json()["comments"]]

    assert await shown() == [(comment, False)], "asking deleted it already"
    deleted = await desk.confirm_if_asked(asked)
    assert deleted.status_code == 303
    assert await shown() == [(comment, True)], "only the note that it was removed is left"


async def test_a_bulk_delete_asks_once_for_all_of_them(desk: Desk) -> None:
    first = await desk.guest_comment(body="First of two")
    second = await desk.guest_comment(body="Second of two")
    asked = await desk.moderator.post(
        "/moderation/bulk",
        data={
            "action": "delete",
            "csrf_token": desk.csrf,
            "back": "/moderation",
            "comment": [str(first), str(second)],
        },
        headers={"Origin": API},
    )
    page = BeautifulSoup(asked.text, "lxml")
    assert page.h1.get_text() == "Delete 2 comments?"
    assert (await desk.page()).find("article", id=f"comment-{first}") is not None
    done = await desk.confirm_if_asked(asked)
    assert done.headers["location"].startswith("/moderation?done=delete&count=2")
