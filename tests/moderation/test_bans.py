"""Bans: "Ban author" bans the person, not everyone behind their network address.

A network ban is an explicit choice with a warning, and ends by itself; every ban can be lifted
from the Bans page or the command line, and the audit log records bans and lifts alike.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from bs4 import BeautifulSoup
from sqlalchemy import update

from comments_api.db.tables import Ban, utcnow
from tests.harness import API, BLOG, Desk
from tests.helpers import CliRun, cli_variables, comments_api_cli

pytestmark = pytest.mark.anyio

# Service.browser() puts every browser at one address, like the staff of a hospital trust.
HOSPITAL = "203.0.113.9"
ELSEWHERE = "198.51.100.20"


async def comment_as_guest(
    desk: Desk, email: str, address: str = HOSPITAL, name: str = "Guest Writer"
) -> httpx.Response:
    return await desk.service.browser(address).post(
        "/api/v1/threads/first-post/comments",
        json={"author": name, "email": email, "body": "A comment about the post."},
    )


async def comment_as_member(member: httpx.AsyncClient) -> httpx.Response:
    return await member.post(
        "/api/v1/threads/first-post/comments",
        json={"body": "A comment from a signed-in member."},
        headers={"Origin": BLOG},
    )


async def signed_in_member(desk: Desk, email: str, address: str = HOSPITAL) -> httpx.AsyncClient:
    member = desk.service.browser(address)
    await desk.service.sign_in(email, client=member)
    return member


async def ban_from_the_form(
    desk: Desk, comment_id: int, found_by: str, network: str = "", reason: str = ""
) -> httpx.Response:
    """Find the comment, follow its "Ban author" link, choose by the option's label, press Ban."""
    found = await desk.page("/moderation/search", q=found_by)
    link = found.find("a", attrs={"aria-label": f"Ban author: comment {comment_id}"})
    assert link is not None, f"searching for {found_by} shows no Ban author link for it"
    page = await desk.page(str(link["href"]).split("?")[0])
    form = page.find("form", attrs={"action": f"/moderation/comments/{comment_id}/ban"})
    assert form is not None
    fields: dict[str, str] = {
        str(field["name"]): str(field.get("value", ""))
        for field in form.find_all("input", attrs={"type": "hidden"})
    }
    chosen = next(
        label
        for label in form.find_all("label")
        if (network or "Do not ban the network") in label.get_text()
    )
    radio = form.find("input", id=chosen["for"])
    fields["network"] = str(radio["value"])
    fields["reason"] = reason
    return await desk.moderator.post(form["action"], data=fields, headers={"Origin": API})


def refusal(response: httpx.Response) -> dict[str, Any]:
    """A 403 with the API's one error shape: detail, and errors naming a field each."""
    assert response.status_code == 403, response.text
    body: dict[str, Any] = response.json()
    assert set(body) == {"detail", "errors"}
    assert body["errors"] and all(set(error) == {"field", "message"} for error in body["errors"])
    return body


def page_text(page: str | BeautifulSoup) -> str:
    """What a person reads, cells apart; addresses whole although they may wrap (<wbr>)."""
    soup = BeautifulSoup(page, "lxml") if isinstance(page, str) else page
    for wrap_point in soup.find_all("wbr"):
        wrap_point.unwrap()  # lxml nests what follows a <wbr> inside it
    soup.smooth()
    return " ".join(soup.get_text(" ").split())


async def lift_on_the_bans_page(desk: Desk, entry_text: str) -> httpx.Response:
    """Find the ban on the Bans page by what it shows, and press its "Lift ban"."""
    page = await desk.page("/moderation/bans")
    [row] = [row for row in page.select("tbody tr") if entry_text in row.get_text()]
    form = row.find("form")
    button = form.find("button")
    assert button.get_text(strip=True) == "Lift ban"
    fields = {str(field["name"]): str(field["value"]) for field in form.find_all("input")}
    return await desk.moderator.post(form["action"], data=fields, headers={"Origin": API})


def run_cli(desk: Desk, *arguments: str) -> CliRun:
    settings = desk.service.settings
    variables = cli_variables(settings.database_url, settings.secret_key)
    return comments_api_cli(*arguments, env=variables)


