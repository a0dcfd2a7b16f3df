"""The built site, the comments API and a real OpenID provider, all on loopback ports."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from tests.live_site import BUILD_TOKEN, Build, StaticSite, build_site, content_folder, post
from tests.oidc.support import BUTTON, LocalProvider, ProviderApi
from tests.smtp import SmtpServer

POSTS = [
    ("network-post", "A post members answer"),
    ("quiet-post", "A post read without JavaScript"),
]


@dataclass
class ProviderStack:
    site: StaticSite
    api: ProviderApi
    provider: LocalProvider

    def build(self) -> Build:
        build = build_site(
            self.site.folder.parent / "content",
            self.site.folder,
            COMMENTS_API_URL=self.api.url,
            COMMENTS_SITE_URL=self.site.url,
            COMMENTS_SNAPSHOT=True,
            COMMENTS_SNAPSHOT_TOKEN=BUILD_TOKEN,
            COMMENTS_SNAPSHOT_TIMEOUT=5,
            COMMENTS_SIGN_IN=True,
            COMMENTS_SIGN_IN_PROVIDER=BUTTON,
        )
        assert build.result.returncode == 0, build.log
        return build

    def url(self, slug: str) -> str:
        return f"{self.site.url}/{slug}.html"


@pytest.fixture(scope="module")
def stack(
    tmp_path_factory: pytest.TempPathFactory, smtp_server: SmtpServer
) -> Iterator[ProviderStack]:
    folder = tmp_path_factory.mktemp("oidc")
    site = StaticSite(folder / "output")
    api = ProviderApi(folder / "api", site_origin=site.url, smtp_port=smtp_server.port)
    provider = LocalProvider(
        folder / "provider",
        redirect_uri=f"{api.url}/auth/oidc/callback",
        post_logout_redirect_uri=f"{api.url}/auth/sign-in?signed_out=1",
    )
    api.issuer = provider.issuer
    try:
        provider.start()
        api.start()
        content = content_folder(folder / "content")
        for slug, title in POSTS:
            post(content, slug, title)
        stack = ProviderStack(site, api, provider)
        api.sync_threads(stack.build().output / "comments" / "threads.json")
        stack.build()
        yield stack
    finally:
        api.stop()
        provider.stop()
        site.close()
