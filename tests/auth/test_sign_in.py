"""Passwordless sign-in: e-mailed single-use links, sessions, roles, no open redirect."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import update

from comments_api.db.tables import LoginToken, User, UserSession, utcnow
from tests.harness import API, BLOG, Service, ServiceFactory, confirm_sign_in, sign_in_form
from tests.smtp import sign_in_link
from tests.smtp import text_of as body_text

pytestmark = pytest.mark.anyio


async def test_a_reader_signs_in_through_the_link_in_the_email(service: Service) -> None:
    response = await service.client.post(
        "/api/v1/auth/login",
        json={"email": "Ada.Lovelace@example.org", "next": f"{BLOG}/posts/first.html"},
    )
    assert response.status_code == 202
    assert "sign-in link" in response.json()["message"]
    assert service.deliver() == 1
    [message] = service.mailbox.to("ada.lovelace@example.org")
    assert message["Subject"] == "Your sign-in link"
    assert "within 15 minutes" in body_text(message)
    link = sign_in_link(message)
    # Each address stands on a line of its own, so no mail program takes a full stop into it.
    address_lines = [line for line in body_text(message).splitlines() if "://" in line]
    assert address_lines == [BLOG, link], address_lines
    assert link.startswith(f"{API}/api/v1/auth/callback?token=")

    opened = await service.client.get(link)
    heading = BeautifulSoup(opened.text, "lxml").find("h1").get_text(" ", strip=True)
    assert heading == "Sign in to Improvement Network Blog as a•••@example.org?"
    assert "set-cookie" not in opened.headers
    assert (await service.me())["signed_in"] is False
    followed = await confirm_sign_in(service.client, link)

    assert followed.status_code == 303
    assert followed.headers["location"] == f"{BLOG}/posts/first.html"
    cookie = followed.headers["set-cookie"].lower()
    for attribute in ("comments_session=", "httponly", "samesite=lax", "secure", "path=/"):
        assert attribute in cookie
    me = await service.me()
    assert me["signed_in"] is True
    assert me["user"] == {
        "display_name": "Member",
        "role": "member",
        "verified": False,
        "signed_in_with_provider": False,
    }


async def test_only_a_hash_of_the_link_secret_is_stored(service: Service) -> None:
    link = await service.request_link("grace@example.org")
    token = parse_qs(urlsplit(link).query)["token"][0]
    with service.engine.connect() as connection:
        rows = connection.exec_driver_sql("SELECT token_hash, email FROM login_tokens").all()
    assert [row[1] for row in rows] == ["grace@example.org"]
    stored = rows[0][0]
    assert len(stored) == 64 and stored not in token and token not in stored


async def test_the_answer_is_the_same_for_known_unknown_and_banned_addresses(
    service: Service,
) -> None:
    service.make_user("known@example.org")
    banned = service.make_user("banned@example.org")
    with service.engine.begin() as connection:
        connection.execute(update(User).where(User.id == banned.id).values(banned_at=utcnow()))
    answers = []
    for address in ("known@example.org", "nobody@example.org", "banned@example.org"):
        response = await service.client.post("/api/v1/auth/login", json={"email": address})
        answers.append((response.status_code, response.json()))
    assert answers[0] == answers[1] == answers[2]
    assert answers[0][0] == 202
    service.deliver()
    assert service.mailbox.to("known@example.org") and service.mailbox.to("nobody@example.org")
    assert service.mailbox.to("banned@example.org") == []


async def test_a_malformed_address_is_refused_with_the_field_named(service: Service) -> None:
    response = await service.client.post("/api/v1/auth/login", json={"email": "not an address"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "email"


async def test_mail_scanners_opening_the_link_neither_sign_in_nor_use_it_up(
    service: Service,
) -> None:
    link = await service.request_link("scanned@example.org")
    scanner = service.browser()
    for _ in range(3):  # Safe Links and the like fetch a link, sometimes more than once
        opened = await scanner.get(link)
        assert opened.status_code == 200
        assert "set-cookie" not in opened.headers
    assert (await service.me(scanner))["signed_in"] is False
    with service.engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT used_at FROM login_tokens").scalar() is None

    signed_in = await confirm_sign_in(service.client, link)

    assert signed_in.status_code == 303
    assert (await service.me())["signed_in"] is True


async def test_the_confirmation_page_is_one_plain_form_without_javascript(
    service: Service,
) -> None:
    link = await service.request_link("plain.page@example.org")
    token = parse_qs(urlsplit(link).query)["token"][0]

    page = await service.client.get(link)

    assert page.headers["content-type"].startswith("text/html")
    assert page.headers["cache-control"] == "no-store"
    assert "script-src" not in page.headers["content-security-policy"]
    # The post redirects to `next` on the blog, which the form-action rule must allow.
    assert f"form-action 'self' {BLOG};" in page.headers["content-security-policy"]
    soup = BeautifulSoup(page.text, "lxml")
    assert soup.find("script") is None
    assert not any(name.startswith("on") for tag in soup.find_all(True) for name in tag.attrs)
    assert soup.find("html")["lang"] == "en"
    assert soup.find("main") is not None
    assert sign_in_form(page) == {
        "method": "post",
        "action": "/api/v1/auth/callback",
        "token": token,
        "display_name": "",
    }
    assert "plain.page@example.org" not in page.text
    assert "p•••@example.org" in soup.find("h1").get_text()


async def test_a_sign_in_link_works_only_once(service: Service) -> None:
    link = await service.request_link("once@example.org")
    assert (await confirm_sign_in(service.client, link)).status_code == 303

    other_browser = service.browser()
    token = parse_qs(urlsplit(link).query)["token"][0]
    again = await other_browser.post(
        "/api/v1/auth/callback", data={"token": token}, headers={"Origin": API}
    )
    reopened = await other_browser.get(link)

    assert again.status_code == 400
    assert "already been used" in again.json()["detail"]
    assert reopened.status_code == 400
    assert "already been used" in reopened.text
    assert BeautifulSoup(reopened.text, "lxml").find("form") is None
    assert "Ask for a new sign-in link" in reopened.text
    assert (await service.me(other_browser))["signed_in"] is False


async def test_a_sign_in_link_expires_after_fifteen_minutes(service: Service) -> None:
    link = await service.request_link("late@example.org")
    with service.engine.begin() as connection:
        connection.execute(update(LoginToken).values(expires_at=utcnow() - timedelta(seconds=1)))
    opened = await service.client.get(link)
    assert opened.status_code == 400
    assert "Ask for a new sign-in link" in opened.text
    assert BeautifulSoup(opened.text, "lxml").find("form") is None
    token = parse_qs(urlsplit(link).query)["token"][0]
    pressed = await service.client.post(
        "/api/v1/auth/callback",
        data={"token": token},
        headers={"Origin": API, "Accept": "text/html"},
    )
    assert pressed.status_code == 400
    assert "Ask for a new sign-in link" in pressed.text
    assert (await service.me())["signed_in"] is False


async def test_a_link_for_an_account_banned_since_says_so_and_signs_nobody_in(
    service: Service,
) -> None:
    banned = service.make_user("banned.later@example.org")
    link = await service.request_link("banned.later@example.org")
    with service.engine.begin() as connection:
        connection.execute(update(User).where(User.id == banned.id).values(banned_at=utcnow()))

    opened = await service.client.get(link)
    token = parse_qs(urlsplit(link).query)["token"][0]
    pressed = await service.client.post(
        "/api/v1/auth/callback", data={"token": token}, headers={"Origin": API}
    )

    assert opened.status_code == pressed.status_code == 400
    assert "can no longer sign in" in opened.text
    assert "can no longer sign in" in pressed.json()["detail"]
    assert (await service.me())["signed_in"] is False


async def test_a_sign_in_posted_from_another_site_is_refused_and_the_link_still_works(
    service: Service,
) -> None:
    link = await service.request_link("csrf@example.org")
    token = parse_qs(urlsplit(link).query)["token"][0]

    forged = await service.client.post(
        "/api/v1/auth/callback", data={"token": token}, headers={"Origin": "https://evil.example"}
    )

    assert forged.status_code == 403
    assert forged.json()["errors"][0]["field"] == "Origin"
    assert "set-cookie" not in forged.headers
    assert (await service.me())["signed_in"] is False
    assert (await confirm_sign_in(service.client, link)).status_code == 303


async def test_links_are_valid_for_fifteen_minutes(service: Service) -> None:
    await service.request_link("clock@example.org")
    with service.engine.connect() as connection:
        token = connection.execute(LoginToken.__table__.select()).one()
    assert token.expires_at - token.created_at == timedelta(minutes=15)


async def test_a_forged_or_tampered_link_is_refused(service: Service) -> None:
    link = await service.request_link("forge@example.org")
    tampered = link[:-3] + ("AAA" if not link.endswith("AAA") else "BBB")
    assert (await service.client.get(tampered)).status_code == 400
    assert (await service.client.get("/api/v1/auth/callback?token=made-up")).status_code == 400
    for token in (parse_qs(urlsplit(tampered).query)["token"][0], "made-up"):
        pressed = await service.client.post(
            "/api/v1/auth/callback", data={"token": token}, headers={"Origin": API}
        )
        assert pressed.status_code == 400
        assert pressed.json()["errors"][0]["field"] == "token"
    assert (await service.me())["signed_in"] is False


async def test_signing_in_always_starts_a_new_session(service: Service) -> None:
    first = await service.sign_in("twice@example.org")
    first_cookie = service.client.cookies["comments_session"]
    second = await service.sign_in("twice@example.org")
    second_cookie = service.client.cookies["comments_session"]

    assert first.status_code == second.status_code == 303
    assert first_cookie != second_cookie
    stale = service.browser()
    stale.cookies.set("comments_session", first_cookie, domain="api.test")
    assert (await service.me(stale))["signed_in"] is False
    assert (await service.me())["signed_in"] is True


async def test_a_session_planted_before_sign_in_is_not_kept(service: Service) -> None:
    service.client.cookies.set("comments_session", "chosen-by-an-attacker", domain="api.test")
    await service.sign_in("fixation@example.org")
    assert service.client.cookies["comments_session"] != "chosen-by-an-attacker"


@pytest.mark.parametrize(
    ("next_url", "expected"),
    [
        (f"{BLOG}/posts/first.html#comments", f"{BLOG}/posts/first.html#comments"),
        ("/moderation", f"{API}/moderation"),
        ("https://evil.example/phish", f"{BLOG}/"),
        ("//evil.example/phish", f"{BLOG}/"),
        ("https:evil.example", f"{BLOG}/"),
        ("javascript:alert(1)", f"{BLOG}/"),
        (f"{BLOG}.evil.example/", f"{BLOG}/"),
        ("https://evil.example\\@blog.test/", f"{BLOG}/"),
        ("/\\evil.example", f"{BLOG}/"),
        (None, f"{BLOG}/"),
    ],
)
async def test_after_sign_in_only_the_blog_or_this_service_is_a_destination(
    service: Service, next_url: str | None, expected: str
) -> None:
    response = await service.sign_in("redirect@example.org", next_url)
    assert response.headers["location"] == expected


async def test_signing_out_ends_the_session(service: Service) -> None:
    await service.sign_in("leaving@example.org")
    cookie = service.client.cookies["comments_session"]

    response = await service.client.post("/api/v1/auth/logout", headers={"Origin": BLOG})

    assert response.status_code == 204
    assert "comments_session=" in response.headers["set-cookie"]
    assert (await service.me())["signed_in"] is False
    replay = service.browser()
    replay.cookies.set("comments_session", cookie, domain="api.test")
    assert (await service.me(replay))["signed_in"] is False


async def test_sign_out_from_a_foreign_page_or_without_origin_is_refused(
    service: Service,
) -> None:
    await service.sign_in("stay@example.org")
    foreign = await service.client.post(
        "/api/v1/auth/logout", headers={"Origin": "https://evil.example"}
    )
    bare = await service.client.post("/api/v1/auth/logout")
    assert foreign.status_code == bare.status_code == 403
    assert (await service.me())["signed_in"] is True


async def test_me_tells_anonymous_readers_where_to_sign_in(service: Service) -> None:
    response = await service.client.get(
        "/api/v1/auth/me", headers={"Referer": f"{BLOG}/posts/first.html"}
    )
    assert response.json()["signed_in"] is False
    assert response.json()["user"] is None
    login_url = response.json()["login_url"]
    assert login_url.startswith(f"{API}/auth/sign-in?")
    assert parse_qs(urlsplit(login_url).query)["next"] == [f"{BLOG}/posts/first.html"]
    assert response.headers["cache-control"] == "no-store"


async def test_me_returns_readers_to_the_page_named_in_next_rather_than_the_bare_origin(
    service: Service,
) -> None:
    post = f"{BLOG}/posts/first.html#comments"
    response = await service.client.get(
        "/api/v1/auth/me", params={"next": post}, headers={"Referer": f"{BLOG}/"}
    )
    login_url = response.json()["login_url"]
    assert login_url.startswith(f"{API}/auth/sign-in?")
    assert parse_qs(urlsplit(login_url).query)["next"] == [post]


@pytest.mark.parametrize(
    "next_url", ["https://evil.example/phish", "//evil.example/", "javascript:alert(1)"]
)
async def test_me_never_offers_a_way_back_to_another_site(service: Service, next_url: str) -> None:
    response = await service.client.get(
        "/api/v1/auth/me",
        params={"next": next_url},
        headers={"Referer": f"{BLOG}/posts/first.html"},
    )
    login_url = response.json()["login_url"]
    assert parse_qs(urlsplit(login_url).query)["next"] == [f"{BLOG}/"]


async def test_staff_addresses_are_verified(service: Service) -> None:
    await service.sign_in("nurse@staff.example.org")
    assert (await service.me())["user"]["verified"] is True


async def test_the_cookie_is_not_secure_only_in_development(
    make_service: ServiceFactory,
) -> None:
    development = await make_service(env="development")
    response = await development.sign_in("dev@example.org")
    assert "secure" not in response.headers["set-cookie"].lower()


async def test_moderators_created_by_the_operator_sign_in_with_their_role(
    service: Service,
) -> None:
    service.make_user("mod@example.org", "moderator", "Mo Derator")
    await service.sign_in("mod@example.org")
    assert (await service.me())["user"] == {
        "display_name": "Mo Derator",
        "role": "moderator",
        "verified": False,
        "signed_in_with_provider": False,
    }


async def test_repeated_requests_do_not_flood_an_inbox(service: Service) -> None:
    answers = set()
    for _ in range(5):
        response = await service.client.post(
            "/api/v1/auth/login", json={"email": "flooded@example.org"}
        )
        answers.add((response.status_code, response.text))
    service.deliver()
    assert len(answers) == 1 and next(iter(answers))[0] == 202
    assert len(service.mailbox.to("flooded@example.org")) == 3


async def test_a_session_ends_after_its_lifetime(service: Service) -> None:
    await service.sign_in("expiring@example.org")
    with service.engine.begin() as connection:
        connection.execute(update(UserSession).values(expires_at=utcnow() - timedelta(seconds=1)))
    assert (await service.me())["signed_in"] is False
