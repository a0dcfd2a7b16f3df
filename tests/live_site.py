"""Real parts for the plugin and browser tests: a comments API process, site builds, content,
and the built site served on a loopback port beside the API (a stack).

Nothing here is a stand-in: the API is `python -m comments_api serve` on a loopback port with
a SQLite file, comments are approved with the real CLI, and the site is built by the `pelican`
command with the repository's settings files.
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import subprocess
import sys
import textwrap
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from tests.helpers import ROOT, CliRun, comments_api_cli, free_port, need
from tests.server_process import ServerProcess
from tests.smtp import SmtpServer, link_containing

BUILD_TOKEN = "build-token-for-tests-0123456789"
DEPLOY_TOKEN = "deploy-token-for-tests-0123456789"


def api_available() -> bool:
    """The API can be served (its package and CLI exist in this checkout)."""
    return (ROOT / "comments_api" / "__main__.py").exists()


@dataclass
class CommentsApi:
    """A real comments API process on a free loopback port, with its own SQLite database."""

    folder: Path
    site_origin: str = "http://127.0.0.1:8000"
    port: int = field(default_factory=free_port)
    server: ServerProcess | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def environment(self) -> dict[str, str]:
        return {
            **os.environ,
            "COMMENTS_ENV": "test",
            "COMMENTS_DATABASE_URL": f"sqlite:///{self.folder / 'comments.sqlite3'}",
            "COMMENTS_BUILD_TOKEN": BUILD_TOKEN,
            "COMMENTS_DEPLOY_TOKEN": DEPLOY_TOKEN,
            "COMMENTS_RATE_LIMITS_ENABLED": "false",
            "COMMENTS_MIN_SUBMIT_SECONDS": "0",
            "COMMENTS_SITE_URL": self.site_origin,
            "COMMENTS_ALLOWED_ORIGINS": self.site_origin,
        }

    def start(self) -> CommentsApi:
        need(api_available(), "the comments API (comments_api/__main__.py) is not in this checkout")
        self.folder.mkdir(parents=True, exist_ok=True)
        # With the access log: some tests read which requests the site's build made.
        self.server = ServerProcess(
            self.environment(),
            self.folder,
            port=self.port,
            log=self.folder / "api.log",
            log_level="info",
        )
        self.server.start()
        return self

    @property
    def process(self) -> subprocess.Popen[bytes] | None:
        return self.server.process if self.server is not None else None

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()

    def log(self) -> str:
        path = self.folder / "api.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def call(
        self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None
    ) -> tuple[int, Any]:
        """One JSON request to the API; returns (status, decoded body or None)."""
        request = urllib.request.Request(
            self.url + path,
            method=method,
            data=None if body is None else json.dumps(body).encode(),
            headers={
                "Content-Type": "application/json",
                "Accept": "application/json",
                **(headers or {}),
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                raw = response.read()
                return response.status, json.loads(raw) if raw else None
        except urllib.error.HTTPError as error:
            raw = error.read()
            try:
                return error.code, json.loads(raw)
            except ValueError:
                return error.code, raw.decode(errors="replace")

    def sync_threads(self, manifest_file: Path) -> dict[str, Any]:
        status, body = self.call(
            "PUT",
            "/api/v1/threads",
            json.loads(manifest_file.read_text()),
            {"Authorization": f"Bearer {DEPLOY_TOKEN}"},
        )
        assert status == 200, (status, body)
        return dict(body)

    def post_comment(self, thread: str, **fields: Any) -> dict[str, Any]:
        """Post as a guest through the public API; returns the 201 body."""
        payload = {"author": "Ann Example", "email": "ann@example.org", "body": "Hello", **fields}
        status, body = self.call("POST", f"/api/v1/threads/{thread}/comments", payload)
        assert status == 201, (status, body)
        return dict(body)

    def cli(self, *arguments: str) -> CliRun:
        """`comments-api ARGS` against this API's database (in this process); it must succeed."""
        result = comments_api_cli(*arguments, env=self.environment(), cwd=self.folder)
        assert result.returncode == 0, f"comments-api {' '.join(arguments)}: {result.stderr}"
        return result

    def approve(self, comment_id: int) -> None:
        self.cli("approve", str(comment_id))


