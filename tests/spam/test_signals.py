"""Signals that read intent: selling in any language, addresses, names, the post, campaigns."""

from __future__ import annotations

import pytest

from comments_api.screening import CommentDraft, SpamContext, SpamSettings, assess, default_model
from comments_api.screening.campaigns import near_duplicates
from comments_api.screening.intent import (
    brand_like_name,
    commercial_intent,
    commercial_words_in_address,
    is_personal_website,
)

GUEST = SpamContext(is_member=False, author_is_new=True)
DEFAULTS = SpamSettings()


def kinds(body: str, context: SpamContext = GUEST, **draft: str) -> dict[str, float]:
    assessment = assess(CommentDraft(body=body, **draft), context, default_model(), DEFAULTS)
    found: dict[str, float] = {}
    for signal in assessment.signals:
        found[signal.kind] = found.get(signal.kind, 0.0) + signal.points
    return found


@pytest.mark.parametrize(
    "body",
    [
        "Ofrecemos ensayos por encargo, precios económicos, escríbenos por WhatsApp.",
        "Unsere Ghostwriter liefern Hausarbeiten ab 39 € pro Seite, jetzt bestellen.",
        "Наши услуги: курсовые на заказ, скидка 15% на первый заказ.",
        "专业论文代写，价格优惠，加微信咨询。",
        "We run an accredited certificate course, book your place today for 20% off.",
    ],
)
def test_an_offer_with_a_price_discount_contact_or_call_to_action_is_commercial(
    body: str,
) -> None:
    intent = commercial_intent(body)
    assert intent.offer and intent.asks and intent.commercial


@pytest.mark.parametrize(
    "body",
    [
        "Our ward team cut falls by 30% after the huddle started.",
        "Register now for the autumn event if you want a poster slot.",
        "Muchas gracias por el artículo, lo compartiré con mi equipo.",
    ],
)
def test_ordinary_comments_that_share_its_words_are_not_commercial(body: str) -> None:
    assert not commercial_intent(body).commercial


def test_another_language_counts_only_next_to_a_commercial_link() -> None:
    plain = (
        "Muchas gracias por compartir esta experiencia. En nuestra unidad empezamos con "
        "reuniones breves de seguridad hace seis meses y nos ayudan mucho."
    )
    assert kinds(plain) == {}
    selling = (
        "Muy buen artículo. Ofrecemos servicios de redacción de tesis a precios económicos, "
        "contáctanos hoy en https://tesis-rapidas.example"
    )
    assert "foreign-language" in kinds(selling)
    assert assess(CommentDraft(selling), GUEST, default_model(), DEFAULTS).verdict != "publish"


def test_the_website_and_the_name_are_read_for_what_they_sell() -> None:
    assert commercial_words_in_address("best-essay-writers.co.uk")[:2] == ["essay", "writer"]
    assert commercial_words_in_address("janesmith.me") == []
    assert commercial_words_in_address("example.com") == []  # the ending says nothing
    assert brand_like_name("Cheap Essay Writers UK") is not None
    assert brand_like_name("Ahmed Saleh") is None, "a keyword must be a whole word"
    assert brand_like_name("Dr Omar Haddad") is None
    assert is_personal_website("tomrees.dev", "Tom Rees")
    assert not is_personal_website("price-pest-control.us", "Jacob Price")
    found = kinds("Thanks, useful.", website="https://instant-payday-cash.example")
    assert {"website-words", "guest-website", "generic-praise"} <= found.keys()
    assert sum(found.values()) >= DEFAULTS.hold_threshold


def test_long_praise_that_never_mentions_the_post_counts_next_to_a_website() -> None:
    praise = (
        "What a refreshing read. Every paragraph is clearly written and easy to follow, and I "
        "appreciate the effort that went into it. Bookmarked, and I am looking forward to your "
        "next post, keep writing pieces like this one for your readers."
    )
    context = SpamContext(post_text="Run charts without the spreadsheet dread")
    found = kinds(praise, context, website="https://bells-bathroom-fitters.example")
    assert "generic-praise" in found and "off-topic" in found
    on_topic = praise.replace("What a refreshing read.", "Run charts on paper, what a read.")
    assert "off-topic" not in kinds(on_topic, context, website="https://bells.example")


def test_a_campaign_matches_across_threads_with_the_links_and_a_word_changed() -> None:
    text = (
        "This article is really helpful for everyone working in healthcare. If you need home "
        "care staff, our agency provides trained carers at affordable rates. https://a.example"
    )
    variant = text.replace("really helpful", "very helpful").replace("a.example", "b.example")
    recent = [("huddles", variant), ("run-charts", variant), ("pdsa", "Something else entirely")]
    assert near_duplicates(text, recent, "measures") == {"huddles", "run-charts"}
    assert near_duplicates(text, recent, "huddles") == {"run-charts"}, "its own thread is not"
    assert near_duplicates("Thanks, very useful!", [("x", "Thanks, very useful!")], "y") == set()
    found = kinds(text, SpamContext(campaign_threads=2))
    assert found["campaign"] == 30


def test_a_disabled_signal_is_left_out() -> None:
    body = "Dear admin, I would like to buy a sponsored post with two do-follow links."
    assert "link-buying" in kinds(body)
    settings = SpamSettings(disabled_signals=frozenset({"link-buying"}))
    assessment = assess(CommentDraft(body), GUEST, default_model(), settings)
    assert all(signal.kind != "link-buying" for signal in assessment.signals)
