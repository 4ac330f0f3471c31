"""The wheel carries the default theme (it lives outside the package in the repository)."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from .conftest import REPO
from .helpers_reliability import CONFIG, code_cell, make, md_cell, nb


@pytest.mark.slow
def test_wheel_contains_default_theme(tmp_path: Path):
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "-w", str(tmp_path), str(REPO)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    wheel = next(tmp_path.glob("notebook_portfolio-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    theme = REPO / "themes" / "default"
    expected = {"generator/themes/default/" + p.relative_to(theme).as_posix()
                for p in theme.rglob("*") if p.is_file() and "__pycache__" not in p.parts}
    assert expected and expected <= names
    assert "generator/cli.py" in names
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    assert "portfolio = generator.cli:main" in zipfile.ZipFile(wheel).read(entry_points).decode()


def test_default_theme_found_from_editable_install():
    from generator.site.themes import default_theme_dir

    assert (default_theme_dir() / "templates" / "base.html").is_file()


def test_distribution_name_home_page_and_footer_agree(tmp_path: Path):
    """`portfolio` on PyPI is somebody else's: the wheel is notebook-portfolio, its home page
    is [project.urls] Homepage, and every page's "Built with" links there."""
    try:
        import tomllib
    except ImportError:  # Python 3.10: hatchling (a test extra) brings tomli
        import tomli as tomllib  # type: ignore[no-redef]
    from bs4 import BeautifulSoup

    from generator import DISTRIBUTION, HOMEPAGE, __version__
    from generator.build import build

    project = tomllib.loads((REPO / "pyproject.toml").read_text("utf-8"))["project"]
    assert project["name"] == DISTRIBUTION == "notebook-portfolio"
    assert project["urls"]["Homepage"] == HOMEPAGE
    assert project["scripts"] == {"portfolio": "generator.cli:main"}
    from importlib import metadata

    assert metadata.version(DISTRIBUTION) == __version__  # the installed one is this checkout
    (tmp_path / "portfolio.yml").write_text("title: T\nurl: https://a.github.io/r/\n"
                                            "author:\n  name: A\n", "utf-8")
    (tmp_path / "content").mkdir()
    (tmp_path / "content/about.md").write_text("# About\n\nHi.\n", "utf-8")
    build(tmp_path)
    soup = BeautifulSoup((tmp_path / "_site/about/index.html").read_text("utf-8"), "html.parser")
    built_with = soup.select_one(".site-footer").find("a", string="portfolio")
    assert built_with is not None and built_with["href"] == HOMEPAGE


def test_release_workflow_publishes_with_trusted_publishing_only():
    import yaml

    wf = yaml.safe_load((REPO / ".github/workflows/release.yml").read_text("utf-8"))
    assert wf["permissions"] == {"contents": "read"}  # nothing writes but the publish job
    jobs = wf["jobs"]
    assert jobs["test"]["needs"] == "build" and jobs["publish"]["needs"] == "test"
    assert jobs["publish"]["permissions"] == {"id-token": "write"}
    assert jobs["publish"]["environment"]["name"] == "pypi"
    assert jobs["publish"]["steps"][-1]["uses"] == "pypa/gh-action-pypi-publish@release/v1"
    assert "password" not in str(jobs["publish"])  # no API token
    smoke = next(s for s in jobs["test"]["steps"] if "init smoke-site" in s.get("run", ""))
    assert "dist/*.whl" in smoke["run"] and "portfolio build --strict" in smoke["run"]


# -- issue 15, "Sanitising": nh3, not bleach; every imported package declared --------------------

PACKAGE = REPO / "generator"
# Imported by name at run time, and only when installed (each import is guarded): the extended
# Pagefind binary comes with `pagefind[extended]`, which a user may choose over `pagefind[bin]`.
OPTIONAL_AT_RUN_TIME = {"pagefind_bin_extended": "pagefind"}


def _project() -> dict:
    try:
        import tomllib
    except ImportError:  # Python 3.10: hatchling (a test extra) brings tomli
        import tomli as tomllib  # type: ignore[no-redef]
    return tomllib.loads((REPO / "pyproject.toml").read_text("utf-8"))["project"]


def _norm(name: str) -> str:
    import re

    return re.sub(r"[-_.]+", "-", name).lower()


