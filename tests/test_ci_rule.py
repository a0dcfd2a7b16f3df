"""The test harness itself: in CI a missing tool is a failure, never a silent skip."""

import subprocess
import sys
import textwrap


def test_a_skip_for_a_missing_tool_fails_when_ci_is_true(tmp_path):
    test_file = tmp_path / "test_needs_tool.py"
    test_file.write_text(
        textwrap.dedent(
            """
            from tests.helpers import need

            def test_needs_a_missing_tool():
                need(False, "the frobnicator is not installed")
            """
        )
    )
    from tests.helpers import ROOT

    def run(ci: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(test_file)],
            cwd=ROOT,
            env={"CI": ci, "PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)},
            capture_output=True,
            text=True,
        )

    outside_ci = run("")
    in_ci = run("true")
    assert outside_ci.returncode == 0, outside_ci.stdout
    assert "1 skipped" in outside_ci.stdout
    assert in_ci.returncode == 1, in_ci.stdout
    assert "frobnicator" in in_ci.stdout
