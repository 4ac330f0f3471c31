"""Build whole folders of real notebooks, as learners copy them, as multi-notebook projects.

Published collections of notebooks that PyPI sdists carry (statsmodels' examples, DoWhy's
example notebooks, with their sub-folders and images) are downloaded into a temporary folder
(never into the repository), each copied with its folder structure to `projects/NAME/`, and
built with `keep_going=True`. The report says what a learner would check:

- pages built (chapters and overviews), and errors, each of which must be a clean one naming
  its file (an exception that is not a `PortfolioError` is a bug: exit status 1);
- section links between chapters (`other.ipynb#Some-Heading`, rewritten to the other
  chapter's page) and within a page: how many resolve to an element with that id;
- summaries on the overview's chapter list and in meta descriptions that glue two sentences
  together ("this process.This section"): there should be none.

    python bench/wild_folders.py [--cache DIR] [--keep DIR]
"""

from __future__ import annotations

import argparse
import collections
import json
import re
import sys
import tarfile
import tempfile
import time
import traceback
import urllib.parse
import urllib.request
from pathlib import Path, PurePosixPath

# (sdist, the folder in it that holds the notebooks, the project's folder name)
BOOKS = [
    ("statsmodels", "examples/notebooks", "statsmodels-examples"),
    ("dowhy", "docs/source/example_notebooks", "dowhy-examples"),
]

CONFIG = """\
title: Folders from the wild
url: https://tester.github.io/wild/
author:
  name: Bench
github:
  owner: tester
  repo: wild
  branch: main
"""

# "process.This", never "e.g.", "3.14" or "local_proj.LocalProjections"
GLUED = re.compile(r"(?:^|\s)[A-Za-z]+[.!?][A-Z][a-z]+")


def fetch_sdist(name: str, cache: Path) -> Path:
    """The newest sdist of `name`, from PyPI's JSON API (pip's sdist download would build the
    package's metadata, which some of these cannot do without their build dependencies)."""
    cache.mkdir(parents=True, exist_ok=True)
    api = f"https://pypi.org/pypi/{name}/json"
    with urllib.request.urlopen(api, timeout=60) as response:
        release = json.load(response)
    [sdist] = [u for u in release["urls"] if u["packagetype"] == "sdist"][:1]
    target = cache / sdist["filename"]
    if not target.is_file():
        url = urllib.parse.urljoin(api, sdist["url"])  # a mirror may answer with a relative URL
        with urllib.request.urlopen(url, timeout=300) as response:
            target.write_bytes(response.read())
    return target


