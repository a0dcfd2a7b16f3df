"""Tasks for editors, developers and CI (`invoke --list`).

The Pelican task names are the ones pelican-quickstart generates; ours are added below them.
"""

import os
import shlex
import shutil
import sys
from pathlib import Path
from typing import Any

from invoke.context import Context
from invoke.exceptions import Exit
from invoke.tasks import task
from pelican import main as pelican_main
from pelican.settings import DEFAULT_CONFIG, get_settings_from_file

from plugins.comments.settings import DEVELOPMENT_API_URL, DEVELOPMENT_HOST

ROOT = Path(__file__).resolve().parent
SETTINGS_FILE_BASE = "pelicanconf.py"
SETTINGS_FILE_PUBLISH = "publishconf.py"

SETTINGS: dict[str, Any] = {}
SETTINGS.update(DEFAULT_CONFIG)
SETTINGS.update(get_settings_from_file(str(ROOT / SETTINGS_FILE_BASE)))

CONFIG = {
    # Absolute paths, so that the tasks work from any folder of the checkout.
    "settings_base": str(ROOT / SETTINGS_FILE_BASE),
    "settings_publish": str(ROOT / SETTINGS_FILE_PUBLISH),
    "deploy_path": str(ROOT / SETTINGS["OUTPUT_PATH"]),
    "content_path": str(ROOT / SETTINGS["PATH"]),
    "host": DEVELOPMENT_HOST,
}


def pelican_run(cmd: str) -> None:
    """Run Pelican with the given command-line arguments (a string)."""
    pelican_main(shlex.split(cmd))


@task
def clean(c: Context) -> None:
    """Remove generated files."""
    if os.path.isdir(CONFIG["deploy_path"]):
        shutil.rmtree(CONFIG["deploy_path"])
        os.makedirs(CONFIG["deploy_path"])


DRAFTS_OPTION = """ -e 'DRAFT_SAVE_AS="drafts/{slug}.html"'"""


@task(help={"drafts": "also write drafts, to output/drafts/<slug>.html"})
def build(c: Context, drafts: bool = False) -> None:
    """Build the site for local preview."""
    pelican_run("-s {settings_base}".format(**CONFIG) + (DRAFTS_OPTION if drafts else ""))


@task(help={"drafts": "also write drafts, to output/drafts/<slug>.html"})
def rebuild(c: Context, drafts: bool = False) -> None:
    """Build from scratch, without the content cache."""
    pelican_run("-d -s {settings_base}".format(**CONFIG) + (DRAFTS_OPTION if drafts else ""))


@task
def regenerate(c: Context) -> None:
    """Rebuild automatically whenever a file changes."""
    pelican_run("-r -s {settings_base}".format(**CONFIG))


@task
def serve(c: Context) -> None:
    """Serve the built site at http://127.0.0.1:8000 (SITE_PORT), with its 404 page."""
    from plugins.devserver import open_site_server, url

    server = open_site_server(CONFIG["deploy_path"])
    sys.stderr.write(f"Serving the site at {url('site')}/ (Ctrl-C to stop)\n")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


@task(help={"drafts": "also write drafts, to output/drafts/<slug>.html"})
def reserve(c: Context, drafts: bool = False) -> None:
    """Build, then serve."""
    build(c, drafts=drafts)
    serve(c)


@task
def preview(c: Context) -> None:
    """Build with the production settings."""
    pelican_run("-s {settings_publish}".format(**CONFIG))


