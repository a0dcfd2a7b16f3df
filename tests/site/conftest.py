"""The real site, built once per test session and served over HTTP on the loopback interface."""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterator
from http.server import ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.site.building import BuiltSite, QuietHandler, build_site


@pytest.fixture(scope="session")
def site_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """An HTTP server on 127.0.0.1 (port chosen by the OS) serving a folder to build into."""
    output = tmp_path_factory.mktemp("site") / "output"
    output.mkdir()
    handler = functools.partial(QuietHandler, directory=str(output))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", output
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture(scope="session")
def site(site_server: tuple[str, Path]) -> BuiltSite:
    """The real site, built once for the whole session."""
    siteurl, output = site_server
    return build_site(output, siteurl)
