"""`invoke livereload`: an editor saves a post and the page open in the browser shows it.

A copy of the project runs `invoke livereload` as a real process on a free port; Chromium
keeps a post open while the test edits the Markdown file, as an editor's text editor would.
Nobody reloads the page: the server's script does, once the rebuild has written it.
"""

from __future__ import annotations

import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.devrun import POST, DevRun, copy_project, live_descendants, still_running, wait_until
from tests.helpers import free_port

pytestmark = pytest.mark.slow

BUILD_SECONDS = 120


@pytest.fixture
def live_run(tmp_path: Path) -> Iterator[DevRun]:
    project = copy_project(tmp_path / "blog")
    run = DevRun(project, free_port(), free_port(), task="livereload").start()
    try:
        run.wait_until_serving()
        page = f"{run.site_url}/{POST}.html"
        wait_until(
            lambda: httpx.get(page, timeout=5).status_code == 200,
            BUILD_SECONDS,
            f"the first build:\n{run.output()}",
        )
        yield run
    finally:
        run.clean_up()


def test_a_saved_post_shows_in_the_open_page_and_the_built_files_stay_as_built(
    live_run: DevRun, browser: Any
) -> None:
    from playwright.sync_api import expect

    post_file = live_run.project / "content" / "posts" / f"{POST}.md"
    page = browser.new_page()
    try:
        page.goto(f"{live_run.site_url}/{POST}.html")
        title = page.get_by_role("heading", level=1)
        expect(title).to_have_text("Welcome to the Improvement Network blog")
        page.wait_for_function("() => document.querySelector('script[src=\"/_livereload.js\"]')")

        original = post_file.read_text()
        added = "A sentence the editor added while the page was open."
        post_file.write_text(original + f"\n{added}\n")
        expect(page.get_by_text(added)).to_be_visible(timeout=BUILD_SECONDS * 1000)

        retitled = original.replace(
            "Title: Welcome to the Improvement Network blog",
            "Title: Welcome to the Improvement Network blog, revised",
            1,
        )
        assert retitled != original
        post_file.write_text(retitled)
        expect(title).to_have_text(
            "Welcome to the Improvement Network blog, revised", timeout=BUILD_SECONDS * 1000
        )
        expect(page.get_by_text(added)).to_have_count(0)
    finally:
        page.close()

    # The script is added as pages are served; what the build wrote is what a deploy ships.
    built = live_run.project / "output" / f"{POST}.html"
    assert "Improvement Network blog, revised" in built.read_text()
    assert "_livereload" not in built.read_text()

    # Stopped as a terminal stops it, the preview leaves nothing running, not even the search
    # index of its last build (a process of its own).
    assert live_run.process is not None
    children = live_descendants(live_run.process.pid)
    assert live_run.stop(signal.SIGTERM) == 0, live_run.output()
    wait_until(lambda: not still_running(children), 30, f"{children} to end")