@task
def livereload(c: Context) -> None:
    """Serve the site at http://127.0.0.1:8000, rebuild it when content or theme change, and
    reload the pages open in a browser once the rebuild is written."""
    import threading

    from pelican import signals

    from plugins.devserver import (
        LiveReload,
        Stopping,
        build_on_every_change,
        open_site_server,
        url,
    )

    # The rebuilds are incremental (plugins/incremental) and run in this process, as Pelican's
    # autoreload runs them (without missing a save made during a build); the search index
    # follows in the background, so a saved post is shown as soon as its pages are written.
    live = LiveReload()
    signals.finalized.connect(live.built, weak=False)
    server = open_site_server(CONFIG["deploy_path"])
    server.live = live
    threading.Thread(target=server.serve_forever, name="site", daemon=True).start()
    sys.stderr.write(f"Serving the site at {url('site')}; open pages reload after each build.\n")
    # Ctrl-C, `kill` or the terminal closing end the preview, and (at exit) the search index
    # still being written, which runs in a session of its own.
    with Stopping():
        try:
            build_on_every_change(
                shlex.split("-s {settings_base}".format(**CONFIG))
                + ["-e", "SEARCH_INDEX_IN_BACKGROUND=true"]
            )
        except KeyboardInterrupt:
            sys.stderr.write("Stopping the preview.\n")
        finally:
            server.shutdown()
            server.server_close()


@task(
    help={
        "skip_check": "build without the content check (a rebuild for new comments of content "
        "already checked when it was published)"
    }
)
def publish(c: Context, skip_check: bool = False) -> None:
    """Check the content, then build the production site into output/ (warnings are fatal)."""
    if not skip_check:
        check(c)
    pelican_run("-s {settings_publish} --fatal warnings".format(**CONFIG))


# --- our tasks -------------------------------------------------------------------------------


@task(help={"content": "the content folder to check (default: content/)"})
def check(c: Context, content: str = "") -> None:
    """Check posts and pages: front matter, placeholders, headings, slugs, alt text, links."""
    from plugins.editorial import check_content, drafts_in
    from plugins.editorial.documents import display

    content_dir = Path(content or CONFIG["content_path"])
    problems = check_content(content_dir, SETTINGS)
    for problem in problems:
        sys.stderr.write(f"{problem}\n")
    if problems:
        raise Exit(f"invoke check: {len(problems)} problem(s) to fix before publishing.", code=1)
    drafts = drafts_in(content_dir, SETTINGS)
    if not drafts:
        sys.stderr.write("invoke check: no problems; the content is ready to publish.\n")
        return
    sys.stderr.write(
        f"invoke check: no problems. {len(drafts)} draft(s) stay unpublished until you delete "
        "their `Status: draft` line:\n"
    )
    for path in drafts:
        sys.stderr.write(f"  {display(path)}\n")


@task(
    help={
        "title": "the post's title, in quotes",
        "category": "Community news, Improvement stories or Methods",
        "tags": "comma-separated tags",
        "authors": "comma-separated names (default: your git user.name)",
        "content": "the content folder (default: content/)",
    }
)
def new_post(
    c: Context,
    title: str,
    category: str = "Community news",
    tags: str = "",
    authors: str = "",
    content: str = "",
) -> None:
    """Start a draft post in content/posts/ with its front matter filled in."""
    from plugins.editorial import scaffold_post

    if not authors:
        git_name = c.run("git config user.name", hide=True, warn=True)
        authors = git_name.stdout.strip() if git_name and git_name.ok else ""
    try:
        path = scaffold_post(
            Path(content or CONFIG["content_path"]),
            title,
            category=category,
            tags=tags,
            authors=authors or SETTINGS["AUTHOR"],
            timezone=SETTINGS["TIMEZONE"],
        )
    except (FileExistsError, ValueError) as error:
        raise Exit(str(error), code=1) from error
    sys.stderr.write(
        f"Created {path}\n"
        "Write the post, set the Summary, then `invoke check` and `invoke reserve --drafts` to\n"
        "preview it. Delete the `Status: draft` line when it is ready to publish.\n"
    )


@task
def api(c: Context) -> None:
    """Run the comments API at http://127.0.0.1:8001 (COMMENTS_API_PORT; SQLite in this folder)."""
    from plugins.devserver import port

    c.run(f"{sys.executable} -m comments_api serve --host {CONFIG['host']} --port {port('api')}")