def copy_folder(archive: Path, inner: str, project: Path) -> int:
    """Copy `inner/` of the sdist (notebooks, and the images and data beside them) to
    `project/`, keeping sub-folders; returns the number of notebooks."""
    count = 0
    with tarfile.open(archive) as tf:
        for member in tf.getmembers():
            path = PurePosixPath(member.name)
            rel = PurePosixPath(*path.parts[1:])
            if not member.isfile() or not str(rel).startswith(inner + "/"):
                continue
            parts = PurePosixPath(str(rel)[len(inner) + 1:]).parts
            if any(p.startswith((".", "_")) for p in parts) or member.size > 20_000_000:
                continue
            target = project.joinpath(*parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            extracted = tf.extractfile(member)
            assert extracted is not None
            target.write_bytes(extracted.read())
            count += target.suffix == ".ipynb"
    return count


def section_links(out: Path, base: str) -> tuple[collections.Counter, list[str]]:
    """Count fragment links between and within chapter pages, and which of them resolve."""
    from bs4 import BeautifulSoup

    ids: dict[str, set[str]] = {}
    links: list[tuple[str, str, str]] = []  # (page, target page, fragment)
    for page in sorted(out.glob("projects/*/**/index.html")):
        rel = page.parent.relative_to(out).as_posix() + "/"
        soup = BeautifulSoup(page.read_text("utf-8"), "html.parser")
        ids[rel] = {str(t["id"]) for t in soup.find_all(id=True)}
        ids[rel] |= {str(t["name"]) for t in soup.find_all("a", attrs={"name": True})}
        body = soup.select_one("main") or soup
        for a in body.select("a[href*='#']"):
            href = str(a["href"])
            path, _, fragment = href.partition("#")
            if not fragment or path.startswith(("http:", "https:")):
                continue
            if not path:
                target = rel
            elif path.startswith(base):
                target = path[len(base):]
            else:
                continue
            links.append((rel, target, urllib.parse.unquote(fragment)))
    counts: collections.Counter = collections.Counter()
    broken = []
    for page, target, fragment in links:
        kind = "within a page" if page == target else "between chapters"
        ok = fragment in ids.get(target, set())
        counts[(kind, ok)] += 1
        if not ok and len(broken) < 8:
            broken.append(f"{page} -> {target}#{fragment}")
    return counts, broken


def glued_summaries(out: Path, sources: str) -> tuple[int, list[str]]:
    """Chapter-list summaries and meta descriptions that glue sentences; (checked, glued).
    A glue already in the notebooks' own text (`sources`) is the author's typo, not ours."""
    from bs4 import BeautifulSoup

    checked, glued = 0, []
    for page in sorted(out.glob("projects/**/index.html")):
        soup = BeautifulSoup(page.read_text("utf-8"), "html.parser")
        texts = [p.get_text(" ", strip=True) for p in soup.select(".chapter-list .summary")]
        meta = soup.find("meta", attrs={"name": "description"})
        if meta is not None:
            texts.append(str(meta.get("content", "")))
        for text in texts:
            checked += 1
            match = GLUED.search(text)
            if match and match[0].strip() not in sources:
                around = text[max(0, match.start() - 30):match.end() + 20]
                glued.append(f"{page.parent.relative_to(out)}: …{around}…")
    return checked, glued


def run(site: Path) -> int:
    from generator.build import build
    from generator.model.errors import PortfolioError

    (site / "portfolio.yml").write_text(CONFIG, "utf-8")
    started = time.monotonic()
    try:
        report = build(site, out_dir=site / "_site", keep_going=True)
        failed = list(report.failed)
        diagnostics = list(report.diagnostics)
    except PortfolioError as exc:
        failed, diagnostics = list(getattr(exc, "errors", [exc])), []
    except Exception:
        print("TRACEBACK (a bug):")
        traceback.print_exc()
        return 1
    seconds = time.monotonic() - started
    out = site / "_site"
    for _, _, name in BOOKS:
        notebooks = len(list((site / "projects" / name).rglob("*.ipynb")))
        pages = len(list((out / "projects" / name).glob("**/index.html")))
        print(f"{name}: {notebooks} notebooks; {pages} pages (chapters + overview)")
    print(f"built in {seconds:.1f} s; errors: {len(failed)}")
    for err in failed[:10]:
        print(f"  {err}")
    unnamed = [e for e in failed if not getattr(e, "path", None)]
    notes = collections.Counter(re.sub(r"'[^']*'|\d+", "…", d.message)[:80] for d in diagnostics)
    print(f"warnings: {sum(notes.values())}")
    for message, n in notes.most_common(8):
        print(f"  {n:4d} × {message}")
    counts, broken = section_links(out, "/wild/")
    for kind in ("between chapters", "within a page"):
        good, bad = counts[(kind, True)], counts[(kind, False)]
        print(f"section links {kind}: {good} resolve, {bad} do not")
    for line in broken:
        print(f"  unresolved: {line}")
    sources = "".join(p.read_text("utf-8", "replace") for p in site.rglob("*.ipynb"))
    checked, glued = glued_summaries(out, sources)
    print(f"summaries checked: {checked}; glued sentences: {len(glued)}")
    for line in glued[:5]:
        print(f"  {line}")
    return 1 if unnamed else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cache", type=Path, help="keep downloaded sdists here")
    parser.add_argument("--keep", type=Path, help="build the site here and keep it")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="wild-folders-") as tmp:
        cache = args.cache or Path(tmp) / "sdists"
        site = args.keep or Path(tmp) / "site"
        for package, inner, name in BOOKS:
            try:
                archive = fetch_sdist(package, cache)
            except OSError as exc:
                print(f"could not download {package}: {exc}")
                continue
            count = copy_folder(archive, inner, site / "projects" / name)
            print(f"{archive.name}: {count} notebooks from {inner}/")
        return run(site)


if __name__ == "__main__":
    sys.exit(main())
