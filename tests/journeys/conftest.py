"""Each journey module gets its own `make run`, started from a fresh copy of the project."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.devrun import DevRun, copy_project
from tests.helpers import free_port
from tests.journeys.support import Blog


@pytest.fixture(scope="module")
def blog(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Blog]:
    """`make run`'s own configuration: development settings, SQLite, the mail sink."""
    project = copy_project(tmp_path_factory.mktemp("journey") / "blog")
    run = DevRun(project, free_port(), free_port())
    # Every person in a module's journeys comments from the same loopback address, often within
    # one minute: the guests' per-network limit (5 a minute) would refuse the later ones.
    run.env["COMMENTS_RATE_LIMIT_CREATE"] = "60/minute;600/hour"
    run.start()
    try:
        run.wait_until_serving()
        yield Blog(run)
    finally:
        if run.process is not None and run.process.poll() is None:
            run.stop()
        run.clean_up()
