"""The comments policy page promises what the service does: each promise, checked over the API.

Every sentence of content/pages/comments-policy.md is either a promise about what the software
does, checked here against the real app (real SMTP, SQLite and PostgreSQL), or a statement about
what people do (moderators, editors, readers), listed as such. A new sentence fails the first
test until it is sorted into one or the other, so the page cannot drift from the software.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from bs4 import BeautifulSoup

from tests.harness import API, BLOG, Desk, Service, ServiceFactory
from tests.helpers import BUILD_TOKEN, ROOT

pytestmark = pytest.mark.anyio

POLICY = ROOT / "content" / "pages" / "comments-policy.md"
LIST_MARKER = re.compile(r"^(?:\d+\.|[-*])\s+")
SENTENCE_END = re.compile(r"(?<=[.!?:])\s+(?=[A-Z“\"(*])")
# 943 476 5919 passes the NHS number's mod-11 check.
PATIENT_DETAILS = "It was Mrs Smith, NHS number 943 476 5919, on ward 4."


def policy_sentences() -> list[str]:
    """The page's sentences as a reader reads them: no metadata, headings or Markdown marks."""
    text = POLICY.read_text(encoding="utf-8")
    _, _, body = text.partition("\n\n")  # Pelican metadata ends at the first blank line
    paragraphs: list[str] = []
    for block in re.split(r"\n\s*\n", body):
        lines = [line.strip() for line in block.strip().splitlines()]
        if not lines or lines[0].startswith("#"):
            continue
        items: list[list[str]] = []
        for line in lines:
            if LIST_MARKER.match(line) or not items:
                items.append([])
            items[-1].append(LIST_MARKER.sub("", line))
        paragraphs.extend(" ".join(item) for item in items)
    sentences = []
    for paragraph in paragraphs:
        plain = re.sub(r"\*\*|__|`", "", paragraph)
        sentences.extend(part.strip() for part in SENTENCE_END.split(plain) if part.strip())
    return sentences


Check = Callable[[Desk], Awaitable[None]]


async def _post(service_desk: Desk, client: Any = None, **fields: Any) -> dict[str, Any]:
    comment = {"author": "Guest Writer", "email": "guest@example.org", "body": "Hello there"}
    comment.update(fields)
    browser = client or service_desk.service.browser()
    response = await browser.post(
        "/api/v1/threads/first-post/comments", json=comment, headers={"Origin": BLOG}
    )
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


async def _public(service_desk: Desk) -> list[dict[str, Any]]:
    response = await service_desk.service.client.get("/api/v1/threads/first-post/comments")
    assert response.status_code == 200, response.text
    comments: list[dict[str, Any]] = response.json()["comments"]
    return comments


async def first_comments_are_held(service_desk: Desk) -> None:
    created = await _post(service_desk, email="new.face@example.org")
    assert created["status"] == "pending"
    assert await _public(service_desk) == []


async def approved_guests_appear_straight_away(service_desk: Desk) -> None:
    first = await _post(service_desk, email="regular@example.org", body="My first comment here.")
    await service_desk.act(first["comment"]["id"], "approve")
    later = await _post(service_desk, email="regular@example.org", body="And a second one.")
    assert later["status"] == "approved"
    assert later["comment"] in await _public(service_desk)
    screened = await _post(service_desk, email="regular@example.org", body=PATIENT_DETAILS)
    assert screened["status"] == "pending", "the filter still holds a detail about a patient"


async def signed_in_people_appear_straight_away(service_desk: Desk) -> None:
    member = service_desk.service.browser()
    await service_desk.service.sign_in("ward.clerk@example.org", client=member)
    created = await _post(service_desk, client=member, body="Signed in, first time here.")
    assert created["status"] == "approved"


async def a_moderator_can_take_out_part_of_a_comment(service_desk: Desk) -> None:
    created = await _post(service_desk, body="Thanks to the nurse in bed 12's bay. Great care.")
    comment_id = created["comment"]["id"]
    await service_desk.act(comment_id, "approve")
    response = await service_desk.moderator.post(
        f"/moderation/comments/{comment_id}/redact",
        data={"csrf_token": service_desk.csrf, "body": "Great care."},
        headers={"Origin": API},
    )
    assert response.status_code == 303, response.text
    [shown] = await _public(service_desk)
    assert (shown["html"], shown["edited_by"]) == ("<p>Great care.</p>", "moderator")
    assert shown["edited"] is not None