# --- the site --------------------------------------------------------------------------------


def post(
    folder: Path,
    slug: str,
    title: str,
    *,
    date: str = "2030-01-15 10:00",
    body: str = "A short post.",
    **metadata: str,
) -> Path:
    """Write a Markdown post; extra metadata like comments="closed" become `Comments: closed`."""
    lines = [
        f"Title: {title}",
        f"Date: {date}",
        f"Slug: {slug}",
        "Category: Notes",
        "Tags: testing",
        "Summary: A post for the comments tests.",
    ]
    lines += [f"{key.replace('_', '-').title()}: {value}" for key, value in metadata.items()]
    path = folder / "posts" / f"{slug}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n\n" + body + "\n", encoding="utf-8")
    return path


def content_folder(folder: Path) -> Path:
    """A small content folder: the comments policy page, plus the theme's favicon if any."""
    pages = folder / "pages"
    pages.mkdir(parents=True, exist_ok=True)
    (pages / "comments-policy.md").write_text(
        "Title: Comments policy\nSlug: comments-policy\n\nBe kind; stay on topic.\n"
    )
    (folder / "posts").mkdir(exist_ok=True)
    extra = ROOT / "content" / "extra"
    if extra.is_dir():
        shutil.copytree(extra, folder / "extra", dirs_exist_ok=True)
    return folder


@dataclass
class Build:
    output: Path
    result: subprocess.CompletedProcess[str]

    @property
    def log(self) -> str:
        return self.result.stdout + self.result.stderr

    def page(self, name: str) -> str:
        return (self.output / name).read_text(encoding="utf-8")

    def manifest(self) -> dict[str, Any]:
        return dict(json.loads((self.output / "comments" / "threads.json").read_text()))


def write_post(content: Path, slug: str, title: str, date: str, tags: str, *extra: str) -> None:
    lines = [f"Title: {title}", f"Date: {date}", f"Slug: {slug}", "Category: Notes"]
    lines += [f"Tags: {tags}", f"Summary: What {title.lower()} is about.", *extra]
    body = f"The body of {title.lower()}, with [a link]({{filename}}post-1.md)."
    (content / "posts" / f"{slug}.md").write_text("\n".join(lines) + "\n\n" + body + "\n")


def six_posts(folder: Path) -> Path:
    """A content folder of six dated, tagged posts (post-1 to post-6) and a draft."""
    content = content_folder(folder)
    tags = ["huddles, safety", "safety, flow", "flow", "huddles", "measurement, flow", "safety"]
    for number, tag_list in enumerate(tags, start=1):
        date = f"{2029 + number % 2}-0{number}-10 09:00"
        write_post(content, f"post-{number}", f"Post number {number}", date, tag_list)
    write_post(content, "waiting", "A draft for later", "2030-09-01 09:00", "flow", "Status: draft")
    return content


