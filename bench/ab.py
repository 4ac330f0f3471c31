"""A/B: two checkouts of portfolio on the same corpus, alternating, in one run.

    git worktree add /tmp/before <rev>
    python bench/ab.py --before /tmp/before [--after .] [--rounds 5] [--size small]

Each round builds a fresh copy of the corpus with each checkout (cold), again with nothing
changed (no-op), after one post edit, and after one notebook edit; the order of the two
alternates every round. Prints the medians and the ratios after/before: the way to show a
change kept the speed on a machine whose absolute times drift.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def build(tree: Path, site: Path) -> float:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "generator", "build", "--quiet"], cwd=site,
                          env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"build with {tree} failed:\n{proc.stderr[-2000:]}")
    return time.perf_counter() - started


def edit_notebook(path: Path) -> None:
    book = json.loads(path.read_text("utf-8"))
    cell = next(c for c in book["cells"][1:] if c["cell_type"] == "markdown")
    source = cell["source"] if isinstance(cell["source"], list) else [cell["source"]]
    cell["source"] = ["Edited. ", *source]
    path.write_text(json.dumps(book), "utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", type=Path, required=True, help="a checkout to compare with")
    parser.add_argument("--after", type=Path, default=HERE.parent, help="default: this one")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--size", default="small", choices=("small", "large"))
    parser.add_argument("--drop-for-before", action="append", default=[], metavar="KEY",
                        help="remove this top-level key from portfolio.yml for the before "
                             "checkout (a key it does not know yet, e.g. search)")
    args = parser.parse_args()
    trees = {"before": args.before.resolve(), "after": args.after.resolve()}
    work = Path(tempfile.mkdtemp(prefix="portfolio-ab-"))
    try:
        corpus = work / "corpus"
        subprocess.run([sys.executable, str(HERE / "make_corpus.py"), "--size", args.size,
                        "--out", str(corpus)], check=True, capture_output=True)
        post = sorted((corpus / "content/posts").glob("*.md"))[0].name
        notebook = sorted((corpus / "projects").glob("*.ipynb"))[0].name
        times: dict[str, dict[str, list[float]]] = {
            name: {"cold": [], "no-op": [], "1 post": [], "1 notebook": []} for name in trees}
        for number in range(args.rounds):
            order = list(trees) if number % 2 == 0 else list(reversed(trees))
            for name in order:
                site = work / name
                shutil.rmtree(site, ignore_errors=True)
                shutil.copytree(corpus, site)
                if name == "before" and args.drop_for_before:
                    config = site / "portfolio.yml"
                    config.write_text("".join(
                        line for line in config.read_text("utf-8").splitlines(keepends=True)
                        if line.split(":", 1)[0].strip() not in args.drop_for_before), "utf-8")
                times[name]["cold"].append(build(trees[name], site))
                times[name]["no-op"].append(build(trees[name], site))
                with open(site / "content/posts" / post, "a", encoding="utf-8") as handle:
                    handle.write("\n\nOne more paragraph.\n")
                times[name]["1 post"].append(build(trees[name], site))
                edit_notebook(site / "projects" / notebook)
                times[name]["1 notebook"].append(build(trees[name], site))
            print(f"[ab] round {number + 1}/{args.rounds} done", file=sys.stderr)
        print(f"{args.size} corpus, median of {args.rounds} alternating rounds")
        print(f"{'':8}" + "".join(f"{phase:>12}" for phase in times["before"]))
        for name in trees:
            print(f"{name:8}" + "".join(f"{statistics.median(v):11.3f}s"
                                        for v in times[name].values()))
        print(f"{'ratio':8}" + "".join(
            f"{statistics.median(times['after'][p]) / statistics.median(v):12.3f}"
            for p, v in times["before"].items()))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
