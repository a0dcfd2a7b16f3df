"""Hand-written spam rules: each one adds points and says why in words a moderator reads."""

from __future__ import annotations

import re
from dataclasses import dataclass

from comments_api.screening.comment import CommentDraft, SpamContext
from comments_api.screening.intent import (
    Intent,
    brand_like_name,
    commercial_intent,
    commercial_words_in_address,
    detected_language,
    generic_praise_markers,
    is_personal_website,
    relevance,
)
from comments_api.screening.links import Link, find_links, is_trusted_domain, text_without_links
from comments_api.screening.settings import SpamSettings

__all__ = ["SIGNAL_KINDS", "Signal", "rule_signals"]

DUPLICATE_POINTS = 40.0
COMPANY_PITCH_POINTS = 50.0
LINK_ONLY_POINTS = 35.0
UNTRUSTED_DOMAIN_POINTS = 15.0
UNTRUSTED_DOMAIN_CAP = 30.0
PROMOTIONAL_PHRASE_POINTS = 15.0
PROMOTIONAL_CAP = 60.0
GENERIC_PRAISE_WITH_LINK_POINTS = 25.0
AUTHOR_NAME_ADVERT_POINTS = 25.0
MANY_LINKS_POINTS = 20.0
MANY_LINKS = 3
NEW_GUEST_WITH_LINKS_POINTS = 20.0
NEW_MEMBER_WITH_LINKS_POINTS = 10.0
LINK_ONLY_MAXIMUM_WORDS = 5
GENERIC_PRAISE_MAXIMUM_WORDS = 40
LONG_GENERIC_PRAISE_WITH_LINK_POINTS = 15.0
COMMERCIAL_INTENT_POINTS = 25.0  # an offer and one way to take it up
COMMERCIAL_INTENT_EXTRA_ASK_POINTS = 15.0
COMMERCIAL_INTENT_CAP = 55.0
ASKS_WITHOUT_OFFER_POINTS = 10.0  # per ask, from two asks on, when no offer is named
OFFER_WITH_LINK_POINTS = 10.0
BUSINESS_CONTACT_POINTS = 10.0
LINK_BUYING_POINTS = 50.0
PERSONAL_WEBSITE_POINTS = -15.0
GENERIC_PRAISE_MINIMUM_MARKERS = 3
GENERIC_PRAISE_MANY_MARKERS = 5  # this many compliments pass for praise despite a shared word
MOSTLY_OFF_TOPIC = 0.25
FOREIGN_LANGUAGE_WITH_COMMERCIAL_LINK_POINTS = 20.0
COMMERCIAL_ADDRESS_POINTS = 15.0
BRAND_NAME_POINTS = 20.0
KEYWORD_NAME_POINTS = 25.0
ONE_KEYWORD_NAME_POINTS = 10.0
PRAISE_FROM_ADVERT_NAME_POINTS = 25.0
GUEST_WEBSITE_POINTS = 10.0
OFF_TOPIC_POINTS = 10.0
CAMPAIGN_POINTS = 30.0
BURST_POINTS = 10.0
BURST_THREADS = 4
SHORT_THANKS_MAXIMUM_WORDS = 8

# Asking the site to sell links or sponsored posts: never a comment on the post.
LINK_BUYING = re.compile(
    r"\b(?:dear|hello|hi|hey)\s+(?:admin|webmaster|site owner|blog owner)\b.{0,200}"
    r"\b(?:links?|posts?|articles?|price|pay)\b"
    r"|\blink insertions?\b|\bbuy (?:a )?(?:links?|guest posts?|sponsored)\b"
    r"|\bsponsored (?:articles?|posts?)\b|\bdo-?follow\b|\bhigh (?:da|dr|domain authority)\b"
    r"|\bguest posting\b|\bdomain authority\b",
    re.IGNORECASE | re.DOTALL,
)

# What each rule is called, for `SpamSettings.disabled_signals` and the evaluation's ablation.
SIGNAL_KINDS = (
    "duplicate",
    "untrusted-domain",
    "company-pitch",
    "promotional-wording",
    "author-name",
    "link-only",
    "many-links",
    "generic-praise",
    "new-author-links",
    "commercial-intent",
    "foreign-language",
    "website-words",
    "guest-website",
    "off-topic",
    "campaign",
    "burst",
    "link-buying",
    "personal-website",
)


