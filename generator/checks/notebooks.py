"""Notebooks that will not run for a visitor who clicks "Open in Colab": not committed at the
branch the badge names, absolute local paths, cells never run or run out of order, errors left
in the outputs."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from ..model.config import Config
from ..model.documents import Document, Site
from ..model.errors import Diagnostic
from ..sources.nbfront import cell_text, cells_of, load_json
from ..util.git import GitMissing, run_git

_LOCAL_PATH = re.compile(r"""(?<![\w.])(/Users/[^\s'"]+|/home/[^\s'"]+|[A-Za-z]:\\\\?[^\s'"]+)""")


def notebook_findings(config: Config, site: Site, *, git: bool = True) -> list[Diagnostic]:
    """Notebooks that will not run for a visitor: not pushed, local paths, unexecuted, errors.

    `git`: check the badges' branch too (off for `portfolio check --no-git`)."""
    found: list[Diagnostic] = []
    notebooks = [d for d in site.documents if d.is_notebook]
    for doc in notebooks:
        rel = doc.source.rel_path
        try:
            nb = load_json(doc.source.abs_path.read_bytes(), rel)
        except Exception:  # the build reported it already
            continue
        counts: list[tuple[int, int]] = []
        unrun: list[int] = []
        for index, cell in enumerate(cells_of(nb), start=1):
            if not isinstance(cell, dict) or cell.get("cell_type") != "code":
                continue
            text = cell_text(cell) if "source" in cell else str(cell.get("input", ""))
            for offset, line in enumerate(text.splitlines(), start=1):
                match = _LOCAL_PATH.search(line)
                if match:
                    found.append(Diagnostic(f"cell {index}, line {offset}: absolute local path "
                                            f"{match[1]!r} will not exist on Colab", rel))
            count = cell.get("execution_count", cell.get("prompt_number"))
            if isinstance(count, int):
                counts.append((index, count))
            elif text.strip():
                unrun.append(index)
            tags = (cell.get("metadata") or {}).get("tags") or []
            for output in cell.get("outputs") or []:
                if isinstance(output, dict) and output.get("output_type") in ("error", "pyerr") \
                        and "raises-exception" not in tags:
                    found.append(Diagnostic(f"cell {index}: error output left in "
                                            f"({output.get('ename', 'Error')}: "
                                            f"{str(output.get('evalue', ''))[:60]})", rel))
        if unrun:
            listed = ", ".join(str(i) for i in unrun[:10])
            found.append(Diagnostic(f"{len(unrun)} code cell(s) never run (cells {listed}); "
                                    "run all cells and save", rel))
        for (a, ca), (b, cb) in zip(counts, counts[1:], strict=False):
            if cb <= ca:
                found.append(Diagnostic(f"cells ran out of order (cell {a} is [{ca}], cell {b} "
                                        f"is [{cb}]); restart the kernel and run all", rel))
                break
    if git and config.github.configured and notebooks:
        found += git_findings(config, notebooks)
    return found


def git_findings(config: Config, notebooks: list[Document]) -> list[Diagnostic]:
    """Each notebook a badge links to must be in git at the branch the badge names."""
    found: list[Diagnostic] = []
    trees: dict[str, dict[str, str] | None] = {}
    for doc in notebooks:
        if not doc.meta.badges or doc.meta.repo:
            continue  # no badge, or a notebook in another repository we cannot see
        branch = doc.meta.branch or config.github.branch
        if branch not in trees:
            trees[branch] = _ls_tree(config.root, branch)
            if trees[branch] is None:
                found.append(Diagnostic(f"branch '{branch}' not found in the git repository: "
                                        "the Open in Colab links will not work until it is "
                                        "pushed", "portfolio.yml"))
        tree = trees[branch]
        if tree is None:
            continue
        path = doc.meta.path or doc.source.rel_path
        rel = doc.source.rel_path
        if path not in tree:
            found.append(Diagnostic(f"not committed to '{branch}': Open in Colab will show "
                                    "'notebook not found' (git add, commit and push it)", rel))
            continue
        data = doc.source.abs_path.read_bytes()
        blob = hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()
        if not doc.meta.path and tree[path] != blob:
            found.append(Diagnostic(f"changed since the last commit on '{branch}': Colab "
                                    "opens the committed version", rel))
    return found


def _ls_tree(root: Path, branch: str) -> dict[str, str] | None:
    """{path: blob id} of `branch` (or `origin/branch`), paths from the repository root."""
    for ref in (branch, f"origin/{branch}"):
        try:
            proc = run_git(root, "ls-tree", "-r", "--full-tree", ref, timeout=60)
            if proc.returncode != 0:
                continue
            prefix = run_git(root, "rev-parse", "--show-prefix", timeout=60).stdout.strip()
        except GitMissing:
            return None
        tree = {}
        for line in proc.stdout.splitlines():
            meta, _, name = line.partition("\t")
            if name.startswith(prefix):
                tree[name[len(prefix):]] = meta.split()[-1]
        return tree
    return None


