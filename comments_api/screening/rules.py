"""Hand-written spam rules: each one adds points and says why in words a moderator reads."""

from __future__ import annotations

import re
from dataclasses import dataclass

from comments_api.screening.comment import CommentDraft, SpamContext
from comments_api.screening.links import Link, find_links, is_trusted_domain, text_without_links
from comments_api.screening.settings import SpamSettings

__all__ = ["Signal", "rule_signals"]

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


@dataclass(frozen=True)
class Signal:
    """One rule that fired: how many points it adds and the reason shown to moderators."""

    points: float
    reason: str


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
    "SEO": r"\bseo\b|\bbacklinks?\b|search engine optimi[sz]ation|rank(?:ing)? (?:on|your)",
    "casino": r"\bcasinos?\b|\bjackpot|free spins|(?:online|real money) slots|slot machines?"
    r"|\bbetting\b|sportsbook|poker|roulette",
    "loans": r"\bloans?\b|\bpayday\b|credit repair|debt relief",
    "crypto": r"\bcrypto\w*|\bbitcoin|\bforex\b|trading signals|recover (?:your )?(?:lost )?fund",
    "essay writing": r"essay (?:writ\w+|help|service)|write my (?:essay|assignment|paper)"
    r"|assignment help|dissertation (?:help|writ\w+)|homework help",
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
    "easy money": r"work from home|earn \$|make money|passive income|financial freedom",
    "dating": r"\bdating site|\bescorts?\b|hook ?ups?\b|singles in your area",
    "followers": r"\bbuy (?:\w+ )?(?:followers|likes|subscribers|views)\b",
}
PROMOTIONAL_PATTERNS = {
    label: re.compile(pattern, re.IGNORECASE) for label, pattern in PROMOTIONAL_PHRASES.items()
}

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
    """Every rule that fires for this comment, strongest first."""
    body_links = find_links(draft.body)
    untrusted_body_links = [
        link for link in body_links if not is_trusted_domain(link.domain, settings.trusted_domains)
    ]
    website_domain = website_domain_if_untrusted(draft.website, settings)
    words_outside_links = WORD.findall(text_without_links(draft.body))

    signals = [
        *untrusted_domain_signals(untrusted_body_links, website_domain),
        *wording_signals(draft.body),
        *author_name_signals(draft.author_name),
    ]
    if context.duplicate_exists:
        signals.append(Signal(DUPLICATE_POINTS, "the same text was posted before"))
    if untrusted_body_links and len(words_outside_links) <= LINK_ONLY_MAXIMUM_WORDS:
        signals.append(Signal(LINK_ONLY_POINTS, "little or no text besides the links"))
    if len(body_links) >= MANY_LINKS and untrusted_body_links:
        signals.append(Signal(MANY_LINKS_POINTS, f"{len(body_links)} links in one comment"))
    if (
        (untrusted_body_links or website_domain)
        and len(words_outside_links) <= GENERIC_PRAISE_MAXIMUM_WORDS
        and GENERIC_PRAISE.search(draft.body)
    ):
        signals.append(
            Signal(GENERIC_PRAISE_WITH_LINK_POINTS, "short generic praise next to a link")
        )
    if untrusted_body_links and context.author_is_new:
        if context.is_member:
            signals.append(Signal(NEW_MEMBER_WITH_LINKS_POINTS, "a new member posting links"))
        else:
            signals.append(Signal(NEW_GUEST_WITH_LINKS_POINTS, "a first-time guest posting links"))
    return sorted(signals, key=lambda signal: -signal.points)


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
    return [Signal(points, f"links to {plural} outside the trusted list: {', '.join(domains)}")]


def wording_signals(body: str) -> list[Signal]:
    """Points for a company pitch and for promotional wording."""
    signals: list[Signal] = []
    if COMPANY_PITCH.search(body):
        signals.append(
            Signal(COMPANY_PITCH_POINTS, "reads like an advert for a company's services")
        )
    labels = [label for label, pattern in PROMOTIONAL_PATTERNS.items() if pattern.search(body)]
    if labels:
        points = min(PROMOTIONAL_CAP, PROMOTIONAL_PHRASE_POINTS * len(labels))
        quoted = ", ".join(f'"{label}"' for label in labels)
        signals.append(Signal(points, f"promotional wording ({quoted})"))
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
        Signal(AUTHOR_NAME_ADVERT_POINTS, f'the author name reads like an advert: "{author_name}"')
    ]


def website_domain_if_untrusted(website: str | None, settings: SpamSettings) -> str | None:
    """The domain of the author's website when it is outside the trusted list."""
    if not website:
        return None
    links = find_links(website)
    if not links or is_trusted_domain(links[0].domain, settings.trusted_domains):
        return None
    return links[0].domain