@dataclass(frozen=True)
class Signal:
    """One rule that fired: how many points it adds and the reason shown to moderators."""

    points: float
    reason: str
    kind: str = ""


# "X is a renowned organization that specializes in ... services": the pitch of an unrelated
# company, the spam this blog was first hit by.
COMPANY_PITCH = re.compile(
    r"\b(?:renowned|leading|trusted|reputable|premier|reliable|top|well[- ]known|professional)"
    r"\s+(?:[\w-]+\s+){0,3}?(?:organi[sz]ation|company|agency|firm|provider|business|"
    r"platform|team|service)s?\s+(?:that|which|who)\s+(?:speciali[sz]es|specialise|"
    r"specialize|offers|provides|delivers)\b",
    re.IGNORECASE,
)

PROMOTIONAL_PHRASES: dict[str, str] = {
    "SEO": r"\bseo\b|\bbacklinks?\b|search engine optimi[sz]ation|rank(?:ing)? (?:on|your)"
    r"|\bdo-?follow\b|sponsored (?:posts?|articles?|links?)|guest post(?:ing|s)?\b",
    "casino": r"\bcasinos?\b|\bjackpot|free spins|(?:online|real money) slots|slot machines?"
    r"|\bbetting\b|sportsbook|poker|roulette|\bapuestas\b|\bapostas\b|paris sportifs"
    r"|scommesse|sportwetten|\bbahis\b|\bjudi\b|казино|ставки на спорт|καζίνο|كازينو|קזינו"
    r"|赌场|博彩|娱乐城|百家乐|カジノ|카지노|바카라|토토|คาสิโน|บาคาร่า|sòng bạc|nhà cái",
    "loans": r"\bloans?\b|\bpayday\b|credit repair|debt relief",
    "crypto": r"\bcrypto\w*|\bbitcoin|\bforex\b|trading signals|recover (?:your )?(?:lost )?fund",
    "essay writing": r"essay (?:writ\w+|help|service)|write my (?:essay|assignment|paper)"
    r"|assignment help|dissertation (?:help|writ\w+)|homework help|ensayos? por encargo"
    r"|hausarbeit\w* schreiben lassen|mémoires? sur mesure|курсов\w+ на заказ|дипломн\w+ на"
    r" заказ|代写|论文代|代考|レポート代行|論文代行|대필|과제 대행",
    "diplomas": r"\bbuy (?:an? )?(?:real |fake )?(?:diploma|degree|certificate)s?\b"
    r"|(?:diploma|degree|certificate)s? for sale|(?:fake|novelty) (?:diploma|degree)s?"
    r"|comprar (?:un )?(?:diploma|t[ií]tulo)|купить диплом|диплом без|文凭|学位证|卒業証書"
    r"|학위증|شهادات? للبيع",
    "pharmacy sales": r"online pharmacy|without (?:a )?prescription|\bviagra\b|\bcialis\b"
    r"|\bbuy \w+ (?:pills|tablets)\b",
    "cheap": r"\bcheap(?:est)?\b|\bdiscounts?\b|\d+% off\b|best price|lowest price",
    "buy": r"\bbuy(?:ing)? (?:now|online|cheap|real|the best|our)\b|\border now\b|shop now",
    "best services": r"\bbest (?:\w+ )?services?\b|top[- ]rated|\bno\.? ?1\b|#1\b"
    r"|guaranteed results|100% (?:guaranteed|satisfaction|original)|money[- ]back",
    "click here": r"click (?:here|the link|below)|visit (?:our|my) (?:\w+ )?(?:website|site|page|"
    r"store|shop|blog)|check out (?:our|my) (?:website|site|page|services|store|blog)",
    "call to action": r"contact us (?:today|now)|call (?:us )?now|\bwhats ?app\b|\btelegram\b"
    r"|\bdm me\b|sign up (?:now|today)|get started today|hire (?:us|our|an? expert)"
    r"|order (?:yours|today)|book (?:now|today)",
    "easy money": r"work from home|earn (?:\$|£|€|money|cash|extra)|make money|passive income"
    r"|financial freedom|(?:tripled|doubled) (?:my|your) (?:money|savings|investment)"
    r"|investment manager|account manager",
    "miracle claims": r"spell caster|love spells?|bring (?:back )?(?:your|my|her|his) "
    r"(?:ex|husband|wife|lover)|brought my (?:husband|wife|ex|lover) back|cures? (?:herpes|hiv|"
    r"diabetes|cancer)",
    "dating": r"\bdating site|\bescorts?\b|hook ?ups?\b|singles in your area",
    "followers": r"\bbuy (?:\w+ )?(?:followers|likes|subscribers|views)\b",
}
PROMOTIONAL_PATTERNS = {
    label: re.compile(pattern, re.IGNORECASE) for label, pattern in PROMOTIONAL_PHRASES.items()
}

