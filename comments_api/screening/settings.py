"""The spam filter's settings: trusted domains, thresholds and weights, with safe defaults."""

from __future__ import annotations

from dataclasses import dataclass, replace

__all__ = ["DEFAULT_TRUSTED_DOMAINS", "SpamSettings"]

# Links to these domains (and their subdomains) never count against a comment. The site's own
# domain is added by the caller with `SpamSettings.trusting(...)`; relative links are its own.
DEFAULT_TRUSTED_DOMAINS: tuple[str, ...] = (
    "nhs.uk",
    "nhs.net",
    "nhs.scot",
    "hscni.net",
    "gov.uk",
    "gov.scot",
    "gov.wales",
    "who.int",
    "bmj.com",
    "nice.org.uk",
    "cqc.org.uk",
    "kingsfund.org.uk",
    "health.org.uk",
    "nuffieldtrust.org.uk",
    "hqip.org.uk",
    "rcn.org.uk",
    "ac.uk",
    "ihi.org",
    "thelancet.com",
    "nejm.org",
    "jamanetwork.com",
    "cochrane.org",
    "cochranelibrary.com",
    "nih.gov",
    "cdc.gov",
    "ahrq.gov",
    "doi.org",
    "wikipedia.org",
)


@dataclass(frozen=True)
class SpamSettings:
    """How the score (0..100) is built and where it holds or files a comment as spam.

    A score of `hold_threshold` or more holds the comment for a moderator; a score of
    `spam_threshold` or more files it in the spam folder, never on the page. The learning
    filter adds up to `model_weight` points as its spam probability climbs from 0.5 to 1; it can
    hold a comment but never file one as spam on its own. `site_language` (ISO 639-1) is the
    language the site is written in; `disabled_signals` names rules to leave out (for
    measuring what each one adds).
    """

    trusted_domains: tuple[str, ...] = DEFAULT_TRUSTED_DOMAINS
    hold_threshold: float = 50.0
    spam_threshold: float = 90.0
    model_weight: float = 60.0
    site_language: str = "en"
    disabled_signals: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        """Refuse thresholds that cannot work together."""
        if not 0 < self.hold_threshold <= self.spam_threshold <= 100:
            raise ValueError(
                "spam settings need 0 < hold_threshold <= spam_threshold <= 100, got "
                f"hold {self.hold_threshold} and spam {self.spam_threshold}"
            )
        if not 0 <= self.model_weight <= 100:
            raise ValueError(f"model_weight must be 0..100 points, got {self.model_weight}")

    def trusting(self, *domains: str) -> SpamSettings:
        """A copy that also trusts these domains (for example the site's own)."""
        extra = tuple(domain.lower().strip(".") for domain in domains if domain)
        return replace(self, trusted_domains=self.trusted_domains + extra)