def build_site(
    content: Path,
    output: Path,
    *,
    publish: bool = False,
    fatal: bool = False,
    environment: dict[str, str] | None = None,
    **settings: Any,
) -> Build:
    """Run `pelican` with the repository's pelicanconf (or publishconf) plus overrides."""
    base = "publishconf" if publish else "pelicanconf"
    overrides = {
        "PATH": str(content),
        "OUTPUT_PATH": str(output),
        "THEME": str(ROOT / "theme"),
        "PLUGIN_PATHS": [str(ROOT / "plugins")],
        "CACHE_CONTENT": False,
        "LOAD_CONTENT_CACHE": False,
        "CACHE_PATH": str(output.parent / f"{output.name}-cache"),
        **settings,
    }
    settings_file = output.parent / f"{output.name}-{base}.py"
    settings_file.write_text(
        textwrap.dedent(
            f"""\
            import sys
            sys.path.insert(0, {str(ROOT)!r})
            from {base} import *  # noqa
            """
        )
        + "".join(f"{name} = {value!r}\n" for name, value in overrides.items())
    )
    command = [sys.executable, "-m", "pelican", "-s", str(settings_file)]
    if fatal:
        command += ["--fatal", "warnings"]
    result = subprocess.run(
        command,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "COLUMNS": "400", **(environment or {})},
    )
    return Build(output, result)


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@dataclass
class StaticSite:
    """The output folder served by an in-process server on 127.0.0.1 (bound before the build,
    so the build knows the site's address)."""

    folder: Path
    server: ThreadingHTTPServer = field(init=False)

    def __post_init__(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        handler = functools.partial(QuietHandler, directory=str(self.folder))
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@dataclass
class Stack:
    """Site + API, built with a snapshot of what the API held at build time."""

    site: StaticSite
    api: CommentsApi
    content: Path

    def build(self) -> Build:
        build = build_site(
            self.content,
            self.site.folder,
            COMMENTS_API_URL=self.api.url,
            COMMENTS_SITE_URL=self.site.url,
            COMMENTS_SNAPSHOT=True,
            COMMENTS_SNAPSHOT_TOKEN=BUILD_TOKEN,
            COMMENTS_SNAPSHOT_TIMEOUT=5,
            COMMENTS_SIGN_IN=True,
        )
        assert build.result.returncode == 0, build.log
        return build

    def publish(self) -> Build:
        """Build, send the manifest to the API, build again with the current snapshot."""
        self.api.sync_threads(self.build().output / "comments" / "threads.json")
        return self.build()

    def url(self, slug: str) -> str:
        return f"{self.site.url}/{slug}.html"


@dataclass
class MailingApi(CommentsApi):
    """The API process with sign-in: its mail goes to a real SMTP server on a loopback port.

    It runs as in development, so the session cookie is not Secure: the browser talks plain
    HTTP to 127.0.0.1.
    """

    smtp_port: int = 0

    def environment(self) -> dict[str, str]:
        return {
            **super().environment(),
            "COMMENTS_ENV": "development",
            "COMMENTS_THREADS_FILE": "",
            "COMMENTS_SMTP_HOST": "127.0.0.1",
            "COMMENTS_SMTP_PORT": str(self.smtp_port),
            "COMMENTS_SMTP_FROM": "comments@blog.test",
            "COMMENTS_MAIL_INTERVAL_SECONDS": "1",
        }


def start_stack(
    folder: Path, posts: list[tuple[str, str]], smtp: SmtpServer | None = None
) -> Stack:
    site = StaticSite(folder / "output")
    api = (
        MailingApi(folder / "api", site_origin=site.url, smtp_port=smtp.port)
        if smtp
        else CommentsApi(folder / "api", site_origin=site.url)
    )
    try:
        api.start()
    except BaseException:
        site.close()
        raise
    content = content_folder(folder / "content")
    for slug, title in posts:
        post(content, slug, title)
    return Stack(site, api, content)


def next_sign_in_link(smtp: SmtpServer, address: str, seen: int) -> str:
    """The link in the next "Your sign-in link" message to `address` after `seen` of them.

    The API's mail sender works off the request path, once a second; allow it 30 s.
    """
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        received = sign_in_messages(smtp, address)
        if len(received) > seen:
            return link_containing(received[-1], "/api/v1/auth/callback")
        time.sleep(0.1)
    raise AssertionError(f"no sign-in message reached {address}")


def sign_in_messages(smtp: SmtpServer, address: str) -> list[Any]:
    return [m for m in smtp.mailbox.to(address) if m["Subject"] == "Your sign-in link"]