SHORT_THANKS = re.compile(
    r"^\W*(?:many\s+)?(?:thanks?|thank you|thx|ty|great|nice|useful|helpful|interesting|"
    r"informative|good|cool|agreed?|wow|love (?:it|this)|very (?:good|nice|useful|helpful)|"
    r"well (?:said|written|done)|welcome|looking forward|sounds (?:like )?(?:a )?(?:great|good)|"
    r"so true|brilliant|excellent|lovely)\b",
    re.IGNORECASE,
)
GENERIC_PRAISE = re.compile(
    r"\b(?:great|nice|awesome|amazing|excellent|wonderful|informative|helpful|useful|good)"
    r"\s+(?:\w+\s+)?(?:post|article|blog|read|share|content|information|info|write-?up)\b"
    r"|thanks? (?:you )?for (?:sharing|this (?:post|article|info))"
    r"|keep (?:it up|up the (?:good|great) work|posting|sharing)"
    r"|i (?:really )?(?:enjoyed|loved|like) (?:reading )?(?:this|your) (?:post|article|blog)",
    re.IGNORECASE,
)
WORD = re.compile(r"[A-Za-z][A-Za-z'-]*")


def rule_signals(draft: CommentDraft, context: SpamContext, settings: SpamSettings) -> list[Signal]:
    """Every rule that fires for this comment, strongest first, less those the settings turn off."""
    signals = [
        signal
        for signal in all_rule_signals(draft, context, settings)
        if signal.kind not in settings.disabled_signals
    ]
    return sorted(signals, key=lambda signal: -signal.points)


