"""Find the links in a comment body and tell trusted domains from the rest."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

__all__ = ["Link", "domain_of", "find_links", "is_trusted_domain", "text_without_links"]


@dataclass(frozen=True)
class Link:
    """A link as written in the comment and the domain it points to."""

    url: str
    domain: str
    start: int
    end: int


EXPLICIT_URL = re.compile(r"(?:https?://|www\.)[^\s<>()\[\]\"'`]+", re.IGNORECASE)

# Top-level domains that spammers write without http:// ("visit best-essays.net").
# File extensions such as .py, .md or .js are deliberately absent.
BARE_DOMAIN_ENDINGS = (
    "com|net|org|info|biz|io|co|uk|us|ca|au|nz|ie|in|pk|ru|cn|de|fr|es|it|nl|eu|ae|xyz|top|"
    "site|online|store|shop|club|pro|me|app|ai|ly|gl|tk|ml|ga|cf|gq|ws|cc|tv|live|life|blog|"
    "health|care|clinic|pharmacy|news|link|click|win|bet|casino|money|loan|loans|agency|"
    "services|vip"
)
BARE_DOMAIN = re.compile(
    r"(?<![\w@./-])((?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+(?:"
    + BARE_DOMAIN_ENDINGS
    + r"))(?![\w-]|\.\w)(/[^\s<>()\[\]\"'`]*)?",
    re.IGNORECASE,
)
TRAILING_PUNCTUATION = ".,;:!?'\")]}*_"


def find_links(text: str) -> list[Link]:
    """Every http(s) URL, www. address and bare domain in the text, in text order."""
    links: list[Link] = []
    taken: list[tuple[int, int]] = []
    for match in EXPLICIT_URL.finditer(text):
        url = match.group().rstrip(TRAILING_PUNCTUATION)
        domain = domain_of(url)
        if domain:
            links.append(Link(url, domain, match.start(), match.start() + len(url)))
            taken.append(match.span())
    for match in BARE_DOMAIN.finditer(text):
        if any(start <= match.start() < end for start, end in taken):
            continue
        url = match.group().rstrip(TRAILING_PUNCTUATION)
        domain = domain_of(url)
        if domain:
            links.append(Link(url, domain, match.start(), match.start() + len(url)))
    return sorted(links, key=lambda link: link.start)


def domain_of(url: str) -> str | None:
    """The lower-case host of a URL without "www." or port, or None when it has no host."""
    if not re.match(r"^[a-z][a-z0-9+.-]*://", url, re.IGNORECASE):
        url = "http://" + url
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return None
    if not host or "." not in host:
        return None
    host = host.rstrip(".")
    return host[4:] if host.startswith("www.") else host


def is_trusted_domain(domain: str, trusted_domains: Iterable[str]) -> bool:
    """True when the domain is a trusted domain or one of its subdomains."""
    domain = domain.lower().rstrip(".")
    for trusted in trusted_domains:
        trusted = trusted.lower().strip(".")
        if domain == trusted or domain.endswith("." + trusted):
            return True
    return False


def text_without_links(text: str) -> str:
    """The text with every link cut out, to see what is left to read."""
    pieces: list[str] = []
    position = 0
    for link in find_links(text):
        pieces.append(text[position : link.start])
        position = link.end
    pieces.append(text[position:])
    return " ".join(pieces)