async def test_banning_a_guest_refuses_their_address_and_not_their_neighbours(
    desk: Desk,
) -> None:
    comment = await desk.guest_comment(email="troll@example.org", body="Provocation")
    banned = await ban_from_the_form(desk, comment, "troll@example.org", reason="abuse")
    assert banned.headers["location"] == "/moderation?done=ban&count=1"

    neighbour = await comment_as_guest(desk, "colleague@example.org")
    assert neighbour.status_code == 201, "a colleague behind the same address still comments"
    body = refusal(await comment_as_guest(desk, "troll@example.org"))
    assert "blocked this e-mail address" in body["detail"]
    assert [error["field"] for error in body["errors"]] == ["email"]
    elsewhere = await comment_as_guest(desk, "Troll@Example.org", address=ELSEWHERE)
    assert elsewhere.status_code == 403, "the address is banned wherever it is used from"


async def test_banning_a_member_refuses_their_account_by_name_from_any_address(
    desk: Desk,
) -> None:
    desk.service.make_user("maria@example.org", "member", "Maria Member")
    at_work = await signed_in_member(desk, "maria@example.org")
    at_home = await signed_in_member(desk, "maria@example.org", address=ELSEWHERE)
    written = await comment_as_member(at_work)
    assert written.status_code == 201, written.text
    await ban_from_the_form(desk, written.json()["comment"]["id"], "maria@example.org")

    for member in (at_work, at_home):
        body = refusal(await comment_as_member(member))
        assert "blocked your account “Maria Member”" in body["detail"]
        assert body["errors"] == [
            {"field": "author", "message": "Your account “Maria Member” is blocked."}
        ]
    form_post = await at_home.post(
        "/api/v1/threads/first-post/comments",
        data={"body": "Without JavaScript"},
        headers={"Origin": BLOG},
    )
    assert form_post.status_code == 403
    assert "blocked your account “Maria Member”" in page_text(form_post.text)

    colleague = await signed_in_member(desk, "colleague@example.org")
    assert (await comment_as_member(colleague)).status_code == 201
    assert (await comment_as_guest(desk, "visitor@example.org")).status_code == 201


async def test_the_ban_form_offers_the_network_only_as_a_time_limited_choice_with_a_warning(
    desk: Desk,
) -> None:
    comment = await desk.guest_comment(email="gus@example.org")
    page = await desk.page(f"/moderation/comments/{comment}/ban")
    assert "the e-mail address gus@example.org" in page_text(page)
    warning = " ".join(page.find(id="network-warning").get_text(" ").split())
    assert "everyone" in warning and "signed-in members included" in warning
    fieldset = page.find("fieldset")
    assert fieldset["aria-describedby"] == "network-warning"
    choices = {
        " ".join(label.get_text().split()): fieldset.find("input", id=label["for"])
        for label in fieldset.find_all("label")
    }
    assert list(choices) == [
        "Do not ban the network (recommended)",
        "Also refuse everyone at this network address for 24 hours",
        "Also refuse everyone at this network address for 7 days",
    ]
    assert choices["Do not ban the network (recommended)"].has_attr("checked")

    odd = await desk.moderator.post(
        f"/moderation/comments/{comment}/ban",
        data={"csrf_token": desk.csrf, "network": "forever"},
        headers={"Origin": API},
    )
    assert odd.status_code == 422
    assert "Choose whether to ban the network too" in odd.text
    assert (await desk.public_ids()) == [] and (
        await comment_as_guest(desk, "gus@example.org")
    ).status_code == 201, "nothing was banned"