def all_rule_signals(
    draft: CommentDraft, context: SpamContext, settings: SpamSettings
) -> list[Signal]:
    body_links = find_links(draft.body)
    untrusted_body_links = [
        link for link in body_links if not is_trusted_domain(link.domain, settings.trusted_domains)
    ]
    website_domain = website_domain_if_untrusted(draft.website, settings)
    words_outside_links = WORD.findall(text_without_links(draft.body))
    has_untrusted_link = bool(untrusted_body_links or website_domain)
    is_guest = not context.is_member

    signals = [
        *untrusted_domain_signals(untrusted_body_links, website_domain),
        *wording_signals(draft.body),
        *author_name_signals(draft.author_name),
    ]
    if context.duplicate_exists:
        signals.append(Signal(DUPLICATE_POINTS, "the same text was posted before", "duplicate"))
    if untrusted_body_links and len(words_outside_links) <= LINK_ONLY_MAXIMUM_WORDS:
        signals.append(Signal(LINK_ONLY_POINTS, "little or no text besides the links", "link-only"))
    if len(body_links) >= MANY_LINKS and untrusted_body_links:
        signals.append(
            Signal(MANY_LINKS_POINTS, f"{len(body_links)} links in one comment", "many-links")
        )
    praise = is_generic_praise(draft.body, len(words_outside_links), context.post_text)
    advert_name = brand_like_name(draft.author_name) if is_guest else None
    name_points = advert_name_points(advert_name)
    name_strength = max(
        [name_points, *(signal.points for signal in signals if signal.kind == "author-name")]
    )
    if has_untrusted_link and praise:
        if len(words_outside_links) <= GENERIC_PRAISE_MAXIMUM_WORDS:
            signals.append(
                Signal(
                    GENERIC_PRAISE_WITH_LINK_POINTS,
                    "short generic praise next to a link",
                    "generic-praise",
                )
            )
        else:
            signals.append(
                Signal(
                    LONG_GENERIC_PRAISE_WITH_LINK_POINTS,
                    "generic praise next to a link",
                    "generic-praise",
                )
            )
    elif (
        praise
        and is_guest
        and name_strength >= BRAND_NAME_POINTS
        and len(words_outside_links) <= GENERIC_PRAISE_MAXIMUM_WORDS
    ):
        signals.append(
            Signal(
                PRAISE_FROM_ADVERT_NAME_POINTS,
                "generic praise under a name that reads like an advert",
                "generic-praise",
            )
        )
    if untrusted_body_links and context.author_is_new:
        if context.is_member:
            signals.append(
                Signal(
                    NEW_MEMBER_WITH_LINKS_POINTS, "a new member posting links", "new-author-links"
                )
            )
        else:
            signals.append(
                Signal(
                    NEW_GUEST_WITH_LINKS_POINTS,
                    "a first-time guest posting links",
                    "new-author-links",
                )
            )
    intent = commercial_intent(draft.body)
    signals.extend(intent_signals(draft, intent, has_untrusted_link))
    commercial_address = address_signals(untrusted_body_links, website_domain)
    signals.extend(commercial_address)
    if advert_name and not any(signal.kind == "author-name" for signal in signals):
        signals.append(
            Signal(
                name_points,
                f'the author name is {advert_name}, not a person\'s: "{draft.author_name}"',
                "author-name",
            )
        )
    if LINK_BUYING.search(draft.body):
        signals.append(
            Signal(LINK_BUYING_POINTS, "asks to buy links or sponsored posts here", "link-buying")
        )
    if (
        website_domain
        and is_guest
        and not commercial_address
        and is_personal_website(website_domain, draft.author_name)
    ):
        signals.append(
            Signal(
                PERSONAL_WEBSITE_POINTS,
                f"the website {website_domain} is named after the author",
                "personal-website",
            )
        )
    if intent.offer and "contact details" in intent.asks and is_guest and context.author_is_new:
        signals.append(
            Signal(
                BUSINESS_CONTACT_POINTS,
                "a first-time guest giving contact details for an offer",
                "commercial-intent",
            )
        )
    if website_domain and is_guest and context.author_is_new:
        signals.append(
            Signal(
                GUEST_WEBSITE_POINTS,
                f"a first-time guest giving a website ({website_domain})",
                "guest-website",
            )
        )
    if has_untrusted_link and (intent.commercial or commercial_address):
        language = detected_language(draft.body)
        if language is not None and language != settings.site_language:
            signals.append(
                Signal(
                    FOREIGN_LANGUAGE_WITH_COMMERCIAL_LINK_POINTS,
                    f"written in another language than the site's ({language}) "
                    "with a commercial link",
                    "foreign-language",
                )
            )
    if has_untrusted_link and (intent.commercial or praise or (is_guest and context.author_is_new)):
        share = relevance(draft.body, context.post_text)
        if share == 0.0:
            signals.append(
                Signal(
                    OFF_TOPIC_POINTS,
                    f"says nothing about the post it answers (“{context.post_text[:80]}”)",
                    "off-topic",
                )
            )
    if context.campaign_threads:
        plural = "thread" if context.campaign_threads == 1 else "threads"
        signals.append(
            Signal(
                CAMPAIGN_POINTS,
                f"nearly the same text was posted lately in {context.campaign_threads} "
                f"other {plural}",
                "campaign",
            )
        )
    if (
        has_untrusted_link
        and intent.commercial
        and context.threads_from_client_lately >= BURST_THREADS
    ):
        signals.append(
            Signal(
                BURST_POINTS,
                f"the same sender commented on {context.threads_from_client_lately} other "
                "threads in the last few minutes, selling",
                "burst",
            )
        )
    return signals


def advert_name_points(advert_name: str | None) -> float:
    """Keywords or a business with one: 25; a business's name: 20; one keyword: 10."""
    if advert_name is None:
        return 0.0
    if advert_name.startswith(("keywords", "the name of a business (")):
        return KEYWORD_NAME_POINTS
    if advert_name.startswith("the name"):
        return BRAND_NAME_POINTS
    return ONE_KEYWORD_NAME_POINTS


