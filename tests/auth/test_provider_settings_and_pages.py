"""Sign-in with the organisation's provider: its settings, its claims, and its pages when it
is not set up or does not answer (the real app over HTTP, on SQLite and PostgreSQL)."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from bs4 import BeautifulSoup

from comments_api.auth.openid import claim, claim_grants
from comments_api.config import ConfigurationError, Settings
from tests.harness import BLOG, Service, ServiceFactory
from tests.helpers import free_port

BUTTON = "Sign in with your network account"


@pytest.mark.parametrize(
    ("environment", "named"),
    [
        ({"COMMENTS_OIDC_ISSUER": "https://id.example.org/realms/network"}, "CLIENT_ID"),
        ({"COMMENTS_OIDC_ISSUER": "id.example.org", "COMMENTS_OIDC_CLIENT_ID": "c"}, "ISSUER"),
        (
            {
                "COMMENTS_OIDC_ISSUER": "https://id.example.org",
                "COMMENTS_OIDC_CLIENT_ID": "c",
                "COMMENTS_OIDC_SCOPES": "email profile",
            },
            "SCOPES must include openid",
        ),
        (
            {
                "COMMENTS_ENV": "production",
                "COMMENTS_SECRET_KEY": "x" * 40,
                "COMMENTS_PUBLIC_URL": "https://comments.example.org",
                "COMMENTS_OIDC_ISSUER": "http://id.example.org",
                "COMMENTS_OIDC_CLIENT_ID": "c",
            },
            "must start with https://",
        ),
    ],
)
def test_provider_settings_that_cannot_work_are_refused_at_start_up(
    environment: dict[str, str], named: str
) -> None:
    with pytest.raises(ConfigurationError, match=named):
        Settings.from_env(environment)


def test_provider_settings_are_read_from_the_environment() -> None:
    settings = Settings.from_env(
        {
            "COMMENTS_OIDC_ISSUER": "https://id.example.org/realms/network",
            "COMMENTS_OIDC_CLIENT_ID": "blog-comments",
            "COMMENTS_OIDC_MODERATOR_CLAIM": "realm_access.roles",
            "COMMENTS_OIDC_LEEWAY_SECONDS": "30",
        }
    )
    assert settings.oidc_enabled
    assert settings.oidc_issuer == "https://id.example.org/realms/network"
    assert settings.oidc_moderator_claim == "realm_access.roles"
    assert settings.oidc_leeway_seconds == 30
    assert not Settings.from_env({}).oidc_enabled


def test_group_and_role_claims_are_read_as_providers_send_them() -> None:
    claims = {
        "groups": ["members", "moderators"],
        "realm_access": {"roles": ["offline_access", "moderators"]},
        "scope_roles": "member moderators",
        "staff": True,
        "contractor": "false",
    }
    assert claim_grants(claim(claims, "groups"), "moderators")
    assert claim_grants(claim(claims, "realm_access.roles"), "moderators")
    assert claim_grants(claim(claims, "scope_roles"), "moderators")
    assert claim_grants(claim(claims, "staff"), "")
    assert not claim_grants(claim(claims, "contractor"), "")
    assert not claim_grants(claim(claims, "groups"), "admins")
    assert not claim_grants(claim(claims, "realm_access.missing"), "moderators")
    assert not claim_grants(claim(claims, "nothing"), "")


@pytest.mark.anyio
async def test_without_a_provider_there_is_no_button_and_its_address_says_so(
    service: Service,
) -> None:
    page = await service.client.get("/auth/sign-in", headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert BUTTON not in page.text

    start = await service.client.get("/auth/oidc/start", headers={"Accept": "text/html"})
    assert start.status_code == 404
    heading = BeautifulSoup(start.text, "lxml").h1
    assert heading is not None
    assert heading.get_text() == "Sign-in with the organisation's accounts is not set up"


@pytest.mark.anyio
async def test_a_provider_that_does_not_answer_gets_a_page_that_says_so(
    make_service: ServiceFactory,
) -> None:
    service = await make_service(
        oidc_issuer=f"http://127.0.0.1:{free_port()}", oidc_client_id="blog-comments"
    )
    sign_in = await service.client.get("/auth/sign-in", headers={"Accept": "text/html"})
    button = BeautifulSoup(sign_in.text, "lxml").find("a", string=BUTTON)
    assert button is not None
    assert button["href"] == f"/auth/oidc/start?next={quote(BLOG + '/', safe='')}"

    start = await service.client.get(str(button["href"]), headers={"Accept": "text/html"})

    assert start.status_code == 502
    page = BeautifulSoup(start.text, "lxml")
    assert page.h1 is not None and page.h1.get_text() == "The sign-in service does not answer"
    alert = page.find(attrs={"role": "alert"})
    assert alert is not None and "could not be reached (its discovery document)" in alert.text
    assert page.find("a", string="Sign in with an e-mailed link") is not None
    assert "comments_session" not in start.cookies


@pytest.mark.anyio
async def test_an_answer_for_a_sign_in_this_browser_never_started_is_refused(
    make_service: ServiceFactory,
) -> None:
    service = await make_service(
        oidc_issuer=f"http://127.0.0.1:{free_port()}", oidc_client_id="blog-comments"
    )
    answer = await service.client.get(
        "/auth/oidc/callback?code=a-code&state=a-state", headers={"Accept": "text/html"}
    )
    assert answer.status_code == 400
    page = BeautifulSoup(answer.text, "lxml")
    assert page.h1 is not None and page.h1.get_text() == "This sign-in was not started here"
    assert "comments_session" not in answer.cookies