class _Imports:
    """Top-level names imported under generator/, each with the files that import it: the
    `import` statements (at any depth, lazy ones included) and the names given as string
    literals to `importlib.import_module` / `__import__` (directly, or through a `for` loop
    over a tuple of literals). `required` are those imported at least once outside a
    `try: ... except ImportError` (the code cannot do without them)."""

    def __init__(self) -> None:
        import ast

        self.files: dict[str, set[str]] = {}
        self.required: set[str] = set()
        for path in sorted(PACKAGE.rglob("*.py")):
            rel = path.relative_to(REPO).as_posix()
            tree = ast.parse(path.read_text("utf-8"), rel)
            guarded = {id(inner) for node in ast.walk(tree) if isinstance(node, ast.Try)
                       and any(_catches_import_error(h.type) for h in node.handlers)
                       for statement in node.body for inner in ast.walk(statement)}
            loops: dict[str, list[str]] = {}  # loop variable -> the literals it runs over
            for node in ast.walk(tree):
                if isinstance(node, ast.For) and isinstance(node.target, ast.Name) and \
                        isinstance(node.iter, (ast.Tuple, ast.List)):
                    loops[node.target.id] = [e.value for e in node.iter.elts
                                             if isinstance(e, ast.Constant)]
            for node in ast.walk(tree):
                for name in self._names(node, loops, rel):
                    top = name.split(".")[0]
                    self.files.setdefault(top, set()).add(rel)
                    if id(node) not in guarded:
                        self.required.add(top)

    @staticmethod
    def _names(node: object, loops: dict[str, list[str]], rel: str) -> list[str]:
        import ast

        if isinstance(node, ast.Import):
            return [alias.name for alias in node.names]
        if isinstance(node, ast.ImportFrom):
            return [node.module] if node.level == 0 and node.module else []
        if isinstance(node, ast.Call) and node.args and (
                (isinstance(node.func, ast.Attribute) and node.func.attr == "import_module")
                or (isinstance(node.func, ast.Name) and node.func.id == "__import__")):
            arg = node.args[0]
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                return [arg.value]
            if isinstance(arg, ast.Name) and arg.id in loops:
                return loops[arg.id]
            raise AssertionError(f"{rel}:{node.lineno}: a dynamic import this test cannot "
                                 "read; name its modules in a literal")
        return []


def _catches_import_error(handler: object) -> bool:
    import ast

    names = handler.elts if isinstance(handler, ast.Tuple) else [handler]
    return any(isinstance(n, ast.Name) and n.id in ("ImportError", "ModuleNotFoundError")
               for n in names)


def _brought(specs: list[str]) -> set[str]:
    """The distributions (normalised names) that installing `specs` brings directly: each
    one, and what its requested extras add (pagefind[bin] brings pagefind-bin)."""
    from importlib import metadata

    from packaging.requirements import Requirement

    brought: set[str] = set()
    for spec in specs:
        req = Requirement(spec)
        brought.add(_norm(req.name))
        for extra in req.extras:
            try:
                requires = metadata.requires(req.name) or []
            except metadata.PackageNotFoundError:
                continue
            for sub in requires:
                sub_req = Requirement(sub)
                if sub_req.marker is not None and sub_req.marker.evaluate({"extra": extra}):
                    brought.add(_norm(sub_req.name))
    return brought


def test_sanitising_uses_nh3_and_every_imported_package_is_declared() -> None:
    """Issue 15, "Sanitising": bleach (end-of-life, undeclared) is gone from the code, nh3
    does the sanitising and is declared, and so is every third-party package the code
    imports (nbclient, jupyter_client, traitlets, markupsafe were imported but undeclared):
    in [project] dependencies, or, for an import the code can do without (guarded by
    `except ImportError`), at least in one of the user-facing extras."""
    from importlib import metadata

    imports = _Imports()
    assert "bleach" not in imports.files, imports.files.get("bleach")
    assert "generator/readers/sanitize.py" in imports.files.get("nh3", set())
    assert "nh3" in imports.required  # no silent fallback to something else
    project = _project()
    dependencies = _brought(project["dependencies"])
    extras = _brought([spec for name, specs in project.get("optional-dependencies", {}).items()
                       if name != "test" for spec in specs])  # test: only for developers
    assert "nh3" in dependencies and "bleach" not in dependencies

    provided = metadata.packages_distributions()  # import name -> installed distributions
    undeclared = {}
    for name, files in sorted(imports.files.items()):
        if name == "generator" or name in sys.stdlib_module_names:
            continue
        required = name in imports.required
        if name in provided:
            dists = {_norm(d) for d in provided[name]}
        else:
            assert not required, f"{name} (imported by {sorted(files)}) is not installed"
            dists = {_norm(OPTIONAL_AT_RUN_TIME.get(name, name))}
        if not dists & (dependencies if required else dependencies | extras):
            undeclared[name] = (sorted(dists), sorted(files))
    assert undeclared == {}, f"imported but not declared in pyproject.toml: {undeclared}"
    # the four the issue names, so a future refactor that stops importing them is noticed here
    # rather than by a user whose environment lacks one
    for name in ("nbclient", "jupyter_client", "traitlets", "markupsafe"):
        assert name in imports.required, name


