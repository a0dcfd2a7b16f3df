"""Every generated page is valid HTML according to the Nu HTML Checker (vnu.jar)."""

from __future__ import annotations

import json
import subprocess

import pytest

from tests.helpers import java_available, need, node_tool
from tests.site.building import BuiltSite

pytestmark = pytest.mark.slow


def test_every_page_passes_the_nu_html_checker(site: BuiltSite) -> None:
    need(java_available(), "Java is not installed (the Nu HTML Checker needs it)")
    vnu = node_tool("vnu-jar/build/dist/vnu.jar")
    pages = site.html_files()
    assert len(pages) > 10
    # One JVM for the whole output folder.
    result = subprocess.run(
        [
            "java",
            "-Xss4m",
            "-XX:TieredStopAtLevel=1",
            "-jar",
            str(vnu),
            "--stdout",
            "--errors-only",
            "--skip-non-html",
            "--format",
            "json",
            str(site.output),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    messages = json.loads(result.stdout)["messages"] if result.stdout.strip() else []
    errors = [
        f"{message.get('url', '?').split('/output/')[-1]}:{message.get('lastLine', '?')}: "
        f"{message['message']}"
        for message in messages
        if message.get("type") in {"error", "non-document-error"}
    ]
    assert errors == [], "\n".join(errors)
    assert result.returncode == 0, result.stderr
