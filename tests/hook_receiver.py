"""A real build-hook receiver on a loopback port: it records each call and answers as told."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True)
class HookCall:
    path: str
    headers: dict[str, str]
    body: dict[str, Any]


class HookReceiver:
    """Answers each POST with the next status in `answers` (the last one from then on)."""

    def __init__(self, answers: tuple[int, ...] = (204,)) -> None:
        self.answers = list(answers)
        self.calls: list[HookCall] = []
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (the standard library's name)
                length = int(self.headers.get("Content-Length", "0"))
                raw = self.rfile.read(length)
                with receiver._lock:
                    receiver.calls.append(
                        HookCall(self.path, dict(self.headers.items()), json.loads(raw or b"{}"))
                    )
                    status = (
                        receiver.answers.pop(0)
                        if len(receiver.answers) > 1
                        else receiver.answers[0]
                    )
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/repos/blog/site/dispatches"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> HookReceiver:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def wait_for(self, count: int, seconds: float) -> list[HookCall]:
        """The calls once there are at least `count` of them (bounded wait)."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            with self._lock:
                if len(self.calls) >= count:
                    return list(self.calls)
            time.sleep(0.1)
        raise AssertionError(f"gave up after {seconds:g} s: {len(self.calls)} of {count} calls")
