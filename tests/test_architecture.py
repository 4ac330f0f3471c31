"""The package keeps the shape docs/architecture.md describes: stages that import only the
stages before them, no import circles, click only in the CLI, no module over 400 lines, and a
build from the cache that never loads the readers' heavy libraries.

Imports are read from the source with `ast`, including the ones inside functions and under
`TYPE_CHECKING`: a lazy import is still a dependency.
"""

from __future__ import annotations

import ast
import subprocess
import sys
import textwrap
from pathlib import Path

from .conftest import REPO

PACKAGE = REPO / "generator"
MAX_LINES = 400

# What each stage may import, besides itself. The order is the pipeline's:
# util < model < incremental, sources < readers, site, checks, output < build < commands < cli.
LOWER = {"util": set(), "model": {"util"}}
LOWER["incremental"] = {"model", "util"}
LOWER["sources"] = {"model", "util"}
LOWER["readers"] = {"sources", "incremental", "model", "util"}  # never the site stage
LOWER["site"] = {"sources", "incremental", "model", "util"}  # never a reader
LOWER["checks"] = {"sources", "incremental", "model", "util"}  # never the orchestrator
LOWER["output"] = {"incremental", "model", "util"}
STAGES = {"util", "model", "incremental", "sources", "readers", "site", "checks", "output"}
LOWER["build"] = set(STAGES)
LOWER["commands"] = {*STAGES, "build"}
LOWER["console"] = {"model"}
LOWER["cli"] = {*STAGES, "build", "commands", "console", "__init__"}
LOWER["__main__"] = {"cli"}
LOWER["__init__"] = {"build", "model"}
ONLY_IN = {"click": {"cli", "console"}}  # third-party packages only some stages may use


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def imports_of(name: str) -> list[tuple[str, int]]:
    """(imported module, line) for every import in the module, resolved to our modules or to
    the top-level name of a third-party package."""
    path = MODULES[name]
    tree = ast.parse(path.read_text("utf-8"), str(path))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: list[tuple[str, int]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[:len(base) - (node.level - 1)]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            if target == "generator" and [a.name for a in node.names] == ["__version__"]:
                continue  # the version number, the one thing every stage may read from the top
            for alias in node.names:  # `from . import x` imports the module x
                sub = f"{target}.{alias.name}"
                found.append((sub if sub in MODULES else target, node.lineno))
    return found


def stage_of(name: str) -> str:
    """The stage of one of our modules: its subpackage, or its own name at the top."""
    parts = name.split(".")
    return "__init__" if len(parts) == 1 else parts[1]


def graph() -> dict[str, set[str]]:
    return {name: {target for target, _ in imports_of(name) if target in MODULES
                   and target != name} for name in MODULES}


def test_no_import_circles() -> None:
    edges = graph()
    # A package's own __init__ runs before any of its modules: count that edge too, except
    # for the root package, whose lazy __getattr__ is the public API.
    for name in MODULES:
        parent = name.rpartition(".")[0]
        if parent and parent != "generator":
            edges[name].add(parent)
    cycles = _cycles(edges)
    assert cycles == [], "import circles: " + "; ".join(" -> ".join(c) for c in cycles)


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(edges.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def test_each_stage_imports_only_the_stages_before_it() -> None:
    broken = []
    for name in MODULES:
        stage = stage_of(name)
        allowed = LOWER[stage] | {stage}
        for target, line in imports_of(name):
            if target in MODULES:
                if stage_of(target) not in allowed:
                    broken.append(f"{MODULES[name].relative_to(REPO)}:{line}: {stage} may not "
                                  f"import {target}")
            else:
                top = target.split(".")[0]
                if top in ONLY_IN and stage not in ONLY_IN[top]:
                    broken.append(f"{MODULES[name].relative_to(REPO)}:{line}: only "
                                  f"{sorted(ONLY_IN[top])} may import {top}")
    assert broken == [], "\n".join(broken)


def test_every_stage_is_known() -> None:
    """A new subpackage must be given its place in the stage rules above."""
    assert {stage_of(name) for name in MODULES} <= set(LOWER)


def test_no_module_is_over_400_lines() -> None:
    long = {str(p.relative_to(REPO)): n for p in MODULES.values()
            if (n := len(p.read_text("utf-8").splitlines())) > MAX_LINES}
    assert long == {}, f"split these modules (over {MAX_LINES} lines): {long}"


def test_the_rules_catch_a_broken_import(tmp_path: Path) -> None:
    """The checker itself works: a site module importing a reader is caught."""
    fake = PACKAGE / "site" / "_arch_probe.py"
    fake.write_text("from ..readers.markdown import render_markdown\n", "utf-8")
    try:
        MODULES[module_name(fake)] = fake
        try:
            test_each_stage_imports_only_the_stages_before_it()
        except AssertionError as exc:
            assert "site may not import generator.readers.markdown" in str(exc)
        else:
            raise AssertionError("the stage rules did not catch site -> readers")
    finally:
        MODULES.pop(module_name(fake), None)
        fake.unlink()


def test_a_build_from_the_cache_imports_no_reader_library(tmp_path: Path) -> None:
    """When every document comes from the cache, neither markdown-it-py nor nbconvert is
    imported (they are most of a small rebuild's start-up): checked in a fresh process."""
    root = tmp_path / "site"
    files = {
        "portfolio.yml": "title: One\nurl: https://tester.github.io/repo/\n"
                         "author:\n  name: Tester\n",
        "content/posts/2024-01-02-hello.md": "---\ntitle: Hello\n---\nSome *text*.\n",
        "content/about.md": "# About\n\nMe.\n",
        "projects/nb.ipynb": '{"cells": [{"cell_type": "markdown", "id": "a", "metadata": {},'
                             ' "source": ["# A notebook\\n", "text"]}], "metadata": {},'
                             ' "nbformat": 4, "nbformat_minor": 5}',
    }
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, "utf-8")
    script = textwrap.dedent("""
        import sys
        from pathlib import Path
        from generator.build import build
        root = Path(sys.argv[1])
        if sys.argv[2] == "retitle":  # every page renders again; no document converts
            config = root / "portfolio.yml"
            config.write_text(config.read_text().replace("title: One", "title: Two"))
        report = build(root)
        heavy = sorted(m for m in ("markdown_it", "nbconvert", "nbformat", "mdit_py_plugins")
                       if m in sys.modules)
        print(report.rendered, report.cached, report.up_to_date, ",".join(heavy) or "-")
    """)

    def run(mode: str) -> list[str]:
        proc = subprocess.run([sys.executable, "-c", script, str(root), mode], cwd=REPO,
                              capture_output=True, text=True, timeout=120)
        assert proc.returncode == 0, proc.stderr
        return proc.stdout.split()

    first = run("cold")
    assert first[:2] == ["3", "0"]  # three documents converted
    again = run("retitle")
    assert again == ["0", "3", "False", "-"], again  # all from the cache, no reader imported
    assert "Two" in (root / "_site" / "index.html").read_text("utf-8")
