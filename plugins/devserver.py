"""The development servers behind `invoke serve` and `make run` (`invoke dev`).

The site is served from the output folder with the site's own 404 page; the comments API runs
as a child process in a process group of its own, so that stopping `make run` in any way
(Ctrl-C, `kill`, the terminal closing, or `invoke` itself dying) stops the API too. Ports come
from the environment, and a port another program holds is named instead of being shared.

Under `make run` the API's build hook points at the site server (`POST /_rebuild`, with a token
made for this run): when approved comments change, the site is built again by itself, as the
publish workflow does for the real site.

Under `invoke livereload` the server also reloads the pages open in a browser once a build has
written them: each HTML page it serves carries a small script (added as it is served, so the
built files stay exactly as a build writes them) that listens for builds on `/_livereload`.
"""

from __future__ import annotations

import errno
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from contextlib import suppress
from http import HTTPStatus
from pathlib import Path
from socketserver import ThreadingMixIn
from types import FrameType
from typing import Any

from invoke.exceptions import Exit
from pelican import main as pelican_main
from pelican.server import ComplexHTTPRequestHandler, RootedHTTPServer

from plugins.comments.settings import DEVELOPMENT_API_PORT, DEVELOPMENT_HOST, DEVELOPMENT_SITE_PORT

__all__ = ["DevStack", "LiveReload", "Stopping", "banner", "open_site_server", "port", "url"]

HOST = DEVELOPMENT_HOST
# The environment variables that move the site and the API, and their defaults.
PORT_VARIABLES = {
    "site": ("SITE_PORT", DEVELOPMENT_SITE_PORT),
    "api": ("COMMENTS_API_PORT", DEVELOPMENT_API_PORT),
}
# Signals that stop `make run`: Ctrl-C, `kill`, the terminal closing.
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
API_START_SECONDS = 60
# Where the API's build hook reaches `make run`, and how soon after a change it calls.
REBUILD_PATH = "/_rebuild"
REBUILD_AFTER_SECONDS = "1"
PR_SET_PDEATHSIG = 1  # Linux prctl option: a signal for the child when its parent dies
# Where open pages hear of new builds under `invoke livereload` (server-sent events).
LIVE_RELOAD_PATH = "/_livereload"
LIVE_RELOAD_SCRIPT_PATH = "/_livereload.js"
LIVE_RELOAD_SCRIPT = b"""// Added by `invoke livereload` as the page is served:
// reload once the site has been built again since this page was.
(() => {
  const shown = document.currentScript.dataset.build;  // the build this page came from
  const builds = new EventSource("/_livereload");
  builds.onmessage = (event) => {
    if (event.data !== shown) {
      window.location.reload();
    }
  };
})();
"""
KEEP_ALIVE_SECONDS = 15


