"""The real server (`comments-api serve`) caps request heads and closes slow clients."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.server_process import ServerProcess, server_env

pytestmark = pytest.mark.slow

# The server's limit on a request's arrival, short here; the tests give up well after it.
REQUEST_SECONDS = 1
GIVE_UP_SECONDS = 8


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    folder: Path = tmp_path_factory.mktemp("limits")
    env = server_env(
        f"sqlite:///{folder / 'limits.sqlite3'}",
        COMMENTS_REQUEST_TIMEOUT_SECONDS=str(REQUEST_SECONDS),
        COMMENTS_KEEP_ALIVE_SECONDS="1",
    )
    with ServerProcess(env, folder) as running:
        yield running


def _connect(server: ServerProcess) -> socket.socket:
    connection = socket.create_connection(("127.0.0.1", server.port), timeout=GIVE_UP_SECONDS)
    connection.settimeout(1)
    return connection


def _closed_while_trickling(connection: socket.socket, trickle: bytes) -> bool:
    """Send a byte every tenth of a second; True once the server closes the connection."""
    give_up = time.monotonic() + GIVE_UP_SECONDS
    connection.settimeout(0.1)
    for byte in trickle * GIVE_UP_SECONDS * 10:
        if time.monotonic() > give_up:
            return False
        try:
            connection.sendall(bytes([byte]))
            answer = connection.recv(4096)
        except TimeoutError:
            continue
        except (BrokenPipeError, ConnectionResetError):
            return True
        if answer == b"" or answer.startswith(b"HTTP/1.1 4"):
            return True
    return False


def test_a_request_head_over_64_kib_is_refused(server: ServerProcess) -> None:
    padding = "x" * (1024 * 1024)
    try:
        response = httpx.get(
            f"{server.base_url}/health", headers={"X-Padding": padding}, timeout=GIVE_UP_SECONDS
        )
    except (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError):
        pass  # answered 400 and closed while the rest was still on its way: refused too
    else:
        assert response.status_code in {400, 431}, response.status_code
    assert httpx.get(f"{server.base_url}/health", timeout=10).status_code == 200


def test_a_client_that_sends_its_headers_slowly_is_disconnected(server: ServerProcess) -> None:
    with _connect(server) as connection:
        connection.sendall(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        assert _closed_while_trickling(connection, b"X-Slow: still typing"), (
            "the server kept a connection open whose headers never ended"
        )
    assert httpx.get(f"{server.base_url}/health", timeout=10).status_code == 200


def test_a_client_that_sends_its_body_slowly_is_disconnected(server: ServerProcess) -> None:
    with _connect(server) as connection:
        connection.sendall(
            b"POST /api/v1/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Content-Type: application/json\r\nContent-Length: 2000\r\n\r\n"
        )
        assert _closed_while_trickling(connection, b'{"email": "slow@example.org"}'), (
            "the server kept a connection open whose body never ended"
        )


def test_the_log_names_the_configured_limit(server: ServerProcess) -> None:
    with _connect(server) as connection:
        connection.sendall(b"GET /health HTTP/1.1\r\n")
        assert _closed_while_trickling(connection, b"X")
    assert (
        f"closed a connection whose request did not arrive within {REQUEST_SECONDS} s"
        in server.log.read_text()
    )


def test_an_idle_connection_is_closed_after_the_keep_alive_time(server: ServerProcess) -> None:
    with _connect(server) as connection:
        connection.sendall(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        answer = b""
        while b"\r\n\r\n" not in answer or not answer.rstrip().endswith(b"}"):
            answer += connection.recv(4096)
        assert answer.startswith(b"HTTP/1.1 200")
        connection.settimeout(3)  # well past the server's keep-alive time, short of the default
        assert connection.recv(4096) == b"", "the idle connection stayed open"


def test_requests_at_a_normal_pace_are_answered(server: ServerProcess) -> None:
    with httpx.Client(base_url=server.base_url, timeout=10) as client:
        for _ in range(3):
            assert client.get("/health").status_code == 200