async def a_removed_published_comment_leaves_a_note(service_desk: Desk) -> None:
    parent = await _post(service_desk, body="Something that breaks a rule.")
    await service_desk.act(parent["comment"]["id"], "approve")
    reply = await _post(
        service_desk,
        email="bo@example.org",
        author="Bo",
        body="I disagree.",
        parent=parent["comment"]["id"],
    )
    await service_desk.act(reply["comment"]["id"], "approve")
    await service_desk.act(parent["comment"]["id"], "delete")
    note, kept = await _public(service_desk)
    assert (note["id"], note["removed"], note["author"], note["html"]) == (
        parent["comment"]["id"],
        True,
        "",
        "",
    )
    assert (kept["id"], kept["parent"]) == (reply["comment"]["id"], note["id"])


async def moderators_see_the_address(service_desk: Desk) -> None:
    created = await _post(service_desk, email="reach.me@example.org")
    page = await service_desk.page(f"/moderation/comments/{created['comment']['id']}")
    assert page.find("a", href="mailto:reach.me@example.org") is not None


async def authors_can_be_told_about_replies(service_desk: Desk) -> None:
    parent = await _post(service_desk, email="curious@example.org", notify=True)
    await service_desk.act(parent["comment"]["id"], "approve")
    reply = await _post(
        service_desk,
        email="bo@example.org",
        author="Bo",
        body="An answer.",
        parent=parent["comment"]["id"],
    )
    await service_desk.act(reply["comment"]["id"], "approve")
    service_desk.service.deliver()
    [notice] = service_desk.service.mailbox.to("curious@example.org")
    assert "Bo replied" in notice["Subject"]


async def guests_give_an_address(service_desk: Desk) -> None:
    response = await service_desk.service.browser().post(
        "/api/v1/threads/first-post/comments", json={"author": "Anon", "body": "Hi"}
    )
    assert response.status_code == 422
    assert [error["field"] for error in response.json()["errors"]] == ["email"]


async def the_address_is_never_shown(service_desk: Desk) -> None:
    secret = "hidden.address@example.org"
    created = await _post(service_desk, email=secret, body="First version")
    await service_desk.act(created["comment"]["id"], "approve")
    edited = await service_desk.service.browser().patch(
        f"/api/v1/comments/{created['comment']['id']}",
        json={"body": "Second version"},
        headers={"X-Edit-Token": created["edit_token"]},
    )
    client = service_desk.service.browser()
    answers = [
        str(created),
        edited.text,
        (await client.get("/api/v1/threads/first-post/comments")).text,
        (await client.get("/api/v1/counts?thread=first-post")).text,
        (await client.get("/api/v1/threads/first-post/feed.atom")).text,
        (await client.get("/api/v1/feed.atom")).text,
        (
            await client.get("/api/v1/snapshot", headers={"Authorization": f"Bearer {BUILD_TOKEN}"})
        ).text,
    ]
    assert "Second version" in answers[2] and "Second version" in answers[6]
    assert all(secret not in answer and "hidden.address" not in answer for answer in answers)


async def only_moderators_see_the_address(service_desk: Desk) -> None:
    created = await _post(service_desk, email="private@example.org")
    member = service_desk.service.browser()
    await service_desk.service.sign_in("curious.member@example.org", client=member)
    page = await member.get(f"/moderation/comments/{created['comment']['id']}")
    assert page.status_code == 403 and "private@example.org" not in page.text
    moderator = await service_desk.moderator.get(f"/moderation/comments/{created['comment']['id']}")
    assert "private@example.org" in moderator.text


async def comments_and_address_can_be_deleted(service_desk: Desk) -> None:
    address = "leaving@example.org"
    created = await _post(service_desk, email=address)
    await service_desk.act(created["comment"]["id"], "approve")
    asked = await service_desk.service.browser().post(
        "/api/v1/privacy/delete-request", json={"email": address}
    )
    assert asked.status_code == 202
    service_desk.service.deliver()
    [message] = service_desk.service.mailbox.to(address)
    link = re.search(
        r"https?://\S+/api/v1/privacy/delete\?token=\S+",
        str(message.get_body(preferencelist=("plain",)).get_content()),
    )
    assert link is not None
    confirm = BeautifulSoup((await service_desk.service.client.get(link.group(0))).text, "lxml")
    action = confirm.find("form")["action"]
    done = await service_desk.service.client.post(action)
    assert done.status_code == 200, done.text
    assert await _public(service_desk) == []
    stored = service_desk.service.app.state.service.storage.get_comment(created["comment"]["id"])
    assert stored.author_email is None