def port(which: str) -> int:
    """The site's or the API's port: SITE_PORT / COMMENTS_API_PORT, or 8000 / 8001."""
    variable, default = PORT_VARIABLES[which]
    raw = os.environ.get(variable, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or not 0 < int(raw) < 65536:
        raise Exit(f"{variable} must be a port number from 1 to 65535, not {raw!r}.", code=2)
    return int(raw)


def url(which: str) -> str:
    return f"http://{HOST}:{port(which)}"


def _port_problem(which: str, error: OSError) -> Exit:
    number = port(which)
    if error.errno != errno.EADDRINUSE:
        return Exit(f"Cannot listen on {HOST}:{number}: {error.strerror}.", code=1)
    variable = PORT_VARIABLES[which][0]
    return Exit(
        f"Port {number} is in use by another program (an earlier `make run`?); stop it, or set "
        f"{variable} to a free port, for example `{variable}={number + 10} make run`.",
        code=1,
    )


class SiteRequestHandler(ComplexHTTPRequestHandler):  # type: ignore[misc]  # untyped Pelican
    """Pelican's handler, but an unknown address gets the site's 404 page with status 404."""

    path: str
    base_path: str

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        live: LiveReload | None = self.server.live
        if live is not None and path == LIVE_RELOAD_PATH:
            self._stream_builds(live)
            return
        if live is not None and path == LIVE_RELOAD_SCRIPT_PATH:
            self._send_bytes(LIVE_RELOAD_SCRIPT, "text/javascript; charset=utf-8")
            return
        found = self.get_path_that_exists(path)
        if not found:
            self.send_error(HTTPStatus.NOT_FOUND)
            return
        self.path = found
        file = Path(self.translate_path(found))
        if live is not None and file.suffix == ".html" and file.is_file():
            build = live.label  # before reading: a build that follows reloads the page
            page = with_live_reload(file.read_bytes(), build)
            self._send_bytes(page, "text/html; charset=utf-8")
            return
        super(ComplexHTTPRequestHandler, self).do_GET()

    def _send_bytes(self, body: bytes, content_type: str) -> None:
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def _stream_builds(self, live: LiveReload) -> None:
        """Server-sent events: the number of the latest build now, then each new one."""
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        seen = live.latest
        with suppress(ConnectionError):
            self.wfile.write(f"retry: 500\ndata: {live.label}\n\n".encode())
            self.wfile.flush()
            while True:
                latest = live.wait_past(seen, KEEP_ALIVE_SECONDS)
                # A comment line when nothing changed: a closed page is noticed and let go.
                event = f"data: {live.label}\n\n" if latest != seen else ": still here\n\n"
                self.wfile.write(event.encode())
                self.wfile.flush()
                seen = latest

    def do_POST(self) -> None:
        """The API's build hook: with this run's token, the site is built again soon."""
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(min(length, 64 * 1024))
        server: SiteServer = self.server
        if self.path.split("?", 1)[0] != REBUILD_PATH or server.rebuilds is None:
            self.send_error(HTTPStatus.NOT_FOUND)
            return
        if not secrets.compare_digest(
            self.headers.get("Authorization", ""), f"Bearer {server.rebuilds.token}"
        ):
            self.send_response(HTTPStatus.UNAUTHORIZED)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        server.rebuilds.request()
        self.send_response(HTTPStatus.ACCEPTED)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        page = Path(self.base_path) / "404.html"
        if code != HTTPStatus.NOT_FOUND or not page.is_file():
            super().send_error(code, message, explain)
            return
        body = page.read_bytes()
        self.send_response(code)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


def with_live_reload(page: bytes, build: str) -> bytes:
    """The page with the live-reload script, naming the build it came from, before `</body>`
    (or at the end)."""
    tag = f'<script src="{LIVE_RELOAD_SCRIPT_PATH}" data-build="{build}"></script>'.encode()
    at = page.rfind(b"</body>")
    if at < 0:
        return page + tag
    return page[:at] + tag + page[at:]


class LiveReload:
    """The builds finished under `invoke livereload`, counted; pages wait for the next one.

    `built` is connected to Pelican's `finalized` signal: it fires once a build has written
    every page (the search index may still follow in the background).
    """

    def __init__(self) -> None:
        self.latest = 0
        self._run = secrets.token_hex(4)  # a page from an earlier run reloads too
        self._changed = threading.Condition()

    @property
    def label(self) -> str:
        """The latest build, as pages and the event stream name it."""
        return f"{self._run}-{self.latest}"

    def built(self, *_: Any, **__: Any) -> None:
        with self._changed:
            self.latest += 1
            self._changed.notify_all()

    def wait_past(self, seen: int, seconds: float) -> int:
        """The latest build's number once it is not `seen`, or after `seconds` anyway."""
        with self._changed:
            self._changed.wait_for(lambda: self.latest != seen, timeout=seconds)
            return self.latest


def watched_paths(settings_file: str, settings: dict[str, Any]) -> list[str]:
    """What Pelican's autoreload watches: the settings file, the theme, the content and its
    static folders (those that exist)."""
    content = settings.get("PATH", "")
    candidates = [settings_file, settings.get("THEME", ""), content]
    candidates += [os.path.join(content, path) for path in settings.get("STATIC_PATHS", [])]
    return sorted({os.path.abspath(path) for path in candidates if path and os.path.exists(path)})


def build_on_every_change(pelican_arguments: list[str]) -> None:
    """Build the site, then again after each change to its settings, theme or content.

    As Pelican's own autoreload (`pelican -r`) does, in this process and with the same
    Pelican, except that one watcher is kept across builds: a file saved while a build runs
    is built next, instead of being missed until the following save.
    """
    import gc
    import logging

    import watchfiles
    from pelican import get_instance, parse_arguments
    from pelican.log import init as init_logging
    from pelican.utils import FileChangeFilter

    arguments = parse_arguments(pelican_arguments)
    init_logging(level=arguments.verbosity, fatal=arguments.fatal, name="pelican")
    logger = logging.getLogger("pelican")
    pelican, settings = get_instance(arguments)
    settings_file = os.path.abspath(arguments.settings)

    def build() -> None:
        try:
            pelican.run()
        except Exception as error:  # a broken post must not stop the preview: say, and wait
            logger.warning('Caught exception:\n"%s".', error)
        # A build's posts, tags and pages point at one another: garbage in cycles once it is
        # written, which the collector would leave until the heap had grown by a quarter.
        # Collected now, after the browser was told, the preview holds one build, not two.
        gc.collect()

    ignored = FileChangeFilter(ignore_file_patterns=set(settings.get("IGNORE_FILES", [])))
    changes = watchfiles.watch(
        *watched_paths(settings_file, settings),
        watch_filter=ignored,
        rust_timeout=500,
        yield_on_timeout=True,
    )
    next(changes)  # watching from now: a save during the first build is built after it
    build()
    for changed_files in changes:
        changed = sorted({path for _, path in changed_files})
        if not changed:
            continue
        if settings_file in changed:
            try:
                pelican, settings = get_instance(arguments)
            except Exception as error:  # a settings file half edited: keep the last good one
                logger.warning("The settings could not be read, kept as they were: %s", error)
        sys.stderr.write(f"-> Modified: {', '.join(changed)}; building again.\n")
        build()


class SiteServer(ThreadingMixIn, RootedHTTPServer):  # type: ignore[misc]  # untyped Pelican
    """The output folder over HTTP on the loopback interface, one thread per request."""

    allow_reuse_address = True
    daemon_threads = True
    rebuilds: Rebuilds | None = None
    live: LiveReload | None = None

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A browser that went away mid-answer is normal, not worth a traceback."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


def open_site_server(output: str) -> SiteServer:
    """Bind the site's port now, or stop with a message saying how to free or move it."""
    try:
        return SiteServer(output, (HOST, port("site")), SiteRequestHandler)
    except OSError as error:
        raise _port_problem("site", error) from None


class Rebuilds:
    """Builds of the site asked for by the build hook, one at a time, on a thread of their own.

    Requests that arrive during a build are answered by one more build after it.
    """

    def __init__(self, build: Any, token: str) -> None:
        self.build = build
        self.token = token
        self._wanted = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="site-rebuilds", daemon=True)
        self._thread.start()

    def request(self) -> None:
        self._wanted.set()

    def _loop(self) -> None:
        while True:
            self._wanted.wait()
            self._wanted.clear()
            started = time.monotonic()
            sys.stderr.write("Comments changed: building the site again.\n")
            returncode = self.build()
            took = time.monotonic() - started
            if returncode == 0:
                sys.stderr.write(f"The site is up to date with its comments ({took:.1f} s).\n")
            else:
                sys.stderr.write(f"Building the site again failed (exit code {returncode}).\n")


