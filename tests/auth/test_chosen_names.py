"""Members choose the name shown with their comments; nothing is taken from their address."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from tests.harness import API, BLOG, Service, sign_in_form
from tests.helpers import BUILD_TOKEN

pytestmark = pytest.mark.anyio

STAFF = "grace.hopper@staff.example.org"


async def _comment(service: Service, body: str) -> dict[str, object]:
    response = await service.client.post(
        "/api/v1/threads/first-post/comments", json={"body": body}, headers={"Origin": BLOG}
    )
    assert response.status_code == 201, response.text
    comment: dict[str, object] = response.json()["comment"]
    return comment


def _name_field(page_text: str) -> object:
    return BeautifulSoup(page_text, "lxml").find("input", attrs={"name": "display_name"})


async def test_a_new_member_who_chooses_no_name_is_shown_as_member_everywhere(
    make_service: object,
) -> None:
    service: Service = await make_service(  # type: ignore[operator]
        moderation="publish", build_token=BUILD_TOKEN
    )
    await service.sign_in(STAFF)

    comment = await _comment(service, "Speaking for the ward team.")

    assert comment["author"] == "Member"
    assert (await service.me())["user"]["display_name"] == "Member"
    surfaces = {
        "list": await service.client.get("/api/v1/threads/first-post/comments"),
        "snapshot": await service.client.get(
            "/api/v1/snapshot", headers={"Authorization": f"Bearer {BUILD_TOKEN}"}
        ),
        "thread feed": await service.client.get("/api/v1/threads/first-post/feed.atom"),
        "site feed": await service.client.get("/api/v1/feed.atom"),
    }
    for surface, response in surfaces.items():
        assert response.status_code == 200, (surface, response.text)
        assert "Speaking for the ward team." in response.text, surface
        assert "grace" not in response.text.lower(), f"the {surface} shows part of the address"
        assert "staff.example.org" not in response.text, f"the {surface} names the domain"


async def test_the_confirmation_page_asks_a_new_member_for_a_name_prefilled_with_nothing(
    service: Service,
) -> None:
    link = await service.request_link(STAFF, f"{BLOG}/posts/first.html")
    page = await service.client.get(link)
    field = _name_field(page.text)
    assert field is not None, "a first sign-in asks for the name"
    assert field.get("value", "") == ""  # type: ignore[attr-defined]
    label = BeautifulSoup(page.text, "lxml").find("label", attrs={"for": "display_name"})
    assert label.get_text(strip=True) == "Name shown with your comments"

    form = sign_in_form(page)
    form.pop("method")
    action = form.pop("action")
    signed_in = await service.client.post(
        action, data={**form, "display_name": "  Rear  Admiral G. "}, headers={"Origin": API}
    )

    assert signed_in.status_code == 303
    assert signed_in.headers["location"] == f"{BLOG}/posts/first.html"
    assert (await service.me())["user"]["display_name"] == "Rear Admiral G."
    again = await service.client.get(await service.request_link(STAFF))
    assert _name_field(again.text) is None, "a member with a name is not asked again"


async def test_a_name_that_cannot_be_shown_is_explained_and_the_link_still_works(
    service: Service,
) -> None:
    link = await service.request_link("new.member@example.org")
    form = sign_in_form(await service.client.get(link))
    form.pop("method")
    action = form.pop("action")

    refused = await service.client.post(
        action,
        data={**form, "display_name": "Ada\x07 Lovelace"},
        headers={"Origin": API, "Accept": "text/html"},
    )

    assert refused.status_code == 422
    page = BeautifulSoup(refused.text, "lxml")
    assert page.find(id="name-error").get_text(strip=True).startswith("Give a name of 1 to 80")
    assert page.find("input", attrs={"name": "display_name"})["aria-invalid"] == "true"
    assert (await service.me())["signed_in"] is False
    accepted = await service.client.post(
        action, data={**form, "display_name": "Newcomer"}, headers={"Origin": API}
    )
    assert accepted.status_code == 303
    assert (await service.me())["user"]["display_name"] == "Newcomer"


async def test_a_member_without_a_name_is_asked_on_the_account_page_with_an_empty_field(
    service: Service,
) -> None:
    await service.sign_in("later@example.org")
    page = await service.client.get("/auth/sign-in")
    field = _name_field(page.text)
    assert field is not None and field.get("value", "") == ""  # type: ignore[attr-defined]
    assert "You have not chosen a name yet" in page.text
    assert "later" not in BeautifulSoup(page.text, "lxml").get_text()


async def test_a_name_given_by_the_operator_counts_as_chosen(service: Service) -> None:
    service.make_user("head.nurse@staff.example.org", "moderator", "Head Nurse")
    page = await service.client.get(await service.request_link("head.nurse@staff.example.org"))
    assert _name_field(page.text) is None
    service.make_user("no.name@example.org", "moderator")
    unnamed = await service.client.get(await service.request_link("no.name@example.org"))
    assert _name_field(unnamed.text) is not None


async def test_comments_written_as_member_take_the_name_chosen_later(
    make_service: object,
) -> None:
    service: Service = await make_service(moderation="publish")  # type: ignore[operator]
    await service.sign_in("quiet@example.org")
    await _comment(service, "Written before choosing a name.")
    guest = await service.browser().post(  # another person, who typed "Member" as their name
        "/api/v1/threads/first-post/comments",
        json={"author": "Member", "email": "guest@example.org", "body": "A guest writes."},
    )
    assert guest.status_code == 201, guest.text
    before = await service.client.get("/api/v1/threads/first-post/comments")
    page = BeautifulSoup((await service.client.get("/auth/sign-in")).text, "lxml")
    token = page.find("input", attrs={"name": "csrf_token"})["value"]

    renamed = await service.client.post(
        "/auth/profile",
        data={"display_name": "Quiet Reader", "csrf_token": token},
        headers={"Origin": API},
    )

    assert renamed.status_code == 303
    after = await service.client.get(
        "/api/v1/threads/first-post/comments", headers={"If-None-Match": before.headers["ETag"]}
    )
    assert after.status_code == 200, "the cached list moved on"
    authors = {c["html"]: c["author"] for c in after.json()["comments"]}
    assert authors["<p>Written before choosing a name.</p>"] == "Quiet Reader"
    assert authors["<p>A guest writes.</p>"] == "Member"
