"""`invoke check` and `invoke new-post`: the editors' safety net, on temporary content folders."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from textwrap import dedent

import pytest

from plugins.editorial import check_content
from tests.helpers import ROOT

GOOD_POST = """\
Title: Handover, rethought
Date: 2024-05-01 09:00
Category: Methods
Tags: handover
Authors: Priya Raman
Summary: How one ward made handover shorter and safer.

## What we tried

See [the other post]({filename}other-post.md), the [about page]({filename}/pages/about.md),
the [tag page]({tag}handover), the [archives](/archives.html) and
[a trusted source](https://www.england.nhs.uk/).

![A handover sheet with four boxes]({static}/images/sheet.svg)
"""

OTHER_POST = """\
Title: Other post
Date: 2024-05-02 09:00
Category: Methods
Summary: A second post to link to.

Back to [the first]({filename}handover-rethought.md#what-we-tried).
"""

ABOUT_PAGE = """\
Title: About
Summary: Who we are.

We are a network.
"""


@pytest.fixture
def content(tmp_path: Path) -> Path:
    """A small, valid content folder: two posts, a page and an image."""
    (tmp_path / "posts").mkdir()
    (tmp_path / "pages").mkdir()
    (tmp_path / "images").mkdir()
    (tmp_path / "posts" / "handover-rethought.md").write_text(GOOD_POST)
    (tmp_path / "posts" / "other-post.md").write_text(OTHER_POST)
    (tmp_path / "pages" / "about.md").write_text(ABOUT_PAGE)
    (tmp_path / "images" / "sheet.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")
    return tmp_path


def write_post(content: Path, name: str, text: str) -> Path:
    path = content / "posts" / name
    path.write_text(dedent(text))
    return path


def problems_in(content: Path) -> list[str]:
    return [str(problem) for problem in check_content(content)]


def run_invoke(*arguments: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "invoke", "-r", str(ROOT), *arguments],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,
    )


def test_valid_content_passes(content: Path) -> None:
    assert problems_in(content) == []


def test_the_real_content_passes() -> None:
    assert problems_in(ROOT / "content") == []


@pytest.mark.parametrize("field", ["Title", "Date", "Summary"])
def test_a_post_missing_a_required_field_is_named_with_file_and_line(
    content: Path, field: str
) -> None:
    text = "".join(
        line for line in OTHER_POST.splitlines(keepends=True) if not line.startswith(f"{field}:")
    )
    path = write_post(content, "other-post.md", text)
    problems = check_content(content)
    assert [(problem.path, problem.line) for problem in problems] == [(path, 1)]
    assert f"missing {field}" in problems[0].message
    assert str(problems[0]).endswith(f"other-post.md:1: {problems[0].message}")


def test_an_empty_summary_is_reported_at_its_line(content: Path) -> None:
    write_post(content, "other-post.md", OTHER_POST.replace("A second post to link to.", ""))
    (problem,) = check_content(content)
    assert (problem.path.name, problem.line) == ("other-post.md", 4)
    assert problem.message == "Summary is empty: fill it in"


def test_an_unreadable_date_is_reported(content: Path) -> None:
    write_post(content, "other-post.md", OTHER_POST.replace("2024-05-02 09:00", "next Tuesday"))
    (problem,) = check_content(content)
    assert problem.line == 2 and "not a date" in problem.message


def test_duplicate_slugs_name_both_files(content: Path) -> None:
    again = write_post(
        content,
        "handover-again.md",
        """\
        Title: Handover rethought
        Date: 2024-06-01 09:00
        Summary: The same title makes the same slug.

        Text.
        """,
    )
    first = content / "posts" / "handover-rethought.md"
    problems = check_content(content)
    assert [(problem.path, problem.line) for problem in problems] == [(again, 1), (first, 1)]
    assert all("duplicate slug 'handover-rethought'" in problem.message for problem in problems)
    assert "handover-rethought.md" in problems[0].message
    assert "handover-again.md" in problems[1].message


def test_an_explicit_duplicate_slug_is_reported_at_the_slug_line(content: Path) -> None:
    path = write_post(
        content,
        "zz-new.md",
        """\
        Title: Something new
        Date: 2024-06-01 09:00
        Slug: other-post
        Summary: An explicit slug that clashes.

        Text.
        """,
    )
    problems = check_content(content)
    assert (path, 3) in [(problem.path, problem.line) for problem in problems]
    assert all("duplicate slug 'other-post'" in problem.message for problem in problems)


@pytest.mark.parametrize(
    "image",
    [
        "![]({static}/images/sheet.svg)",
        "![  ]({static}/images/sheet.svg)",
        '<img src="{static}/images/sheet.svg">',
        '<img src="{static}/images/sheet.svg" alt="">',
        "![][sheet]\n\n[sheet]: {static}/images/sheet.svg",
    ],
)
def test_an_image_without_alt_text_is_reported_at_its_line(content: Path, image: str) -> None:
    path = write_post(content, "other-post.md", OTHER_POST + "\nSome text.\n\n" + image + "\n")
    problems = check_content(content)
    assert [(problem.path, problem.line) for problem in problems] == [(path, 10)]
    assert "without alt text" in problems[0].message


def test_images_inside_code_are_not_checked(content: Path) -> None:
    write_post(
        content,
        "other-post.md",
        OTHER_POST
        + dedent("""
        ```markdown
        ![](not-an-image.png)
        ```

        Write `![](image.png)` and the check complains.
        """),
    )
    assert problems_in(content) == []


@pytest.mark.parametrize(
    ("link", "reason"),
    [
        ("[gone]({filename}no-such-post.md)", "does not exist"),
        ("[gone]({filename}/pages/no-such-page.md)", "does not exist"),
        ("![A chart]({static}/images/missing.png)", "does not exist"),
        ("[gone](/pages/no-such-page.html)", "no page of the site"),
        ("[gone](no-such-post.html)", "no page of the site"),
        ("[tag]({tag}no-such-tag)", "no published post has the tag"),
        ("[category]({category}Recipes)", "no published post has the category"),
        ('<a href="/category/recipes.html">recipes</a>', "no page of the site"),
        ("[ref][gone]\n\n[gone]: {filename}missing.md", "does not exist"),
    ],
)
def test_a_broken_internal_link_is_reported_at_its_line(
    content: Path, link: str, reason: str
) -> None:
    path = write_post(content, "other-post.md", OTHER_POST + "\nSee " + link + "\n")
    problems = check_content(content)
    assert len(problems) == 1, problems
    assert problems[0].path == path
    assert problems[0].line in {8, 10}
    assert "broken internal link" in problems[0].message
    assert reason in problems[0].message


def test_a_link_from_a_published_post_to_a_draft_is_reported(content: Path) -> None:
    write_post(
        content,
        "draft.md",
        """\
        Title: Not yet
        Date: 2024-06-01 09:00
        Summary: Unfinished.
        Status: draft

        Text.
        """,
    )
    write_post(content, "other-post.md", OTHER_POST + "\nSee [soon]({filename}draft.md).\n")
    (problem,) = check_content(content)
    assert "is a draft" in problem.message


def test_working_internal_links_and_other_sites_pass(content: Path) -> None:
    write_post(
        content,
        "other-post.md",
        OTHER_POST
        + dedent("""
        [Home](/), [archives](archives.html), [a footnote](#fn:1),
        [mail](mailto:editors@example.org), [category]({category}Methods),
        [author]({author}priya-raman), <a href="https://example.org/x">site</a>
        """),
    )
    assert problems_in(content) == []


def test_a_post_cannot_take_a_slug_the_site_uses(content: Path) -> None:
    write_post(
        content,
        "zz.md",
        """\
        Title: Archives
        Date: 2024-06-01 09:00
        Summary: Would overwrite the archives page.

        Text.
        """,
    )
    (problem,) = check_content(content)
    assert "reserved" in problem.message


def test_a_post_cannot_take_the_search_pages_slug(content: Path) -> None:
    write_post(
        content,
        "zz.md",
        """\
        Title: Would overwrite a page
        Date: 2024-06-01 09:00
        Slug: search
        Summary: Would overwrite the search page.

        Text.
        """,
    )
    (problem,) = check_content(content)
    assert problem.line == 3 and "slug 'search' is reserved" in problem.message


def test_a_toc_value_that_is_neither_on_nor_off_is_reported_at_its_line(content: Path) -> None:
    write_post(content, "other-post.md", OTHER_POST.replace("Summary:", "Toc: sometimes\nSummary:"))
    (problem,) = check_content(content)
    assert (problem.path.name, problem.line) == ("other-post.md", 4)
    assert problem.message == (
        "Toc: 'sometimes' is neither on nor off (write `Toc: on` or `Toc: off`)"
    )


def test_invoke_check_fails_and_names_file_and_line(content: Path, tmp_path: Path) -> None:
    write_post(content, "other-post.md", OTHER_POST + "\n![](x.png)\n")
    result = run_invoke("check", "--content", str(content), cwd=tmp_path)
    assert result.returncode == 1
    assert "posts/other-post.md:8: image without alt text" in result.stderr
    assert "posts/other-post.md:8: broken internal link x.png" in result.stderr
    assert "link images and files as {static}/images/..." in result.stderr
    assert "2 problem(s)" in result.stderr


def test_invoke_check_passes_on_the_real_content() -> None:
    result = run_invoke("check", cwd=ROOT)
    assert result.returncode == 0, result.stderr


def test_invoke_check_names_the_drafts_that_will_stay_unpublished(
    content: Path, tmp_path: Path
) -> None:
    clean = run_invoke("check", "--content", str(content), cwd=tmp_path)
    assert clean.returncode == 0, clean.stderr
    assert "ready to publish" in clean.stderr

    later = OTHER_POST.replace("Other post", "Later").replace("Methods", "Methods\nStatus: draft")
    write_post(content, "later.md", later)
    result = run_invoke("check", "--content", str(content), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "ready to publish" not in result.stderr
    assert "1 draft(s) stay unpublished" in result.stderr
    assert "posts/later.md" in result.stderr


@pytest.mark.parametrize("mistaken", ["--help", "-h"])
def test_new_post_takes_no_option_for_a_title(content: Path, mistaken: str) -> None:
    result = run_invoke("new-post", mistaken, "--content", str(content), cwd=content)
    assert result.returncode == 1
    assert "looks like an option, not a title" in result.stderr
    assert "invoke --help new-post" in result.stderr
    assert sorted(path.name for path in (content / "posts").iterdir()) == [
        "handover-rethought.md",
        "other-post.md",
    ]


def test_a_summary_whose_first_line_alone_was_replaced_is_still_a_placeholder(
    content: Path,
) -> None:
    created = run_invoke("new-post", "Half done", "--content", str(content), cwd=content)
    assert created.returncode == 0, created.stderr
    path = content / "posts" / "half-done.md"
    text = path.read_text()
    first_line = next(line for line in text.splitlines() if line.startswith("Summary: "))
    path.write_text(text.replace(first_line, "Summary: How one ward halved its waits."))
    assert "Summary is the placeholder" in " ".join(problems_in(content))


def test_new_post_scaffolds_a_draft_with_its_front_matter_filled_in(content: Path) -> None:
    result = run_invoke(
        "new-post",
        "Discharge before noon",
        "--category",
        "Improvement stories",
        "--tags",
        "discharge, flow",
        "--authors",
        "Owen Gallagher",
        "--content",
        str(content),
        cwd=content,
    )
    assert result.returncode == 0, result.stderr
    path = content / "posts" / "discharge-before-noon.md"
    front_matter = path.read_text().split("\n\n", 1)[0]
    fields = {line.split(":", 1)[0] for line in front_matter.splitlines() if ":" in line}
    assert {"Title", "Date", "Slug", "Category", "Tags", "Authors", "Summary", "Status"} <= fields
    assert "Status: draft" in front_matter
    assert "Category: Improvement stories" in front_matter


def test_a_scaffolded_draft_fails_the_check_until_its_placeholders_are_replaced(
    content: Path,
) -> None:
    scaffolded = run_invoke(
        "new-post",
        "Discharge before noon",
        "--authors",
        "Owen Gallagher",
        "--content",
        str(content),
        cwd=content,
    )
    assert scaffolded.returncode == 0, scaffolded.stderr
    path = content / "posts" / "discharge-before-noon.md"
    lines = path.read_text().splitlines()

    checked = run_invoke("check", "--content", str(content), cwd=content)
    assert checked.returncode == 1
    summary_line = next(n for n, line in enumerate(lines, 1) if line.startswith("Summary:"))
    assert f"posts/discharge-before-noon.md:{summary_line}: Summary is the placeholder" in (
        checked.stderr
    )
    body_start = lines.index("") + 1
    for number, line in enumerate(lines[body_start:], body_start + 1):
        if line.strip():
            assert f"posts/discharge-before-noon.md:{number}: placeholder text" in (
                checked.stderr
            ), line

    path.write_text(
        "\n".join(lines[: summary_line - 1])
        + "\nSummary: Patients went home before noon on two wards in March.\nStatus: draft\n\n"
        + "## What changed\n\nThe ward round started with the patients going home.\n"
    )
    rechecked = run_invoke("check", "--content", str(content), cwd=content)
    assert rechecked.returncode == 0, rechecked.stderr


@pytest.mark.parametrize(
    ("heading", "line"),
    [
        ("# Another title", 8),
        ("#Another title", 8),
        ("Another title\n=============", 8),
        ("Another title\n===", 8),
        ("<h1>Another title</h1>", 8),
    ],
)
def test_a_second_level_one_heading_is_reported_at_its_line(
    content: Path, heading: str, line: int
) -> None:
    path = write_post(content, "other-post.md", OTHER_POST + "\n" + heading + "\n\nText.\n")
    problems = check_content(content)
    assert [(problem.path, problem.line) for problem in problems] == [(path, line)]
    assert "level-1 heading" in problems[0].message
    assert "## " in problems[0].message


def test_headings_that_are_not_level_one_pass(content: Path) -> None:
    write_post(
        content,
        "other-post.md",
        OTHER_POST
        + dedent("""
        ## A section

        ### A smaller one

        A setext level-2 heading
        ------------------------

        A paragraph, then a rule:

        ===

        ```markdown
        # Not a heading: inside code
        Nor this
        ========
        ```

        Use `# Heading` for... no, use `## Heading`.
        """),
    )
    assert problems_in(content) == []


def test_new_post_never_overwrites_an_existing_post(content: Path) -> None:
    result = run_invoke("new-post", "Other post", "--content", str(content), cwd=content)
    assert result.returncode == 1
    assert "exists already" in result.stderr
    assert (content / "posts" / "other-post.md").read_text() == OTHER_POST