async def test_a_network_ban_refuses_everyone_at_the_address_until_it_ends(desk: Desk) -> None:
    colleague = await signed_in_member(desk, "colleague@example.org")
    comment = await desk.guest_comment(email="attacker@example.org")
    await ban_from_the_form(
        desk, comment, "attacker@example.org", network="for 24 hours", reason="flood"
    )

    guest = refusal(await comment_as_guest(desk, "someone.else@example.org"))
    assert guest["detail"].startswith("Comments from your network are blocked until ")
    member = refusal(await comment_as_member(colleague))
    assert member["detail"] == guest["detail"], "members behind the address are refused too"
    assert (await comment_as_guest(desk, "visitor@example.org", ELSEWHERE)).status_code == 201

    bans = await desk.page("/moderation/bans")
    [network_row] = [row for row in bans.select("tbody tr") if "network" in row.get_text()]
    until = network_row.find("td", attrs={"data-label": "Until"}).find("time")["datetime"]
    ends = datetime.strptime(until, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    assert timedelta(hours=23) < ends - utcnow() <= timedelta(hours=24)

    with desk.service.engine.begin() as connection:  # the day goes by
        connection.execute(
            update(Ban).where(Ban.kind == "client").values(expires_at=utcnow() - timedelta(1))
        )
    assert (await comment_as_guest(desk, "someone.else@example.org")).status_code == 201
    assert (await comment_as_member(colleague)).status_code == 201
    assert (await comment_as_guest(desk, "attacker@example.org")).status_code == 403, (
        "the person's own ban stays"
    )
    remaining = (await desk.page("/moderation/bans")).select("tbody tr")
    assert ["network" in row.get_text() for row in remaining] == [False]


async def test_lifting_a_ban_on_the_bans_page_restores_the_member_and_is_logged(
    desk: Desk,
) -> None:
    desk.service.make_user("maria@example.org", "member", "Maria Member")
    member = await signed_in_member(desk, "maria@example.org")
    written = (await comment_as_member(member)).json()["comment"]["id"]
    await ban_from_the_form(desk, written, "maria@example.org", reason="heated thread")
    assert (await comment_as_member(member)).status_code == 403

    lifted = await lift_on_the_bans_page(desk, "Maria Member")
    assert lifted.status_code == 303
    assert lifted.headers["location"] == "/moderation/bans?notice=lifted"
    page = await desk.page("/moderation/bans", notice="lifted")
    assert page.find(role="status").get_text(strip=True).startswith("Ban lifted")
    assert page.select("tbody tr") == []
    assert (await comment_as_member(member)).status_code == 201
    again = desk.service.browser(ELSEWHERE)
    await desk.service.sign_in("maria@example.org", client=again)  # may sign in again, too

    log = page_text((await desk.moderator.get("/moderation/log")).text)
    assert (
        "moderator@example.org unban "
        f"{written} – Lifted the ban on the account and the e-mail address." in log
    )
    assert (
        f"moderator@example.org ban {written} approved → rejected Banned the account and the "
        "e-mail address. Reason: heated thread" in log
    )


async def test_the_command_line_lists_and_lifts_bans_and_the_audit_log_says_so(
    desk: Desk,
) -> None:
    person = await desk.guest_comment(email="troll@example.org")
    await ban_from_the_form(desk, person, "troll@example.org")
    network = await desk.guest_comment(email="flood@example.org")
    await ban_from_the_form(desk, network, "flood@example.org", network="for 7 days")

    listed = run_cli(desk, "bans")
    assert listed.returncode == 0, listed.stderr
    lines = [line.split("\t") for line in listed.stdout.splitlines()]
    assert [(line[3], line[4]) for line in lines] == [
        (
            "the network address",
            f"everyone at the network address of the author of comment {network}",
        ),
        ("the e-mail address", "flood@example.org"),
        ("the e-mail address", "troll@example.org"),
    ]
    network_id = lines[0][0]

    lifted = run_cli(desk, "unban", network_id, "--reason", "the flood stopped")
    assert lifted.returncode == 0, lifted.stderr
    assert lifted.stdout.startswith(f"Lifted ban {network_id} on the network address")
    assert (await comment_as_guest(desk, "someone.else@example.org")).status_code == 201
    by_address = run_cli(desk, "unban", "--email", "TROLL@example.org")
    assert by_address.returncode == 0, by_address.stderr
    assert (await comment_as_guest(desk, "troll@example.org")).status_code == 201

    unknown = run_cli(desk, "unban", network_id)
    assert unknown.returncode == 1
    assert f"there is no ban {network_id}" in unknown.stderr
    log = page_text((await desk.moderator.get("/moderation/log")).text)
    assert (
        f"command line unban {network} – Lifted the ban on the network address. "
        "Reason: the flood stopped" in log
    )
    assert f"command line unban {person} – Lifted the ban on the e-mail address." in log
    remaining = run_cli(desk, "bans").stdout.splitlines()
    assert len(remaining) == 1 and remaining[0].endswith(
        "\tflood@example.org\tmoderator@example.org\t"
    )


async def test_an_empty_bans_list_says_so(desk: Desk) -> None:
    page = await desk.page("/moderation/bans")
    assert page.find("h1").get_text() == "Bans"
    assert "Nobody is banned." in page.get_text()
    assert run_cli(desk, "bans").stdout == "No bans are in force.\n"
