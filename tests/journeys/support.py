"""What every journey needs: `make run` in a fresh copy of the project, its CLI and mail
sink, screenshots at each step, and keyboard moves a person makes."""

from __future__ import annotations

import email
import email.policy
import re
import subprocess
import sys
import time
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import httpx

from tests.devrun import DevRun
from tests.helpers import ROOT

SHOTS = ROOT / "output" / "journeys"
# What each step is looked at in: a phone and a laptop, light and dark.
VIEWS = (
    ("1280", 1280, 900, "light"),
    ("360", 360, 780, "light"),
    ("1280", 1280, 900, "dark"),
    ("360", 360, 780, "dark"),
)
TYPING_DELAY_MS = (
    40  # about 90 words a minute: the API refuses forms sent quicker than a person types
)


@dataclass
class Blog:
    """A running `make run` and what an operator can do beside it."""

    run: DevRun

    @property
    def project(self) -> Path:
        return self.run.project

    def url(self, path: str = "") -> str:
        return f"{self.run.site_url}/{path.lstrip('/')}"

    def post_url(self, slug: str) -> str:
        return self.url(f"{slug}.html")

    def cli(self, *arguments: str, **env: str) -> subprocess.CompletedProcess[str]:
        """`comments-api ...` in the project folder, as an operator types it beside make run."""
        done = subprocess.run(
            [sys.executable, "-m", "comments_api", *arguments],
            cwd=self.project,
            env={**self.run.env, **env},
            capture_output=True,
            text=True,
            timeout=120,
        )
        return done

    def invoke(self, *arguments: str, **env: str) -> subprocess.CompletedProcess[str]:
        """`invoke ...` in the project folder, as an editor types it."""
        return subprocess.run(
            [sys.executable, "-m", "invoke", *arguments],
            cwd=self.project,
            env={**self.run.env, **env},
            capture_output=True,
            text=True,
            timeout=300,
        )

    def api(self, method: str, path: str, **options: Any) -> httpx.Response:
        return httpx.request(method, f"{self.run.api_url}/api/v1/{path}", timeout=30, **options)

    def mail_to(
        self, address: str, subject: str = "Your sign-in link", seen: int = 0, seconds: float = 30
    ) -> EmailMessage:
        """The next message about `subject` the development mail sink wrote for `address`."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            found = [
                m for m in self.mailbox() if address in str(m["To"]) and m["Subject"] == subject
            ]
            if len(found) > seen:
                return found[-1]
            time.sleep(0.2)
        raise AssertionError(f"no message to {address} in {self.project / 'mail'}")

    def mailbox(self) -> list[EmailMessage]:
        folder = self.project / "mail"
        files = sorted(folder.glob("*.eml")) if folder.is_dir() else []
        return [
            email.message_from_bytes(path.read_bytes(), policy=email.policy.default)  # type: ignore[misc]
            for path in files
        ]


def link_in(message: EmailMessage, containing: str) -> str:
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    for link in re.findall(r"https?://\S+", body.get_content()):
        if containing in link:
            return link.rstrip(".,)>")
    raise AssertionError(f"no link with {containing!r} in:\n{body.get_content()}")


@dataclass
class Camera:
    """Screenshots of each step of one journey, in every view, under output/journeys/NAME/."""

    name: str
    taken: list[Path] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.folder = SHOTS / self.name
        self.folder.mkdir(parents=True, exist_ok=True)
        for old in self.folder.glob("*.png"):
            old.unlink()

    def step(self, page: Any, what: str) -> None:
        """The page as it is now, at 1280 and 360 px, light and dark; then as it was."""
        size = page.viewport_size
        number = len({p.name.split("-")[0] for p in self.taken}) + 1
        for label, width, height, scheme in VIEWS:
            page.set_viewport_size({"width": width, "height": height})
            page.emulate_media(color_scheme=scheme)
            path = self.folder / f"{number:02d}-{what}-{label}-{scheme}.png"
            page.screenshot(path=str(path), full_page=True)
            self.taken.append(path)
        page.emulate_media(color_scheme="light")
        if size:
            page.set_viewport_size(size)


def tab_to(page: Any, locator: Any, most: int = 200, backwards: bool = False) -> None:
    """Press Tab (or Shift+Tab) until `locator` has the focus, as a keyboard user does."""
    key = "Shift+Tab" if backwards else "Tab"
    for _ in range(most):
        if locator.evaluate("element => element === document.activeElement"):
            return
        page.keyboard.press(key)
    raise AssertionError(f"{most} presses of {key} never reached {locator}")


def type_into(locator: Any, text: str) -> None:
    """Click into a field and type, key by key."""
    locator.click()
    locator.press_sequentially(text, delay=TYPING_DELAY_MS)