class Stopping:
    """While active, the stop signals raise KeyboardInterrupt, and `requested` remembers one.

    Pelican swallows KeyboardInterrupt during a build; the flag makes sure we stop after it.
    """

    def __init__(self) -> None:
        self.requested = False
        self._previous: dict[int, Any] = {}

    def __enter__(self) -> Stopping:
        for number in STOP_SIGNALS:
            self._previous[number] = signal.signal(number, self._stop)
        return self

    def __exit__(self, *exc_info: object) -> None:
        for number, handler in self._previous.items():
            signal.signal(number, handler)

    def _stop(self, number: int, frame: FrameType | None) -> None:
        self.requested = True
        raise KeyboardInterrupt


class DevStack:
    """The comments API as `make run` runs it, and the site built against it with a snapshot."""

    def __init__(self, root: Path, build_token: str) -> None:
        self.root = root
        self.build_token = build_token
        self.hook_token = secrets.token_urlsafe(24)
        self.process: subprocess.Popen[bytes] | None = None

    def api_environment(self) -> dict[str, str]:
        """The API's settings: this site's address and ports, and the build's snapshot token."""
        environment = dict(os.environ)
        environment.setdefault("COMMENTS_SITE_URL", url("site"))
        environment.setdefault(
            "COMMENTS_ALLOWED_ORIGINS", f"{url('site')},http://localhost:{port('site')}"
        )
        environment.setdefault("COMMENTS_PUBLIC_URL", url("api"))
        environment.setdefault("COMMENTS_MAIL_INTERVAL_SECONDS", "2")
        environment["COMMENTS_BUILD_TOKEN"] = self.build_token
        if "COMMENTS_BUILD_HOOK_URL" not in environment:
            environment["COMMENTS_BUILD_HOOK_URL"] = url("site") + REBUILD_PATH
            environment["COMMENTS_BUILD_HOOK_TOKEN"] = self.hook_token
            environment.setdefault("COMMENTS_BUILD_HOOK_SECONDS", REBUILD_AFTER_SECONDS)
        return environment

    def start_api(self) -> None:
        """Start the API in a process group of its own, once its port is known to be free."""
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind((HOST, port("api")))
            except OSError as error:
                raise _port_problem("api", error) from None
        command = ["-m", "comments_api", "serve", "--host", HOST, "--port", str(port("api"))]
        self.process = subprocess.Popen(
            [sys.executable, *command],
            cwd=self.root,
            env=self.api_environment(),
            start_new_session=True,
            preexec_fn=_end_with_parent(os.getpid()),
        )
        self._wait_for_api(self.process)

    def _wait_for_api(self, process: subprocess.Popen[bytes]) -> None:
        deadline = time.monotonic() + API_START_SECONDS
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise Exit(
                    f"The comments API stopped while starting (exit code {process.returncode}); "
                    "its messages above say why.",
                    code=1,
                )
            with (
                suppress(urllib.error.URLError, OSError),
                urllib.request.urlopen(f"{url('api')}/health", timeout=2) as response,
            ):
                if response.status == 200:
                    return
            time.sleep(0.2)
        raise Exit(
            f"The comments API did not answer at {url('api')} within {API_START_SECONDS} s.",
            code=1,
        )

    def _build_arguments(self, settings_file: str) -> list[str]:
        overrides = {
            "COMMENTS_API_URL": url("api"),
            "COMMENTS_SITE_URL": url("site"),
            "COMMENTS_SNAPSHOT": True,
            "COMMENTS_SNAPSHOT_TOKEN": self.build_token,
        }
        extra = [f"{name}={json.dumps(value)}" for name, value in overrides.items()]
        return ["-s", settings_file, "-e", *extra]

    def build_site(self, settings_file: str) -> None:
        """Build with the approved comments (and counts) of our own API in the pages."""
        pelican_main(self._build_arguments(settings_file))

    def rebuild_on_hook(self, site_server: SiteServer, settings_file: str) -> None:
        """Let the API's build hook (this run's token) build the site again, in a process."""

        def build() -> int:
            command = [sys.executable, "-m", "pelican", *self._build_arguments(settings_file)]
            return subprocess.run(command, cwd=self.root, check=False).returncode

        site_server.rebuilds = Rebuilds(build, self.hook_token)

    def stop_api(self) -> None:
        """SIGTERM the API's process group, then SIGKILL whatever is left."""
        if self.process is None:
            return
        for stop_signal, seconds in ((signal.SIGTERM, 15), (signal.SIGKILL, 10)):
            with suppress(ProcessLookupError):
                os.killpg(self.process.pid, stop_signal)
            with suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=seconds)
                return


def _end_with_parent(parent: int) -> Any:
    """For the API process before it starts: SIGTERM it when `invoke dev` dies (Linux)."""

    def arrange() -> None:
        import ctypes

        ctypes.CDLL(None).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
        if os.getppid() != parent:  # the parent died before the line above
            os._exit(1)

    return arrange if sys.platform.startswith("linux") else None


def banner(smtp_host: str, mail_folder: str) -> str:
    """Where everything is, printed once the site is built."""
    if smtp_host:
        mail = f"Mail goes to the mail server {smtp_host}."
    elif mail_folder:
        mail = f"Mail (sign-in links too) is saved in {mail_folder}/ as .eml files and shown below."
    else:
        mail = "Mail stays queued: set COMMENTS_SMTP_HOST or COMMENTS_MAIL_FOLDER to read it."
    return (
        f"\nThe blog:          {url('site')}/\n"
        f"The comments API:  {url('api')}/ (moderation at /moderation, documentation at /docs)\n"
        f"{mail}\nStop with Ctrl-C.\n\n"
    )