def is_generic_praise(body: str, word_count: int, post_text: str = "") -> bool:
    """Praise that would fit under any post: a stock phrase, a few words of thanks, or a run of
    compliments on the writing that never mentions what the post is about."""
    if GENERIC_PRAISE.search(body):
        return True
    if word_count <= SHORT_THANKS_MAXIMUM_WORDS and SHORT_THANKS.search(text_without_links(body)):
        return True
    markers = generic_praise_markers(body)
    if markers < GENERIC_PRAISE_MINIMUM_MARKERS:
        return False
    share = relevance(body, post_text)
    return (
        share is None
        or share == 0.0
        or (markers >= GENERIC_PRAISE_MANY_MARKERS and share < MOSTLY_OFF_TOPIC)
    )


def intent_signals(draft: CommentDraft, intent: Intent, has_untrusted_link: bool) -> list[Signal]:
    """Points for selling something: an offer with a price, discount, contact or call to action."""
    if not intent.commercial:
        return []
    asks = ", ".join(intent.asks)
    points = (
        min(
            COMMERCIAL_INTENT_CAP,
            COMMERCIAL_INTENT_POINTS + COMMERCIAL_INTENT_EXTRA_ASK_POINTS * (len(intent.asks) - 1),
        )
        if intent.offer
        else ASKS_WITHOUT_OFFER_POINTS * len(intent.asks)
    )
    what = "an offer with " if intent.offer else ""
    signals = [Signal(points, f"sells something: {what}{asks}", "commercial-intent")]
    if intent.offer and has_untrusted_link:
        signals.append(
            Signal(OFFER_WITH_LINK_POINTS, "an offer next to a link", "commercial-intent")
        )
    return signals


def address_signals(untrusted_body_links: list[Link], website_domain: str | None) -> list[Signal]:
    """Points when a linked domain or the website is named after something for sale."""
    domains = list(dict.fromkeys(link.domain for link in untrusted_body_links))
    if website_domain and website_domain not in domains:
        domains.append(website_domain)
    for domain in domains:
        words = commercial_words_in_address(domain)
        if words:
            return [
                Signal(
                    COMMERCIAL_ADDRESS_POINTS,
                    f"the address {domain} advertises ({', '.join(words[:3])})",
                    "website-words",
                )
            ]
    return []


def untrusted_domain_signals(
    untrusted_body_links: list[Link], website_domain: str | None
) -> list[Signal]:
    """Points for each distinct domain outside the trusted list, up to a cap."""
    domains = list(dict.fromkeys(link.domain for link in untrusted_body_links))
    if website_domain and website_domain not in domains:
        domains.append(website_domain)
    if not domains:
        return []
    points = min(UNTRUSTED_DOMAIN_CAP, UNTRUSTED_DOMAIN_POINTS * len(domains))
    plural = "a domain" if len(domains) == 1 else "domains"
    return [
        Signal(
            points,
            f"links to {plural} outside the trusted list: {', '.join(domains)}",
            "untrusted-domain",
        )
    ]


def wording_signals(body: str) -> list[Signal]:
    """Points for a company pitch and for promotional wording."""
    signals: list[Signal] = []
    if COMPANY_PITCH.search(body):
        signals.append(
            Signal(
                COMPANY_PITCH_POINTS,
                "reads like an advert for a company's services",
                "company-pitch",
            )
        )
    labels = [label for label, pattern in PROMOTIONAL_PATTERNS.items() if pattern.search(body)]
    if labels:
        points = min(PROMOTIONAL_CAP, PROMOTIONAL_PHRASE_POINTS * len(labels))
        quoted = ", ".join(f'"{label}"' for label in labels)
        signals.append(Signal(points, f"promotional wording ({quoted})", "promotional-wording"))
    return signals


def author_name_signals(author_name: str) -> list[Signal]:
    """Points when the display name is a web address or an advert rather than a name."""
    if not author_name.strip():
        return []
    is_advert = bool(find_links(author_name)) or any(
        pattern.search(author_name) for pattern in PROMOTIONAL_PATTERNS.values()
    )
    if not is_advert:
        return []
    return [
        Signal(
            AUTHOR_NAME_ADVERT_POINTS,
            f'the author name reads like an advert: "{author_name}"',
            "author-name",
        )
    ]


def website_domain_if_untrusted(website: str | None, settings: SpamSettings) -> str | None:
    """The domain of the author's website when it is outside the trusted list."""
    if not website:
        return None
    links = find_links(website)
    if not links or is_trusted_domain(links[0].domain, settings.trusted_domains):
        return None
    return links[0].domain
