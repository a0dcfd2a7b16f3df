"""The real site next to the real comments API, for audits: Lighthouse here and in bench/.

The article audited has an approved comment, so its page is what readers see on a post people
talk about: the comments in the HTML, the widget loading the live thread from the API.
"""

from __future__ import annotations

import functools
import json
import shutil
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any

from tests.helpers import CHROMIUM_PATH, ROOT, need, node_tool
from tests.live_site import BUILD_TOKEN, CommentsApi
from tests.site.building import BuiltSite, QuietHandler, build_site, published_posts

LIGHTHOUSE_RUNNER = ROOT / "tests" / "site" / "lighthouse.mjs"
CATEGORIES = ["performance", "accessibility", "best-practices", "seo"]
APPROVED_COMMENT = "We tried this on our ward: it worked."


@dataclass
class AuditedSite:
    site: BuiltSite
    api: CommentsApi
    article: str

    def pages(self) -> dict[str, str]:
        return {"home": self.site.url(""), "article": self.site.url(self.article)}


@contextmanager
def audited_site(folder: Path) -> Iterator[AuditedSite]:
    """Serve the output folder, start the API, build, sync threads, approve a comment, rebuild."""
    output = folder / "output"
    output.mkdir(parents=True)
    server = ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(output))
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    siteurl = f"http://127.0.0.1:{server.server_address[1]}"
    api = CommentsApi(folder / "api", site_origin=siteurl)
    try:
        api.start()
        settings = {
            "COMMENTS_API_URL": api.url,
            "COMMENTS_SITE_URL": siteurl,
            "COMMENTS_SNAPSHOT": True,
            "COMMENTS_SNAPSHOT_TOKEN": BUILD_TOKEN,
        }
        site = build_site(output, siteurl, **settings)
        api.sync_threads(output / "comments" / "threads.json")
        slug = published_posts()[0].slug
        threads = json.loads((output / "comments" / "threads.json").read_text())["threads"]
        key = next(t["key"] for t in threads if t["url"].endswith(f"/{slug}.html"))
        comment = api.post_comment(key, body=APPROVED_COMMENT)["comment"]
        api.approve(comment["id"])
        site = build_site(output, siteurl, **settings)
        yield AuditedSite(site, api, site.settings["ARTICLE_URL"].format(slug=slug))
    finally:
        api.stop()
        server.shutdown()
        server.server_close()


def run_lighthouse(url: str, scheme: str, categories: list[str] = CATEGORIES) -> dict[str, Any]:
    """Scores (0-100) and the audits that did not pass, from tests/site/lighthouse.mjs."""
    node = shutil.which("node")
    need(node is not None, "Node.js is not installed (Lighthouse runs on it)")
    node_tool("lighthouse/package.json")
    need(Path(CHROMIUM_PATH).exists(), f"Chromium is not installed at {CHROMIUM_PATH}")
    result = subprocess.run(
        [str(node), str(LIGHTHOUSE_RUNNER), url, scheme, *categories],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, f"Lighthouse failed on {url}:\n{result.stderr[-3000:]}"
    report: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["runtimeError"] is None, report["runtimeError"]
    assert report["schemeHeld"], f"the {scheme} colour scheme was not emulated"
    return report
