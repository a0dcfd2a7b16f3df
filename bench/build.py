"""Build-speed benchmark: our theme, plugins and settings against Pelican's defaults.

    .venv/bin/python bench/build.py                # 1,000 generated posts, 3 rounds
    .venv/bin/python bench/build.py --posts 200 --rounds 1
    .venv/bin/python bench/build.py --profile ours # where the time goes (cProfile, top 30)

It generates N realistic posts (seeded, so every run builds the same text) into a temporary
folder, then builds them, each build in a fresh Python process:

- plain: Pelican's default theme and default settings, with TYPOGRIFY off;
- default: the same, with TYPOGRIFY on;
- ours: theme/, the plugins and pelicanconf.py (feeds on as in publishconf.py), TYPOGRIFY on;
- read-cache: ours with the read_cache plugin (Markdown and typogrify output cached by content,
  the first build read in a process per CPU), from an empty cache and from a warm one.

It prints the wall time (median of the rounds), HTML pages per second, peak memory of the
build process (the pool's workers are not counted), and the ratios to stock Pelican with
typogrify off and on. Then it times a rebuild after one post changes: with Pelican's content
cache (CACHE_CONTENT, LOAD_CONTENT_CACHE) for stock and ours, with the plugin for read-cache.
"""

from __future__ import annotations

import argparse
import os
import random
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


def child(variant: str, content: Path, output: Path, cache: Path | None, profile: bool) -> None:
    """Runs in the fresh process: one build, nothing else."""
    from pelican import Pelican

    settings = settings_for(variant, content, output, cache)
    if not profile:
        Pelican(settings).run()
        return
    import cProfile
    import pstats

    profiler = cProfile.Profile()
    profiler.runcall(lambda: Pelican(settings).run())
    pstats.Stats(profiler, stream=sys.stderr).sort_stats("cumulative").print_stats(30)
    pstats.Stats(profiler, stream=sys.stderr).sort_stats("tottime").print_stats(20)


@dataclass
class Run:
    seconds: float
    peak_mib: float
    pages: int


def timed_build(variant: str, content: Path, output: Path, cache: Path | None = None) -> Run:
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
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=ROOT)
    # wait4 gives this child's own resource usage (ru_maxrss in KiB on Linux).
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    errors = process.stderr.read().decode() if process.stderr else ""
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        sys.exit(f"the {variant} build failed:\n{errors}")
    pages = sum(1 for _ in output.rglob("*.html"))
    return Run(seconds, usage.ru_maxrss / 1024, pages)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=1000, help="posts to generate (1000)")
    parser.add_argument("--rounds", type=int, default=3, help="builds of each variant (3)")
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--profile", choices=VARIANTS, help="profile one build")
    parser.add_argument("--child", choices=VARIANTS, help=argparse.SUPPRESS)
    parser.add_argument("--content", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--output", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--cache", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--profiling", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.content, args.output, args.cache, args.profiling)
        return

    with tempfile.TemporaryDirectory(prefix="bench-build-") as temporary:
        folder = Path(temporary)
        content = folder / "content"
        generate_content(content, args.posts, args.seed)
        if args.profile:
            subprocess.run(
                [
                    sys.executable,
                    __file__,
                    "--child",
                    args.profile,
                    "--content",
                    str(content),
                    "--output",
                    str(folder / "out"),
                    "--profiling",
                ],
                cwd=ROOT,
                check=True,
                stdout=subprocess.DEVNULL,
            )
            return
        print(
            f"{args.posts} posts (seed {args.seed}), {args.rounds} round(s), "
            f"Python {sys.version.split()[0]}, {os.cpu_count()} CPU(s)"
        )
        runs: dict[str, list[Run]] = {variant: [] for variant in VARIANTS}
        for round_number in range(args.rounds):
            for variant in VARIANTS:
                # The read cache's first build of the content: an empty cache every round.
                cold = folder / f"read-cache-cold-{round_number}"
                cache = cold if variant == "read-cache" else None
                output = folder / f"out-{variant}-{round_number}"
                runs[variant].append(timed_build(variant, content, output, cache))
                shutil.rmtree(output)
        warm_cache = folder / "read-cache-warm"
        timed_build("read-cache", content, folder / "warm-fill", warm_cache)
        runs["read-cache warm"] = []
        for round_number in range(args.rounds):
            output = folder / f"out-warm-{round_number}"
            runs["read-cache warm"].append(timed_build("read-cache", content, output, warm_cache))
            shutil.rmtree(output)
        names = {
            "plain": "stock, typogrify off",
            "default": "stock + typogrify",
            "ours": "ours",
            "read-cache": "ours, read cache cold",
            "read-cache warm": "ours, read cache warm",
        }
        print(
            f"\n{'full build':<24}{'wall s':>9}{'pages':>8}{'pages/s':>10}{'peak MiB':>10}"
            f"{'/ plain':>9}{'/ stock':>9}"
        )
        medians = {
            variant: statistics.median(run.seconds for run in results)
            for variant, results in runs.items()
        }
        for variant, results in runs.items():
            seconds = medians[variant]
            peak = max(run.peak_mib for run in results)
            pages = results[0].pages
            print(
                f"{names[variant]:<24}{seconds:>9.2f}{pages:>8}{pages / seconds:>10.1f}"
                f"{peak:>10.0f}{seconds / medians['plain']:>9.2f}"
                f"{seconds / medians['default']:>9.2f}"
            )
        print("goal: ours (cold read cache) <= 1.00 x stock with typogrify off")

        print(f"\n{'one post changes':<24}{'first build s':>14}{'rebuild s':>11}{'peak MiB':>10}")
        for variant in ("default", "ours", "read-cache"):
            cache = folder / f"cache-{variant}"
            output = folder / f"cached-{variant}"
            first = timed_build(variant, content, output, cache)
            changed = content / "posts" / f"post-{args.posts // 2:04d}.md"
            original = changed.read_text()
            changed.write_text(original + "\nOne more paragraph, added after publishing.\n")
            again = timed_build(variant, content, output, cache)
            changed.write_text(original)
            label = names[variant] if variant != "read-cache" else "ours, read cache"
            print(f"{label:<24}{first.seconds:>14.2f}{again.seconds:>11.2f}{again.peak_mib:>10.0f}")
        print("(default and ours use Pelican's content cache; ours, read cache uses the plugin)")


if __name__ == "__main__":
    main()
