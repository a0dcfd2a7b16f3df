"""The moderator: signs in from the mail sink, works the queue, approves, redacts, removes,
bans and lifts the ban, then reads it all back in the audit log, against `make run`."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.devrun import POST
from tests.journeys.support import TYPING_DELAY_MS, Blog, Camera, link_in, type_into

pytestmark = [pytest.mark.browser, pytest.mark.slow]

MODERATOR = "head.nurse@example.org"


# Each guest writes from a network of their own (the API trusts the proxy on 127.0.0.1 to say
# which); Pete Pest and Nia Nextdoor share one, as colleagues behind a hospital's address do.
NETWORKS = {"Pete Pest": "198.51.100.7", "Nia Nextdoor": "198.51.100.7"}


def post_as(blog: Blog, author: str, fields: dict[str, Any]) -> Any:
    network = NETWORKS.get(author, f"203.0.113.{len(author)}")
    return blog.api(
        "POST",
        f"threads/{POST}/comments",
        json={"author": author, **fields},
        headers={"X-Forwarded-For": network},
    )


def guest_comment(blog: Blog, author: str, body: str, parent: int | None = None) -> int:
    fields: dict[str, Any] = {
        "email": f"{author.split()[0].lower()}@example.org",
        "body": body,
    }
    if parent:
        fields["parent"] = parent
    created = post_as(blog, author, fields)
    assert created.status_code == 201, created.text
    return int(created.json()["comment"]["id"])


def published(blog: Blog, author: str, body: str, parent: int | None = None) -> int:
    comment_id = guest_comment(blog, author, body, parent)
    assert blog.cli("approve", str(comment_id)).returncode == 0
    return comment_id


def test_a_moderator_works_the_queue_redacts_removes_bans_and_unbans(
    blog: Blog, browser: Any
) -> None:
    camera = Camera("moderator")
    made = blog.cli("create-user", MODERATOR, "--role", "moderator", "--name", "Head Nurse")
    assert made.returncode == 0, made.stderr
    held = guest_comment(blog, "Hana Held", "Our handover moved to 07:30 and it works.")
    detail = published(blog, "Dan Detail", "Great huddle. Mrs Patel in bed 4 agreed too.")
    taken_down = published(blog, "Tom Troll", "Huddles are a waste of everyone's time.")
    answer = published(blog, "Ann Answer", "They save us time on nights.", parent=taken_down)
    pest = guest_comment(blog, "Pete Pest", "Read my blog, it is better than this one.")

    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(f"{blog.run.api_url}/moderation")
    expect(page.get_by_role("heading", level=1)).to_have_text("Not allowed")
    camera.step(page, "not-signed-in")
    page.get_by_role("link", name="Sign in as a moderator").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to moderate")
    type_into(page.get_by_label("Your e-mail address"), MODERATOR)
    page.get_by_label("Your e-mail address").press("Enter")
    expect(page.locator(".notice")).to_contain_text("on its way")
    page.goto(link_in(blog.mail_to(MODERATOR), "/api/v1/auth/callback"))
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{blog.run.api_url}/moderation")
    queue = page.locator("article.review")
    expect(queue.filter(has_text="Hana Held")).to_have_count(1)
    expect(queue.filter(has_text="Pete Pest")).to_have_count(1)
    camera.step(page, "queue")

    # Approve the held comment: the reader's page shows it.
    page.get_by_role("button", name=f"Approve: comment {held}").click()
    expect(page.get_by_role("status")).to_have_text("1 comment approved.")
    expect(queue.filter(has_text="Hana Held")).to_have_count(0)
    camera.step(page, "approved")

    # Redact a detail that identifies a patient, from the comment's own page.
    page.goto(f"{blog.run.api_url}/moderation/comments/{detail}")
    text = page.get_by_label("Text (Markdown)")
    text.click()
    page.keyboard.press("Control+A")
    page.keyboard.type(
        "Great huddle. [Name removed by a moderator] agreed too.", delay=TYPING_DELAY_MS
    )
    type_into(page.get_by_label("Reason (optional, for the audit log)"), "Names a patient.")
    page.get_by_role("button", name="Save the edited text").click()
    expect(page.locator("dl.facts")).to_contain_text("edited by a moderator")
    camera.step(page, "redacted")

    # Remove a published comment that has a reply: a note keeps its place.
    page.goto(f"{blog.run.api_url}/moderation/comments/{taken_down}")
    type_into(page.get_by_label("Reason (optional)", exact=True), "Personal attack.")
    page.get_by_role("button", name="Delete", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Delete 1 comment?")
    camera.step(page, "asked-before-deleting")
    page.get_by_role("button", name="Delete comment").click()
    camera.step(page, "removed")

    reader = context.new_page()
    reader.goto(blog.post_url(POST))
    expect(reader.locator(f"#comment-{held}")).to_contain_text("handover moved")
    expect(reader.locator(f"#comment-{detail}")).to_contain_text("[Name removed by a moderator]")
    expect(reader.locator(f"#comment-{detail}")).to_contain_text("edited by a moderator")
    expect(reader.locator(f"#comment-{detail}")).not_to_contain_text("Mrs Patel")
    expect(reader.locator(f"#comment-{taken_down}")).to_contain_text(
        "This comment was removed by a moderator."
    )
    expect(reader.locator(f"#comment-{taken_down}")).not_to_contain_text("waste of")
    expect(reader.locator(f"#comment-{answer}")).to_contain_text("save us time on nights")
    expect(reader.locator("#comments-heading")).to_have_text("Comments (3)")
    camera.step(reader, "what-readers-see")
    reader.close()

    # Ban the pest: the person, not their network.
    page.goto(f"{blog.run.api_url}/moderation")
    page.get_by_role("link", name=f"Ban author: comment {pest}").click()
    expect(page.locator("#network-warning")).to_contain_text("everyone")
    expect(page.get_by_label("Do not ban the network (recommended)")).to_be_checked()
    camera.step(page, "ban-form")
    type_into(page.get_by_label("Reason (optional, for the audit log)"), "Advertising.")
    page.get_by_label("Reason (optional, for the audit log)").press("Enter")
    expect(page.get_by_role("status")).to_have_text("Author of 1 comment banned.")
    refused = post_as(blog, "Pete Pest", {"email": "pete@example.org", "body": "Me again."})
    assert refused.status_code == 403, refused.text
    neighbour = post_as(blog, "Nia Nextdoor", {"email": "nia@example.org", "body": "Hello."})
    assert neighbour.status_code == 201, "the same network address is not banned"

    page.get_by_role("link", name="Bans").click()
    ban_row = page.get_by_role("button", name=re.compile("Lift ban: .*pete@example.org"))
    expect(ban_row).to_be_visible()
    camera.step(page, "bans")
    ban_row.click()
    expect(page.get_by_role("status")).to_contain_text("Ban lifted")
    camera.step(page, "ban-lifted")
    again = post_as(blog, "Pete Pest", {"email": "pete@example.org", "body": "Sorry."})
    assert again.status_code == 201, again.text

    page.get_by_role("link", name="Audit log").click()
    log = page.locator("table tbody")
    for action in ("approve", "redact", "delete", "ban", "unban"):
        expect(log.locator("td", has_text=re.compile(rf"^{action}$")).first).to_be_visible()
    camera.step(page, "audit-log")
    context.close()
