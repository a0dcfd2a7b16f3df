"""Signed-in members comment under their name; the sign-in pages work without JavaScript."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from bs4 import BeautifulSoup

from tests.harness import API, BLOG, Service, ServiceFactory, confirm_sign_in
from tests.helpers import comments_api_cli
from tests.smtp import sign_in_link

pytestmark = pytest.mark.anyio


async def test_a_signed_in_member_comments_without_name_or_email(service: Service) -> None:
    await service.sign_in("member.one@example.org")

    response = await service.client.post(
        "/api/v1/threads/first-post/comments",
        json={"body": "Thanks, this helped our ward a lot."},
        headers={"Origin": BLOG},
    )

    assert response.status_code == 201, response.text
    comment = response.json()["comment"]
    assert comment["author"] == "Member"  # until they choose a name
    assert comment["member"] is True
    assert comment["verified"] is False
    assert "email" not in response.text and "member.one@example.org" not in response.text


async def test_members_cannot_post_under_another_name(service: Service) -> None:
    await service.sign_in("honest@example.org")
    response = await service.client.post(
        "/api/v1/threads/first-post/comments",
        json={"body": "Hello", "author": "The Editor", "email": "editor@example.org"},
        headers={"Origin": BLOG},
    )
    assert response.json()["comment"]["author"] == "Member"


async def test_staff_comments_carry_the_verified_badge(service: Service) -> None:
    await service.sign_in("matron@staff.example.org")
    response = await service.client.post(
        "/api/v1/threads/first-post/comments",
        json={"body": "Speaking for the ward team: thank you."},
        headers={"Origin": BLOG},
    )
    assert response.status_code == 201, response.text
    assert response.json()["comment"]["verified"] is True
    listed = (await service.client.get("/api/v1/threads/first-post/comments")).json()
    if response.json()["status"] == "approved":
        assert listed["comments"][0]["verified"] is True


async def test_a_member_form_post_uses_the_account_too(service: Service) -> None:
    await service.sign_in("formuser@example.org")
    response = await service.client.post(
        "/api/v1/threads/first-post/comments",
        data={"body": "Posted from the plain form."},
        headers={"Origin": BLOG},
    )
    assert response.status_code == 303, response.text
    assert response.headers["location"].startswith(f"{BLOG}/posts/first.html#comment-")


async def test_a_cookie_write_without_an_origin_is_refused(service: Service) -> None:
    await service.sign_in("careful@example.org")
    response = await service.client.post(
        "/api/v1/threads/first-post/comments", json={"body": "Hello"}
    )
    assert response.status_code == 403
    assert response.json()["errors"][0]["field"] == "Origin"


async def test_the_sign_in_form_sends_a_link_without_javascript(service: Service) -> None:
    page = await service.client.get("/auth/sign-in", params={"next": f"{BLOG}/posts/first.html"})
    assert page.status_code == 200
    soup = BeautifulSoup(page.text, "lxml")
    form = soup.find("form", attrs={"action": "/auth/sign-in"})
    assert form is not None and form["method"] == "post"
    email_input = soup.find("input", attrs={"name": "email"})
    assert soup.find("label", attrs={"for": email_input["id"]}) is not None
    assert soup.find("input", attrs={"name": "next"})["value"] == f"{BLOG}/posts/first.html"
    assert soup.find("main") is not None and soup.find("h1") is not None
    assert "script-src" not in page.headers["content-security-policy"]

    sent = await service.client.post(
        "/auth/sign-in",
        data={"email": "noscript@example.org", "next": f"{BLOG}/posts/first.html"},
        headers={"Origin": API},
    )

    assert sent.status_code == 200
    assert "Check your e-mail" in sent.text
    service.deliver()
    [message] = service.mailbox.to("noscript@example.org")
    followed = await confirm_sign_in(service.client, sign_in_link(message))
    assert followed.headers["location"] == f"{BLOG}/posts/first.html"


async def test_the_sign_in_form_explains_a_bad_address(service: Service) -> None:
    response = await service.client.post(
        "/auth/sign-in", data={"email": "nope", "next": ""}, headers={"Origin": API}
    )
    assert response.status_code == 422
    soup = BeautifulSoup(response.text, "lxml")
    field = soup.find("input", attrs={"name": "email"})
    assert field["aria-invalid"] == "true"
    assert "email-error" in field["aria-describedby"]
    error = soup.find(id="email-error").get_text()
    assert error.startswith("Give a valid e-mail address")
    assert error.count("Give a valid e-mail address") == 1, "the message repeats itself"


async def test_members_change_their_display_name_and_sign_out_on_the_account_page(
    service: Service,
) -> None:
    await service.sign_in("rename@example.org")
    page = BeautifulSoup((await service.client.get("/auth/sign-in")).text, "lxml")
    token = page.find("input", attrs={"name": "csrf_token"})["value"]

    refused = await service.client.post(
        "/auth/profile", data={"display_name": "Sneaky"}, headers={"Origin": API}
    )
    renamed = await service.client.post(
        "/auth/profile",
        data={"display_name": "Dr  Rena Me", "csrf_token": token},
        headers={"Origin": API},
    )

    assert refused.status_code == 403
    assert renamed.status_code == 303
    assert (await service.me())["user"]["display_name"] == "Dr Rena Me"
    signed_out = await service.client.post(
        "/auth/sign-out", data={"csrf_token": token}, headers={"Origin": API}
    )
    assert signed_out.status_code == 303
    assert (await service.me())["signed_in"] is False


async def test_the_login_shortcut_leads_to_the_form_returning_to_the_post(
    service: Service,
) -> None:
    response = await service.client.get("/login", headers={"Referer": f"{BLOG}/posts/first.html"})
    assert response.status_code == 303
    assert response.headers["location"].startswith(f"{API}/auth/sign-in?next=")


def test_create_user_makes_the_first_moderator(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    env = {"COMMENTS_DATABASE_URL": url, "COMMENTS_VERIFIED_DOMAINS": "staff.example.org"}
    created = comments_api_cli(
        "create-user",
        "Head@Staff.example.org",
        *("--role", "moderator", "--name", "Head Nurse"),
        env=env,
        cwd=tmp_path,
    )
    assert created.returncode == 0, created.stderr
    assert "head@staff.example.org: role moderator, name 'Head Nurse', verified" in created.stdout
    promoted = comments_api_cli(
        "create-user", "head@staff.example.org", "--role", "admin", env=env, cwd=tmp_path
    )
    assert "head@staff.example.org: role admin, name 'Head Nurse'" in promoted.stdout
    bad = comments_api_cli("create-user", "not-an-address", env=env, cwd=tmp_path)
    assert bad.returncode == 1 and "e-mail" in bad.stderr


async def test_a_display_name_with_control_characters_is_refused_not_stored(
    service: Service,
) -> None:
    await service.sign_in("controls@example.org")
    page = BeautifulSoup((await service.client.get("/auth/sign-in")).text, "lxml")
    token = page.find("input", attrs={"name": "csrf_token"})["value"]

    response = await service.client.post(
        "/auth/profile",
        data={"display_name": "Ada\x00\x07 Lovelace", "csrf_token": token},
        headers={"Origin": API},
    )

    assert response.status_code == 422, response.text
    assert (await service.me())["user"]["display_name"] == "Member"
    # The name a member comments under is one the comment form accepts.
    posted = await service.client.post(
        "/api/v1/threads/first-post/comments",
        json={"body": "Still works."},
        headers={"Origin": BLOG},
    )
    assert posted.status_code == 201, posted.text


async def test_members_behind_one_address_each_have_their_own_limit(
    make_service: ServiceFactory,
) -> None:
    limited = await make_service(rate_limits_enabled=True, rate_limit_create="2/minute")
    colleague = limited.browser()  # the same hospital address as limited.client
    guest = limited.browser()
    await limited.sign_in("ward.one@example.org")
    await limited.sign_in("ward.two@example.org", client=colleague)

    async def post(client: httpx.AsyncClient, body: str, **guest_fields: str) -> httpx.Response:
        return await client.post(
            "/api/v1/threads/first-post/comments",
            json={"body": body, **guest_fields},
            headers={"Origin": BLOG},
        )

    for number in (1, 2):
        assert (await post(limited.client, f"First member, {number}")).status_code == 201
        assert (await post(colleague, f"Second member, {number}")).status_code == 201
    refused = await post(limited.client, "First member, 3")
    assert refused.status_code == 429, refused.text
    assert "from your account" in refused.json()["detail"]
    welcome = await post(guest, "A guest on the same network", author="Gus", email="g@example.org")
    assert welcome.status_code == 201, welcome.text