async def readers_report_without_signing_in_and_it_goes_to_the_queue(service_desk: Desk) -> None:
    created = await _post(
        service_desk, email="reported@example.org", body="Names the ward and date."
    )
    comment_id = created["comment"]["id"]
    await service_desk.act(comment_id, "approve")
    service_desk.service.deliver()
    stranger = service_desk.service.browser()
    reported = await stranger.post(
        f"/api/v1/comments/{comment_id}/report",
        json={"reason": "this names a patient's ward and date of surgery"},
    )
    assert reported.status_code == 202, reported.text
    assert stranger.cookies.get("comments_session") is None
    article = (await service_desk.page()).find("article", id=f"comment-{comment_id}")
    assert article is not None
    assert "this names a patient's ward and date of surgery" in article.get_text()
    assert created["comment"] in await _public(service_desk), "it stays on the page until then"
    service_desk.service.deliver()
    assert service_desk.service.mailbox.to("reported@example.org") == [], "the author is not told"


# Each promise the page makes about the software, by a phrase of its sentence.
PROMISES: dict[str, Check] = {
    "are held until a moderator reads them": first_comments_are_held,
    "later ones from the same e-mail address appear straight away": (
        approved_guests_appear_straight_away
    ),
    "Comments from people who sign in appear straight away": signed_in_people_appear_straight_away,
    "or the part of it that breaks a rule": a_moderator_can_take_out_part_of_a_comment,
    "says “edited by a moderator”": a_moderator_can_take_out_part_of_a_comment,
    "This comment was removed by a moderator.": a_removed_published_comment_leaves_a_note,
    "If you comment as a guest we ask for an e-mail address": guests_give_an_address,
    "so that a moderator can contact you": moderators_see_the_address,
    "so that you can choose to be told about replies": authors_can_be_told_about_replies,
    "to help us recognise returning commenters": approved_guests_appear_straight_away,
    "Your e-mail address is never shown": the_address_is_never_shown,
    "Only the moderators can see it": only_moderators_see_the_address,
    "delete your comments and your address": comments_and_address_can_be_deleted,
    "has a Report button": readers_report_without_signing_in_and_it_goes_to_the_queue,
    "write a sentence about what is wrong": (
        readers_report_without_signing_in_and_it_goes_to_the_queue
    ),
    "goes back to the moderators' queue with your reason": (
        readers_report_without_signing_in_and_it_goes_to_the_queue
    ),
    "You do not need to be signed in": readers_report_without_signing_in_and_it_goes_to_the_queue,
}
# Sentences about what people do or should do, which no software can keep for them.
ABOUT_PEOPLE = (
    "Comments are where the network talks back",
    "We want all of that.",
    "This page explains the few rules we apply",
    "Moderators are volunteers from the network",
    "Could identify a patient",
    "Confidentiality matters more than any story.",
    "Attacks a person",
    "Robust disagreement about methods and evidence",
    "Is spam or advertising",
    "Sharing your own work is fine",
    "Gives individual medical advice.",
    "This is a blog about improving services.",
    "If you are worried about your own health",
    "Breaks the law",
    "If something needs attention urgently",
)


def test_every_sentence_of_the_policy_is_a_checked_promise_or_about_people() -> None:
    sentences = policy_sentences()
    phrases = (*PROMISES, *ABOUT_PEOPLE)
    unsorted = [s for s in sentences if not any(phrase in s for phrase in phrases)]
    assert unsorted == [], "sort these sentences into PROMISES (with a check) or ABOUT_PEOPLE"
    missing = [phrase for phrase in phrases if not any(phrase in s for s in sentences)]
    assert missing == [], "the page no longer says this: update the lists"


@pytest.fixture
async def service(make_service: ServiceFactory) -> Service:
    """The sign-in suite's service, with the build token so the snapshot can be read."""
    made: Service = await make_service(build_token=BUILD_TOKEN)
    return made


@pytest.mark.parametrize("phrase", list(PROMISES))
async def test_the_service_keeps_the_policys_promise(
    phrase: str,
    desk: Desk,
) -> None:
    await PROMISES[phrase](desk)
