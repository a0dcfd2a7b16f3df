"""From saving a post to the browser showing it, under `invoke livereload`.

    .venv/bin/python bench/livereload.py                 # 1,000 posts, 3 rounds of each edit
    .venv/bin/python bench/livereload.py --posts 200 --rounds 5

A copy of the project with generated posts (bench/build.py's generator) runs `invoke
livereload` as an editor runs it. Chromium (Debian's, at /usr/bin/chromium) keeps a post open;
each round writes the post's Markdown file, as a text editor saves it, and times how long until
the open page, reloaded by itself, is first painted with the change: a body change (a new
sentence) and a title change (which touches the index, archives, category, tag and neighbouring
pages). The goal is 1.5 s. `bench/build.py` runs it for each of its sizes.
Each edit is undone, and its rebuild waited for, before the next round.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from build import generate_content

ROOT = Path(__file__).resolve().parent.parent
PROJECT_FILES = ("tasks.py", "pelicanconf.py", "publishconf.py", "theme", "plugins")
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
GOAL_SECONDS = 1.5
START_SECONDS = 600


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def make_project(folder: Path, posts: int, seed: int) -> None:
    folder.mkdir()
    for name in PROJECT_FILES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, folder / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, folder / name)
    (folder / "comments_api").mkdir()
    shutil.copy2(ROOT / "comments_api" / "field_messages.json", folder / "comments_api")
    generate_content(folder / "content", posts, seed)
    shutil.copytree(ROOT / "content" / "extra", folder / "content" / "extra")


def wait_for(condition, seconds: float, what: str) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            sys.exit(f"gave up waiting for {what}")
        time.sleep(0.05)


def answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=5).status_code == 200
    except httpx.HTTPError:
        return False


def search_indexing() -> bool:
    """Whether the search index the last build writes in the background (`python -m search`,
    and Pagefind under it) still runs."""
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            arguments = cmdline.read_bytes()
            if b"pagefind" in arguments or b"-m\x00search\x00" in arguments:
                return True
        except OSError:
            continue
    return False


# When the page was first painted (its first contentful paint, else its load), as milliseconds
# since the epoch: the moment the editor sees it, on the same clock as the save.
FIRST_PAINT = """() => {
  const paint = performance.getEntriesByName("first-contentful-paint")[0];
  const loaded = performance.getEntriesByType("navigation")[0].loadEventEnd;
  return performance.timeOrigin + (paint ? paint.startTime : loaded);
}"""


def timed_edit(page, post: Path, text: str, shows: str) -> float:  # type: ignore[no-untyped-def]
    """Save `text` as the post; seconds until the open page, reloaded by itself, was first
    painted showing it (`shows` tells the reloaded page from the one before).

    The previous build's search index is let finish first, as it has when an editor saves
    again after reading the page."""
    wait_for(lambda: not search_indexing(), START_SECONDS, "the search index")
    saved = time.time()
    post.write_text(text)
    page.wait_for_function(shows, timeout=120_000, polling="raf")
    return float(page.evaluate(FIRST_PAINT)) / 1000 - saved


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    arguments = parser.parse_args()
    from playwright.sync_api import sync_playwright

    folder = Path(tempfile.mkdtemp(prefix="livereload-bench-"))
    port = free_port()
    log = (folder / "livereload.log").open("wb")
    process: subprocess.Popen[bytes] | None = None
    try:
        make_project(folder / "blog", arguments.posts, arguments.seed)
        project = folder / "blog"
        process = subprocess.Popen(
            [sys.executable, "-m", "invoke", "livereload"],
            cwd=project,
            env={**os.environ, "SITE_PORT": str(port)},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        slug = f"post-{arguments.posts // 2:04d}"
        url = f"http://127.0.0.1:{port}/{slug}.html"
        began = time.perf_counter()
        wait_for(lambda: answers(url), START_SECONDS, "the first build")
        first_build = time.perf_counter() - began
        # The first build's search index runs in the background: let it finish first.
        entry = project / "output" / "pagefind" / "pagefind-entry.json"
        wait_for(entry.exists, START_SECONDS, "the first search index")
        time.sleep(3)
        post = project / "content" / "posts" / f"{slug}.md"
        original = post.read_text()
        title = next(line for line in original.splitlines() if line.startswith("Title: "))
        times: dict[str, list[float]] = {"body change": [], "title change": []}
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
            page = browser.new_page()
            page.goto(url)
            page.wait_for_function("() => document.querySelector('script[src$=\"livereload.js\"]')")
            heading = "document.querySelector('h1').textContent.replace(/\\s+/g, ' ')"
            back = f"() => !{heading}.includes('revised')"
            for round_ in range(arguments.rounds):
                sentence = f"A sentence saved in round {round_}."
                times["body change"].append(
                    timed_edit(
                        page,
                        post,
                        original + f"\n{sentence}\n",
                        f"() => document.body.innerText.includes({sentence!r})",
                    )
                )
                timed_edit(
                    page, post, original, f"() => !document.body.innerText.includes({sentence!r})"
                )
                revised = f"{title[7:]}, revised {round_}"
                times["title change"].append(
                    timed_edit(
                        page,
                        post,
                        original.replace(title, f"Title: {revised}", 1),
                        f"() => {heading}.includes('revised {round_}')",
                    )
                )
                timed_edit(page, post, original, back)
            browser.close()
    finally:
        if process is not None and process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        log.close()
        if os.environ.get("KEEP"):
            print("kept", folder)
        else:
            shutil.rmtree(folder, ignore_errors=True)

    print(
        f"invoke livereload, {arguments.posts} posts, {arguments.rounds} rounds, "
        f"{os.cpu_count()} CPUs; first build and server start {first_build:.1f} s"
    )
    print(
        f"\n{'save -> page painted':<24}{'median s':>9}{'min s':>8}{'max s':>8}"
        f"{'goal s':>8}{'/ goal':>8}"
    )
    for label, seconds in times.items():
        median = statistics.median(seconds)
        print(
            f"{label:<24}{median:>9.2f}{min(seconds):>8.2f}{max(seconds):>8.2f}"
            f"{GOAL_SECONDS:>8.1f}{median / GOAL_SECONDS:>8.2f}"
        )
    print(
        "(from writing the file until the open page, reloaded by itself, was first painted "
        "with the change)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
