"""Lighthouse scores 100 in accessibility, best practices and SEO, in light and dark.

One run per page, each in one scheme: its best-practices and SEO audits do not depend on the
scheme, and its accessibility audits are axe-core's, which test_accessibility runs on every
page in both schemes.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.site.audited import AuditedSite, audited_site, run_lighthouse

pytestmark = pytest.mark.slow

AUDITED = ["accessibility", "best-practices", "seo"]


@pytest.fixture(scope="module")
def audited(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AuditedSite]:
    with audited_site(Path(tmp_path_factory.mktemp("lighthouse"))) as site:
        yield site


@pytest.mark.parametrize(("page", "scheme"), [("home", "light"), ("article", "dark")])
def test_lighthouse_gives_full_marks(audited: AuditedSite, page: str, scheme: str) -> None:
    report = run_lighthouse(audited.pages()[page], scheme, AUDITED)
    problems = "\n".join(
        f"{audit['category']}: {audit['id']} ({audit['score']}): {audit['title']} {audit['value']}"
        for audit in report["failing"]
    )
    assert report["scores"] == {category: 100 for category in AUDITED}, problems