def test_execute_extra_brings_ipykernel() -> None:
    """`pip install notebook-portfolio[execute]` brings a Python kernel for
    `notebooks: execute: true`, in the source and in the installed metadata alike."""
    from importlib import metadata

    from packaging.requirements import Requirement

    extras = _project()["optional-dependencies"]
    assert "execute" in extras
    assert "ipykernel" in {_norm(Requirement(spec).name) for spec in extras["execute"]}
    assert "ipykernel" not in {_norm(Requirement(spec).name)  # only for those who execute
                               for spec in _project()["dependencies"]}
    installed = metadata.metadata("notebook-portfolio")
    assert "execute" in (installed.get_all("Provides-Extra") or [])
    brought = [Requirement(r) for r in installed.get_all("Requires-Dist") or []]
    assert any(_norm(r.name) == "ipykernel" and r.marker is not None and
               r.marker.evaluate({"extra": "execute"}) for r in brought), brought


_HOSTILE_HTML = ("<script>alert(1)</script><b onmouseover='x()'>bold</b>"
                 "<img src=x onerror='y()'><table><tr><td>kept</td></tr></table>")


def _spy(monkeypatch: pytest.MonkeyPatch, module: object, name: str, calls: list[str]) -> None:
    """Replace `module.name(html, ...)` by one that notes `html`, then calls the real one."""
    real = getattr(module, name)

    def spy(html: str, *args: object, **kwargs: object) -> object:
        calls.append(html)
        return real(html, *args, **kwargs)

    monkeypatch.setattr(module, name, spy)


def _safe_notebook_build(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                         ) -> tuple[dict[str, list[str]], str]:
    """Build a site whose notebook is `safe: true` (untrusted), converting in this process so
    spies on `nh3.clean` and `bleach.clean` see every call; returns the calls and the page."""
    import nh3

    from generator.build import build
    from generator.readers import batch

    calls: dict[str, list[str]] = {"nh3": [], "bleach": []}
    _spy(monkeypatch, nh3, "clean", calls["nh3"])
    try:
        import bleach  # nbconvert's own dependency; the build must not need it
    except ImportError:
        pass
    else:
        _spy(monkeypatch, bleach, "clean", calls["bleach"])
    monkeypatch.setattr(batch._Conversions, "_start", lambda self, workers, notebooks: None)
    output = {"output_type": "display_data", "metadata": {},
              "data": {"text/html": _HOSTILE_HTML, "text/plain": "t"}}
    root = make(tmp_path / "s", {"projects/n.ipynb": nb(
        [md_cell("# N\n\nSome *text*."), code_cell("show()", [output])],
        metadata={"portfolio": {"safe": True}})}, CONFIG)
    build(root, out_dir=root / "_site", use_cache=False)
    return calls, (root / "_site/projects/n/index.html").read_text("utf-8")


def test_sanitising_untrusted_notebook_html_goes_through_nh3(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from bs4 import BeautifulSoup

    calls, page = _safe_notebook_build(tmp_path, monkeypatch)
    assert _HOSTILE_HTML in calls["nh3"]  # the untrusted output was handed to nh3
    main = BeautifulSoup(page, "html.parser").find("main")
    assert main is not None and main.find("script") is None
    assert not [tag for tag in main.find_all(True) if any(a.startswith("on") for a in tag.attrs)]
    assert main.find("td", string="kept") is not None and "bold" in main.get_text()


def test_sanitising_never_goes_through_bleach(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    calls, _ = _safe_notebook_build(tmp_path, monkeypatch)
    assert calls["nh3"] and calls["bleach"] == [], calls["bleach"][:3]