@task(help={"manifest": "the thread manifest to send (default: output/comments/threads.json)"})
def sync_threads(c: Context, manifest: str = "") -> None:
    """Send the thread manifest to the comments API (COMMENTS_DEPLOY_TOKEN, COMMENTS_API_URL)."""
    from plugins.comments.api_client import ApiCallError, call_api

    path = Path(manifest or Path(CONFIG["deploy_path"]) / "comments" / "threads.json")
    api_url = os.environ.get("COMMENTS_API_URL") or SETTINGS.get(
        "COMMENTS_API_URL", DEVELOPMENT_API_URL
    )
    token = os.environ.get("COMMENTS_DEPLOY_TOKEN", "")
    if not path.is_file():
        sys.exit(f"{path} does not exist: build the site first (invoke build or invoke publish)")
    if not token:
        sys.exit("Set COMMENTS_DEPLOY_TOKEN to the comments API's deploy token")
    try:
        result = call_api(
            f"{api_url.rstrip('/')}/api/v1/threads",
            method="PUT",
            token=token,
            body=path.read_bytes(),
            token_hint="check COMMENTS_DEPLOY_TOKEN",
        )
    except ApiCallError as error:
        sys.exit(f"The thread manifest was not sent: {error}")
    sys.stderr.write(
        "Threads synced to {api}: {created} created, {updated} updated, {retired} retired\n".format(
            api=api_url, **result
        )
    )


@task
def dev(c: Context) -> None:
    """Build the site with its comments; serve it on :8000 and the comments API on :8001."""
    import secrets

    from comments_api.config import ConfigurationError, Settings
    from plugins.devserver import DevStack, Stopping, banner, open_site_server

    stack = DevStack(ROOT, os.environ.get("COMMENTS_BUILD_TOKEN") or secrets.token_urlsafe(32))
    try:
        api_settings = Settings.from_env(stack.api_environment())
    except ConfigurationError as error:
        raise Exit(f"The comments API cannot start: {error}", code=2) from None
    site_server = open_site_server(CONFIG["deploy_path"])
    stack.rebuild_on_hook(site_server, CONFIG["settings_base"])
    try:
        with Stopping() as stopping:
            try:
                stack.start_api()
                # In development the API reads the build's threads.json itself, so the posts
                # accept comments without a sync step; the snapshot needs only the API.
                stack.build_site(CONFIG["settings_base"])
                if not stopping.requested:
                    sys.stderr.write(banner(api_settings.smtp_host, api_settings.mail_folder))
                    site_server.serve_forever()
            except KeyboardInterrupt:
                sys.stderr.write("Stopping the site and the comments API.\n")
    finally:
        stack.stop_api()
        site_server.server_close()


@task(
    help={
        "k": "only tests whose names match this pytest -k expression",
        "workers": "pytest-xdist workers: a number, or auto for one per CPU (default: CPUs + 1)",
    }
)
def test(c: Context, k: str = "", workers: str = "") -> None:
    """Run the linters and every test (CI=true turns missing services into failures).

    The suite runs on one worker more than the machine has cores by default: much of its time
    is spent waiting on browsers, servers and builds in processes of their own. Python's
    bytecode cache stays on for the run even where PYTHONDONTWRITEBYTECODE is set: the suite
    starts hundreds of Python processes (servers, builds, the CLI), and pytest rewrites every test
    module's asserts again in each worker when it may not keep what it rewrote.
    """
    lint(c)
    selection = f" -k {shlex.quote(k)}" if k else ""
    workers = workers or str((os.cpu_count() or 1) + 1)
    parallel = f" -n {shlex.quote(workers)} --dist loadscope"
    c.run(
        f"{sys.executable} -m pytest{parallel} --durations=15{selection}",
        pty=False,
        env={"PYTHONDONTWRITEBYTECODE": ""},  # empty is unset, to Python
    )


@task
def lint(c: Context) -> None:
    """Check formatting, lint and types."""
    c.run(f"{sys.executable} -m ruff check .")
    c.run(f"{sys.executable} -m ruff format --check .")
    c.run(f"{sys.executable} -m mypy")
