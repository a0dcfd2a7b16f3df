"""A real OpenID provider (oidc-provider, from npm) on loopback, and an API that trusts it."""

from __future__ import annotations

import json
import shutil
import subprocess
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.helpers import NODE_MODULES, ROOT, free_port, need
from tests.live_site import MailingApi

PROVIDER_SCRIPT = ROOT / "tests" / "oidc" / "provider.mjs"
CLIENT_ID = "blog-comments"
CLIENT_SECRET = "blog-comments-secret"
BUTTON = "Sign in with your network account"


def provider_available() -> None:
    """Node and the oidc-provider package, or skip (fail under CI=true)."""
    need(shutil.which("node") is not None, "Node.js is not installed (the test provider needs it)")
    need(
        (NODE_MODULES / "oidc-provider" / "package.json").exists(),
        "oidc-provider is missing: run `npm ci` (make test does)",
    )


@dataclass
class LocalProvider:
    """`tests/oidc/provider.mjs` as a process: users ada, grace (moderator), eve and uma."""

    folder: Path
    redirect_uri: str
    post_logout_redirect_uri: str
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def issuer(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> LocalProvider:
        provider_available()
        self.folder.mkdir(parents=True, exist_ok=True)
        with (self.folder / "provider.log").open("ab") as log:
            self.process = subprocess.Popen(
                ["node", str(PROVIDER_SCRIPT), str(self.port), self.redirect_uri]
                + [self.post_logout_redirect_uri],
                cwd=ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the test provider exited:\n{self.log()}")
            try:
                discovery = f"{self.issuer}/.well-known/openid-configuration"
                with urllib.request.urlopen(discovery, timeout=1) as response:
                    if response.status == 200:
                        return self
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"the test provider did not answer in 30 s:\n{self.log()}")

    def break_it(self, **faults: Any) -> None:
        """Break (or, with no faults, repair) the provider; see provider.mjs."""
        request = urllib.request.Request(
            f"{self.issuer}/test/faults",
            method="POST",
            data=json.dumps(faults).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=5) as response:
            assert response.status == 204

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)

    def log(self) -> str:
        path = self.folder / "provider.log"
        return path.read_text(errors="replace") if path.exists() else ""


@dataclass
class ProviderApi(MailingApi):
    """The comments API with sign-in by the test provider (and by e-mail, to a real SMTP)."""

    issuer: str = ""

    def environment(self) -> dict[str, str]:
        return {
            **super().environment(),
            "COMMENTS_OIDC_ISSUER": self.issuer,
            "COMMENTS_OIDC_CLIENT_ID": CLIENT_ID,
            "COMMENTS_OIDC_CLIENT_SECRET": CLIENT_SECRET,
            "COMMENTS_OIDC_SCOPES": "openid email profile groups",
            "COMMENTS_OIDC_MODERATOR_CLAIM": "groups",
            "COMMENTS_OIDC_MODERATOR_VALUE": "moderators",
            "COMMENTS_OIDC_VERIFIED_CLAIM": "groups",
            "COMMENTS_OIDC_VERIFIED_VALUE": "members",
        }
