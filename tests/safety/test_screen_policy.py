"""The `screen` policy through the real API: clean guests published, the rest held or filed."""

from __future__ import annotations

import pytest

from comments_api.db.tables import Status
from tests.harness import MailApiFactory
from tests.helpers import DEPLOY_TOKEN

pytestmark = pytest.mark.anyio

LINK_FARM = (
    "Best casino bonus, cheap loans and crypto signals: https://spin-win.example "
    "https://cheap-loans.example https://crypto-pump.example click here and buy now!"
)
ON_TOPIC_PITCH = (
    "Good points on run charts. We run an accredited SPC certificate course for ward teams, "
    "book your place today at https://qi-certify.example and quote RUNCHART for 20% off."
)
SPANISH = (
    "Muchas gracias por el artículo. En nuestro hospital de Sevilla usamos gráficos de control "
    "desde hace dos años y los resultados en las caídas de pacientes han mejorado mucho."
)
CAMPAIGN = (
    "I have been following this for a while and the ideas here match what our team has seen "
    "over the last year with patient flow and staffing rotas in the trust."
)


async def test_clean_guests_are_published_at_once_and_the_rest_held_or_filed_as_spam(
    make_mail_api: MailApiFactory,
) -> None:
    api = await make_mail_api(moderation="screen")
    clean = await api.post(body="The discharge checklist matches what our ward uses; thanks.")
    assert clean.status_code == 201
    assert clean.json()["status"] == "approved"
    spanish = await api.post(author="Lucía", email="lucia@example.es", body=SPANISH)
    assert spanish.json()["status"] == "approved", api.stored(spanish.json()["comment"]["id"])
    pitch = await api.post(author="Sam", email="sam@qi-certify.example", body=ON_TOPIC_PITCH)
    farm = await api.post(author="Win", email="win@spin-win.example", body=LINK_FARM)
    assert pitch.json()["status"] == farm.json()["status"] == "pending"
    assert api.stored(pitch.json()["comment"]["id"]).status in {
        Status.PENDING.value,
        Status.SPAM.value,
    }
    assert api.stored(farm.json()["comment"]["id"]).status == Status.SPAM.value
    assert await api.public_ids() == [
        clean.json()["comment"]["id"],
        spanish.json()["comment"]["id"],
    ]


async def test_the_stored_reasons_give_the_filters_verdict_and_each_reasons_points(
    make_mail_api: MailApiFactory,
) -> None:
    api = await make_mail_api()  # the shipped default policy
    pitch = await api.post(author="Sam", email="sam@qi-certify.example", body=ON_TOPIC_PITCH)
    clean = await api.post(author="Jo", email="jo@example.org", body="Useful, thank you.")
    pitch_reasons = api.stored(pitch.json()["comment"]["id"]).held_reasons.splitlines()
    assert pitch_reasons[0].startswith("spam filter verdict: ")
    assert "hold for a moderator" in pitch_reasons[0] or "spam folder, score" in pitch_reasons[0]
    assert any(line.startswith("sells something: an offer with") for line in pitch_reasons)
    assert all(line.endswith(")") for line in pitch_reasons[1:-1])
    assert any("(+" in line for line in pitch_reasons)
    clean_reasons = api.stored(clean.json()["comment"]["id"]).held_reasons.splitlines()
    assert clean_reasons[0].startswith("spam filter verdict: publish, score 0 / 100")
    assert clean_reasons[-1] == "a first comment from this address is held for a moderator"


async def test_a_campaign_posted_in_several_threads_is_held_from_the_second_thread(
    make_mail_api: MailApiFactory,
) -> None:
    api = await make_mail_api(moderation="screen")
    threads = [
        {"key": key, "title": title, "url": f"/posts/{key}.html", "closed": False}
        for key, title in (
            ("first-post", "First post"),
            ("second-post", "Second post"),
            ("third-post", "Third post"),
        )
    ]
    response = await api.client.put(
        "/api/v1/threads",
        json={"threads": threads},
        headers={"Authorization": f"Bearer {DEPLOY_TOKEN}"},
    )
    assert response.status_code == 200, response.text
    first = await api.post(author="Kim", email="kim@example.org", body=CAMPAIGN)
    assert first.json()["status"] == "approved"
    again = await api.post(
        "second-post",
        author="Kim B",
        email="kimb@example.org",
        body=CAMPAIGN.replace("a while", "some months") + " https://rota-helper.example",
    )
    stored = api.stored(again.json()["comment"]["id"])
    assert "nearly the same text was posted lately in 1 other thread (+30)" in stored.held_reasons
    assert again.json()["status"] == "pending"


async def test_a_comment_about_the_posts_summary_is_on_topic(
    make_mail_api: MailApiFactory,
) -> None:
    api = await make_mail_api(moderation="screen")
    reply = (
        "Twice a day at the nurses' station works for our team as well; "
        "our notes are at https://ward-notes.example"
    )

    async def reasons_with(summary: str, email: str) -> str:
        thread = {
            "key": "huddles",
            "title": "A year of safety huddles on Ward 7",
            "url": "/posts/huddles.html",
            "closed": False,
            "summary": summary,
        }
        response = await api.client.put(
            "/api/v1/threads",
            json={"threads": [thread]},
            headers={"Authorization": f"Bearer {DEPLOY_TOKEN}"},
        )
        assert response.status_code == 200, response.text
        posted = await api.post("huddles", author="Lee", email=email, body=reply)
        return api.stored(posted.json()["comment"]["id"]).held_reasons

    # Each time from a first-time guest, whose links the screening weighs against the post.
    assert "says nothing about the post" in await reasons_with("", "lee@example.org")
    summary = "Ten minutes at the nurses' station, twice a day, for a year."
    assert "says nothing about the post" not in await reasons_with(summary, "kay@example.org")
