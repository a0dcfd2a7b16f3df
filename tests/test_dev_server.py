"""`make run` (`invoke dev`): the site and the comments API together, as a newcomer runs them.

Each test copies the project's site files into a fresh folder (as a fresh clone would have
them), starts `invoke dev` there as a real process on free ports given through the
environment, and talks to it over HTTP. Nothing is simulated: the processes, ports, files and
signals are real.
"""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from tests.devrun import (
    POST,
    STOP_SECONDS,
    DevRun,
    copy_project,
    port_is_free,
    still_running,
    wait_until,
)
from tests.helpers import free_port

pytestmark = pytest.mark.slow


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return copy_project(tmp_path / "blog")


@pytest.fixture
def dev_run(project: Path) -> Iterator[Callable[..., DevRun]]:
    runs: list[DevRun] = []

    def start(site_port: int = 0, api_port: int = 0) -> DevRun:
        run = DevRun(project, site_port or free_port(), api_port or free_port())
        runs.append(run)
        return run.start()

    yield start
    for run in runs:
        run.clean_up()


def test_an_unknown_address_gets_the_sites_404_page_with_status_404(
    dev_run: Callable[..., DevRun],
) -> None:
    run = dev_run()
    run.wait_until_serving()
    try:
        for path in ("/no-such-post.html", "/no/such/folder/", "/images/missing.png"):
            response = httpx.get(run.site_url + path, timeout=10)
            assert response.status_code == 404, path
            assert response.headers["content-type"].startswith("text/html")
            assert "Page not found" in response.text and "Error 404" in response.text
        assert httpx.head(run.site_url + "/no-such-post.html").status_code == 404
        assert httpx.get(f"{run.site_url}/{POST}.html").status_code == 200
    finally:
        run.stop()


@pytest.mark.parametrize("signal_number", [signal.SIGTERM, signal.SIGINT])
def test_stopping_make_run_stops_the_api_and_frees_both_ports(
    dev_run: Callable[..., DevRun], signal_number: int
) -> None:
    run = dev_run()
    run.wait_until_serving()
    assert run.seen, "the API runs as a child process"

    assert run.stop(signal_number) == 0, run.output()

    wait_until(lambda: not still_running(run.seen), STOP_SECONDS, "the children to exit")
    site_port, api_port = int(run.env["SITE_PORT"]), int(run.env["COMMENTS_API_PORT"])
    assert port_is_free(site_port) and port_is_free(api_port)


def test_when_make_run_itself_is_killed_the_api_goes_too(
    dev_run: Callable[..., DevRun],
) -> None:
    run = dev_run()
    run.wait_until_serving()

    run.stop(signal.SIGKILL)

    wait_until(lambda: not still_running(run.seen), STOP_SECONDS, "the orphaned API to exit")
    assert port_is_free(int(run.env["COMMENTS_API_PORT"]))


@pytest.mark.parametrize("variable", ["SITE_PORT", "COMMENTS_API_PORT"])
def test_a_port_in_use_is_named_and_make_run_stops_instead_of_carrying_on(
    dev_run: Callable[..., DevRun], variable: str
) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as other_program:
        other_program.bind(("127.0.0.1", 0))
        other_program.listen()
        taken = other_program.getsockname()[1]
        ports = {"site_port": taken} if variable == "SITE_PORT" else {"api_port": taken}
        run = dev_run(**ports)

        assert run.exit_code() != 0
        output = run.output()
        assert f"Port {taken} is in use by another program" in output
        assert f"{variable}=" in output
        assert "Traceback" not in output
    other = int(run.env["COMMENTS_API_PORT" if variable == "SITE_PORT" else "SITE_PORT"])
    assert port_is_free(other), "nothing was left running on the other port"


def test_an_approved_comment_is_in_the_static_pages_once_make_run_builds_again(
    dev_run: Callable[..., DevRun], project: Path
) -> None:
    run = dev_run()
    run.wait_until_serving()
    body = "We tried the handover sheet on nights and it stuck."
    created = httpx.post(
        f"{run.api_url}/api/v1/threads/{POST}/comments",
        json={"author": "Grace", "email": "grace@example.org", "body": body},
        timeout=10,
    )
    assert created.status_code == 201, created.text
    assert created.json()["status"] == "pending"
    approved = subprocess.run(
        [sys.executable, "-m", "comments_api", "approve", str(created.json()["comment"]["id"])],
        cwd=project,
        env=run.env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert approved.returncode == 0, approved.stderr
    assert run.stop() == 0

    again = dev_run(int(run.env["SITE_PORT"]), int(run.env["COMMENTS_API_PORT"]))
    again.wait_until_serving()
    try:
        page = httpx.get(f"{again.site_url}/{POST}.html").text
        assert body in page, "the no-JavaScript page shows the approved comment"
        assert "No comments yet" not in page
        home = httpx.get(f"{again.site_url}/").text
        assert "1 comment" in home, "the home page counts it"
        assert "Comments snapshot skipped" not in again.output()
    finally:
        again.stop()
