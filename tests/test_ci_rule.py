"""The test harness itself: in CI a missing tool is a failure, never a silent skip; under
pytest-xdist a module's tests share one worker."""

import re
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


def test_each_module_runs_on_one_worker_so_its_fixtures_are_made_once(tmp_path):
    """`invoke test` hands pytest-xdist whole modules (`--dist loadscope`); a pytest or xdist
    release that split them again would rebuild every module-scoped site and server."""
    from tests.helpers import ROOT

    for name in ("test_first.py", "test_second.py"):
        (tmp_path / name).write_text(
            "".join(f"def test_{number}():\n    pass\n\n\n" for number in range(6))
        )
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-v", "-p", "no:cacheprovider", "--noconftest"]
        + ["-n", "2", "--dist", "loadscope", str(tmp_path)],
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout
    workers: dict[str, set[str]] = {}
    for line in result.stdout.splitlines():
        passed = re.match(r"\[(gw\d+)\].* PASSED .*/test_(\w+)\.py::", line)
        if passed:
            workers.setdefault(passed[2], set()).add(passed[1])
    assert sorted(workers) == ["first", "second"], result.stdout
    assert all(len(ran_on) == 1 for ran_on in workers.values()), workers
