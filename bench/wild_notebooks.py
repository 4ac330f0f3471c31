"""Build a site from a few hundred real notebooks that nobody on the team wrote.

The Jupyter ecosystem's own packages ship notebooks in their sdists (test fixtures, docs,
examples). This script downloads those sdists with pip into a temporary folder (never into the
repo), copies every `.ipynb` into a fresh site's `projects/`, builds it with
`keep_going=True`, and reports how many rendered, how many gave a clean error (grouped by
message), and any exception that was not a `PortfolioError` (a bug).

    python bench/wild_notebooks.py [--cache DIR] [--keep DIR]

Exit status 1 if any notebook produced a traceback instead of a clean error.
"""

from __future__ import annotations

import argparse
import collections
import re
import subprocess
import sys
import tarfile
import tempfile
import time
import traceback
import zipfile
from pathlib import Path

# sdists that ship many notebooks (counted when this script was written)
PACKAGES = [
    "nbconvert", "nbconvert==5.6.1", "nbclient", "nbformat", "jupytext", "papermill",
    "nbsphinx", "nbval", "nbmake", "nbstripout", "mkdocs-jupyter", "pelican-jupyter",
    "ipython==7.34.0", "hvplot",
]

CONFIG = """\
title: Notebooks from the wild
url: https://tester.github.io/wild/
author:
  name: Bench
"""


def download(packages: list[str], dest: Path) -> list[Path]:
    """`pip download --no-deps --no-binary :all:` each package; failures are reported, skipped."""
    dest.mkdir(parents=True, exist_ok=True)
    for spec in packages:
        name = re.split(r"[=<>]", spec)[0].replace("-", "_").lower()
        version = spec.split("==")[1] if "==" in spec else ""
        have = [p for p in dest.iterdir() if p.name.lower().replace("-", "_").startswith(
            f"{name}_{version}")]
        if have:
            continue
        done = subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps",
                               "--no-binary", ":all:", "-q", "-d", str(dest), spec],
                              capture_output=True, text=True)
        if done.returncode:
            print(f"  could not download {spec}: {done.stderr.strip().splitlines()[-1:]}")
    return sorted(p for p in dest.iterdir() if p.suffix in (".gz", ".zip"))


def extract_notebooks(archives: list[Path], projects: Path) -> int:
    """Copy every `.ipynb` member into `projects/<archive>/<path>`; returns how many."""
    count = 0
    for archive in archives:
        stem = re.sub(r"\.(tar\.gz|zip)$", "", archive.name)
        if archive.name.endswith(".zip"):
            with zipfile.ZipFile(archive) as zf:
                members = [(n, zf.read(n)) for n in zf.namelist() if n.endswith(".ipynb")]
        else:
            with tarfile.open(archive) as tf:
                members = [(m.name, tf.extractfile(m).read()) for m in tf.getmembers()
                           if m.isfile() and m.name.endswith(".ipynb")]
        for name, data in members:
            # `_build`, `_static`... are ignored by discovery (as drafts are): rename them
            parts = [re.sub(r"^_+", "u", p) for p in Path(name).parts[1:]
                     if not p.startswith(".")]
            if not parts or "_drafts" in parts or ".ipynb_checkpoints" in name:
                continue
            # a unique file name: slugs come from it, and fixtures share names across packages
            parts[-1] = f"{count:04d}-{parts[-1]}"
            target = projects / stem / Path(*parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
            count += 1
    return count


def run(site: Path) -> int:
    from generator.build import RecordingReporter, build
    from generator.model.errors import PortfolioError

    (site / "portfolio.yml").write_text(CONFIG, "utf-8")
    reporter = RecordingReporter()
    started = time.monotonic()
    try:
        report = build(site, out_dir=site / "_site", keep_going=True, reporter=reporter)
        failed = list(report.failed)
    except PortfolioError as exc:  # BuildFailed still lists what failed
        failed = list(getattr(exc, "errors", [exc]))
        report = None
    except Exception:
        print("TRACEBACK (a bug):")
        traceback.print_exc()
        return 1
    seconds = time.monotonic() - started
    total = len(list(site.glob("projects/**/*.ipynb")))
    failed_paths = {str(e.path) for e in failed}
    groups: dict[str, list[str]] = collections.defaultdict(list)
    for err in failed:
        key = re.sub(r"'[^']*'|\"[^\"]*\"|\d+", "…", err.message)[:90]
        groups[key].append(str(err.path))
    traces = [e for e in failed if "nbconvert failed" in e.message]
    pages = len(list((site / "_site").glob("projects/*/**/index.html")))  # not the gallery
    print(f"notebooks: {total}; rendered (pages written): {pages}; clean errors: "
          f"{len(failed_paths)}; {seconds:.1f} s")
    for key, paths in sorted(groups.items(), key=lambda kv: -len(kv[1])):
        print(f"  {len(paths):4d} × {key}")
        for path in paths[:3]:
            print(f"         {path}")
    diags = collections.Counter(re.sub(r"'[^']*'|\d+", "…", d.message)[:80]
                                for d in (report.diagnostics if report else []))
    print(f"warnings: {sum(diags.values())}")
    for message, n in diags.most_common(8):
        print(f"  {n:4d} × {message}")
    if traces:
        print(f"{len(traces)} notebook(s) hit an unexpected exception inside nbconvert:")
        for err in traces[:10]:
            print(f"  {err.path}: {err.message[:160]}")
    return 1 if traces else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cache", type=Path, help="keep downloaded sdists here")
    parser.add_argument("--keep", type=Path, help="build the site here and keep it")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="wild-notebooks-") as tmp:
        cache = args.cache or Path(tmp) / "sdists"
        site = args.keep or Path(tmp) / "site"
        archives = download(PACKAGES, cache)
        count = extract_notebooks(archives, site / "projects")
        print(f"{len(archives)} sdists, {count} notebooks extracted")
        return run(site)


if __name__ == "__main__":
    sys.exit(main())
