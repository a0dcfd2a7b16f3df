"""Links are found however they are written, and trust covers a domain and its subdomains."""

from __future__ import annotations

import pytest

from comments_api.screening import DEFAULT_TRUSTED_DOMAINS, domain_of, find_links, is_trusted_domain


@pytest.mark.parametrize(
    "text, domains",
    [
        ("see https://www.nhs.uk/conditions/sepsis/.", ["nhs.uk"]),
        ("[the paper](https://www.bmj.com/content/384/q12) is good", ["bmj.com"]),
        ("go to www.kingsfund.org.uk/reports, then", ["kingsfund.org.uk"]),
        ("visit best-essays.net today", ["best-essays.net"]),
        ("<https://Example-Casino.XYZ:8080/spin>", ["example-casino.xyz"]),
        ("two: http://a-shop.store and https://b-shop.store/x", ["a-shop.store", "b-shop.store"]),
    ],
)
def test_links_are_found_in_every_usual_form(text: str, domains: list[str]) -> None:
    assert [link.domain for link in find_links(text)] == domains


@pytest.mark.parametrize(
    "text",
    [
        "e.g. this, i.e. that",
        "our script is run.py and the page is index.html",
        "Node.js and Vue.js",
        "write to ward7@nhs.net",
        "see [our earlier post](/posts/frailty-hub.html)",
        "the U.K. and Dr. Smith",
    ],
)
def test_things_that_are_not_links_are_left_alone(text: str) -> None:
    assert find_links(text) == []


def test_trust_covers_subdomains_but_not_lookalikes() -> None:
    assert is_trusted_domain("qualitysafety.bmj.com", DEFAULT_TRUSTED_DOMAINS)
    assert is_trusted_domain("england.nhs.uk", DEFAULT_TRUSTED_DOMAINS)
    assert not is_trusted_domain("bmj.com.cheap-pills.shop", DEFAULT_TRUSTED_DOMAINS)
    assert not is_trusted_domain("notnhs.uk", DEFAULT_TRUSTED_DOMAINS)


def test_domain_of_drops_www_and_port_and_refuses_hostless_text() -> None:
    assert domain_of("https://www.who.int:443/news") == "who.int"
    assert domain_of("/posts/local.html") is None
    assert domain_of("https://localhost/") is None
