"""`make run` (`invoke dev`) as a real process in a copy of the project, on free ports.

Used by the dev-server tests and by the journeys, which run against make run's own
configuration: the same settings, the same SQLite default, the same mail sink.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx

from tests.helpers import ROOT

# The plugin reads the field messages from the service's table (one owner for each message).
PROJECT_FILES = (
    "tasks.py",
    "pelicanconf.py",
    "publishconf.py",
    "content",
    "theme",
    "plugins",
    "comments_api/field_messages.json",
)
POST = "welcome-to-the-network-blog"
# Bounded waits for things the processes do by themselves; generous: the machine is shared.
START_SECONDS = 180
STOP_SECONDS = 60


def port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def live_descendants(root: int) -> set[int]:
    """Every process below `root` that is still running (zombies excluded), from /proc."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[0] != "Z":
            parents[int(entry.name)] = int(fields[1])
    found: set[int] = set()
    frontier = {root}
    while frontier:
        frontier = {pid for pid, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def still_running(pids: set[int]) -> set[int]:
    running = set()
    for pid in pids:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z":
            running.add(pid)
    return running


def wait_until(condition: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting {seconds:g} s for {what}")
        time.sleep(0.2)


def answers(client: httpx.Client, url: str) -> bool:
    try:
        return client.get(url, timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


class DevRun:
    """`invoke dev` (or another serving task: `livereload`) in a project folder, on the ports
    the environment gives it."""

    def __init__(self, project: Path, site_port: int, api_port: int, task: str = "dev") -> None:
        self.project = project
        self.task = task
        self.site_url = f"http://127.0.0.1:{site_port}"
        self.api_url = f"http://127.0.0.1:{api_port}"
        self.env = {
            **{name: value for name, value in os.environ.items() if "COMMENTS_" not in name},
            "SITE_PORT": str(site_port),
            "COMMENTS_API_PORT": str(api_port),
        }
        self.log = project / f"dev-{site_port}.log"
        self.process: subprocess.Popen[bytes] | None = None
        self.seen: set[int] = set()

    def start(self) -> DevRun:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "invoke", self.task],
                cwd=self.project,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        return self

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_until_serving(self) -> None:
        # One client for every try: making one costs more than asking (it loads the CA bundle).
        with httpx.Client() as client:

            def both_answer() -> bool:
                assert self.process is not None and self.process.poll() is None, self.output()
                api = self.task != "dev" or answers(client, f"{self.api_url}/health")
                return answers(client, f"{self.site_url}/") and api

            wait_until(both_answer, START_SECONDS, f"the site and the API:\n{self.output()}")
        assert self.process is not None
        self.seen = live_descendants(self.process.pid)

    def exit_code(self, seconds: float = STOP_SECONDS) -> int:
        assert self.process is not None
        return self.process.wait(timeout=seconds)

    def stop(self, signal_number: int = signal.SIGTERM) -> int:
        """Signal the invoke process itself (not its group), as `kill PID` or make would."""
        assert self.process is not None
        os.kill(self.process.pid, signal_number)
        return self.exit_code()

    def clean_up(self) -> None:
        """After a failed test: leave no process behind for the next one."""
        if self.process is not None and self.process.poll() is None:
            # Listed again now: children started since (a background search index) too.
            self.seen |= live_descendants(self.process.pid)
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
        for pid in still_running(self.seen):
            os.kill(pid, signal.SIGKILL)


def copy_project(folder: Path) -> Path:
    """The site's files in `folder` (made here), with no build, database or mail yet."""
    folder.mkdir(parents=True)
    for name in PROJECT_FILES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, folder / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, folder / name)
    return folder
