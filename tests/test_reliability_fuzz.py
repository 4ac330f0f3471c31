"""Property tests (issue 15): generated front matter, Markdown, notebook JSON and config.

For every input the build exits 0 or 1 (a good build or a `PortfolioError`), never shows a
traceback or an internal error, names the file on error, leaves the previous output folder
byte-identical when it fails, and writes nothing outside the output folder (and the site's own
`.portfolio/` state). One site serves all of a test's examples, built in this process, so
each example costs a small incremental build (~40 ms), not a cold start: `max_examples`,
never a timer, bounds the run (2,300 examples in all, under two minutes on two cores).
"""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from generator.build import build
from generator.model.errors import BuildFailed, PortfolioError, UsageError, format_error

from .helpers_reliability import CONFIG, code_cell, digest, leftovers, make, md_cell, nb


def _settings(examples: int) -> settings:
    return settings(max_examples=examples, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.function_scoped_fixture])


_CONFIG = CONFIG + "search: false\n"  # Pagefind's index is not what is fuzzed here
_OK_POST = "---\ntitle: OK\ndate: 2024-01-01\n---\nfine\n"
_INTERNAL = ("could not convert this file", "internal error", "bug in portfolio", "Traceback")


class _Site:
    """A site whose fuzzed files are rewritten for each example, then built and checked.

    The site sits three folders down, so a write that escapes by `../` lands where the check
    of everything outside the output folder sees it."""

    def __init__(self, tmp: Path, capture: pytest.CaptureFixture[str], config: str = _CONFIG,
                 files: dict[str, str | bytes] | None = None) -> None:
        self.tmp, self.capture = tmp, capture
        self.root = make(tmp / "a/b/s", {"content/posts/ok.md": _OK_POST, **(files or {})},
                         config)
        self.out = tmp / "a/b/out"
        self.config = config
        self.fuzzed: set[str] = set()
        build(self.root, out_dir=self.out)  # the good previous site every failure must keep

    def _outside(self) -> dict[str, tuple[int, int]]:
        """Size and mtime of every file but the output's and the site's build state."""
        found = {}
        for folder, dirs, names in os.walk(self.tmp):
            if folder == str(self.root):
                dirs[:] = [d for d in dirs if d != ".portfolio"]
            elif folder == str(self.out.parent):
                dirs[:] = [d for d in dirs if d != self.out.name]
            for name in names:
                stat = os.lstat(os.path.join(folder, name))
                found[os.path.join(folder, name)] = (stat.st_size, stat.st_mtime_ns)
        return found

    def check(self, files: dict[str, str | bytes], config: str | None = None) -> str:
        """Build with `files` (and `config`): 'ok', or 'error: ' and its class; or fail."""
        for rel in self.fuzzed - set(files):
            (self.root / rel).unlink()
        self.fuzzed = set(files)
        make(self.root, files, None)
        (self.root / "portfolio.yml").write_text(config or self.config, "utf-8")
        before, outside = digest(self.out), self._outside()
        self.capture.readouterr()
        try:
            build(self.root, out_dir=self.out)
            outcome = "ok"
        except PortfolioError as exc:
            assert not isinstance(exc, UsageError), exc  # exit code 2 is for the CLI's misuse
            errors = exc.errors if isinstance(exc, BuildFailed) else [exc]
            for error in errors:
                text = format_error(error)
                assert not any(word in text for word in _INTERNAL), text
                named = (error.path or "").split(" (cell ")[0]  # notebook front matter's cell
                assert named in {*files, "portfolio.yml"}, text  # names the file it is about
            assert digest(self.out) == before, "a failed build changed the previous site"
            outcome = f"error: {type(errors[0]).__name__}"
        else:
            assert (self.out / "index.html").is_file()
        assert self._outside() == outside, "the build wrote outside the output folder"
        assert leftovers(self.out.parent) == []
        printed = self.capture.readouterr()  # this process, the workers and the forked checks
        assert "Traceback" not in printed.out + printed.err, printed
        event(outcome)  # --hypothesis-show-statistics: how many built, how many failed
        return outcome


@pytest.fixture
def site(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> _Site:
    return _Site(tmp_path, capfd)


@pytest.fixture
def nb_site(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> _Site:
    """With nbconvert loaded, one notebook converts in this process, not in a pool started for
    it. IPython's lexers are loaded too: importing them (through jedi) raises the recursion
    limit, which Hypothesis would warn about if it happened during an example."""
    import nbconvert  # noqa: F401

    with contextlib.suppress(ImportError):
        import IPython.lib.lexers  # noqa: F401

    ok = nb([md_cell("# OK"), code_cell("print(1)")])
    return _Site(tmp_path, capfd, files={"projects/ok.ipynb": ok})


_YAML_BITS = ["title: ", "date: ", "tags: ", "slug: ", "draft: ", "summary: ", "image: ",
              "[", "]", "{", "}", ":", "- ", "'", '"', "&a ", "*a", "!!python/object ", "\n",
              "  ", "\t", "2024-13-45", "2024-01-01", "NO", "0123", "null", "~", "---", "...",
              "#", "|", ">", "%YAML 1.1", "\ufeff", "\x00", "é", "<script>", "../../x",
              "title: again\n", "[[[[[[[[", "9" * 400 + "\n", "? ", "!!binary ", "<<: "]


_PRINTABLE = st.characters(blacklist_categories=("Cs", "Cc"))


@_settings(400)
@given(st.lists(st.sampled_from(_YAML_BITS) | st.text(_PRINTABLE, max_size=8), max_size=25))
def test_fuzz_front_matter(site: _Site, pieces: list[str]) -> None:
    body = "title: T\ndate: 2024-01-01\n" + "".join(pieces)  # valid until mutated
    site.check({"content/posts/x.md": f"---\n{body}\n---\n\nHello.\n"})


@_settings(300)
@given(meta=st.dictionaries(st.sampled_from(["title", "date", "tags", "slug", "draft", "summary",
                                        "image", "demo", "repo", "safe", "order", "updated",
                                        "featured", "toc", "badges", "tilte", "permalink"]),
                       st.recursive(st.none() | st.booleans() | st.integers() | st.floats()
                                    | st.text(max_size=20) | st.dates().map(str),
                                    lambda inner: st.lists(inner, max_size=3)
                                    | st.dictionaries(st.text(max_size=5), inner, max_size=3),
                                    max_leaves=6), max_size=8))
def test_fuzz_front_matter_values(site: _Site, meta: dict) -> None:
    text = "---\n" + json.dumps(meta) + "\n---\nbody\n"  # JSON is YAML: every type reaches us
    site.check({"content/posts/x.md": text})


_BASE_NB = json.loads(nb([md_cell("---\ntitle: Fuzz\n---"), md_cell("# Heading\n\ntext"),
                          code_cell("print(1)", [{"output_type": "stream", "name": "stdout",
                                                  "text": "1\n"}]),
                          code_cell("x", [{"output_type": "execute_result", "execution_count": 2,
                                           "metadata": {}, "data": {"text/plain": "2",
                                                                    "text/html": "<b>2</b>"}}])]))
_JSONISH = st.recursive(st.none() | st.booleans() | st.integers(-3, 5) | st.text(max_size=6),
                        lambda inner: st.lists(inner, max_size=3)
                        | st.dictionaries(st.text(max_size=6), inner, max_size=3), max_leaves=5)


def _paths(value: object, prefix: tuple = ()) -> list[tuple]:
    out = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            out += _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            out += _paths(item, (*prefix, index))
    return out


@_settings(400)
@given(data=st.data())
def test_fuzz_notebook_json(nb_site: _Site, data: st.DataObject) -> None:
    doc = json.loads(json.dumps(_BASE_NB))
    for _ in range(data.draw(st.integers(0, 3))):
        paths = _paths(doc)
        where = data.draw(st.sampled_from(paths[1:]))
        parent = doc
        for key in where[:-1]:
            parent = parent[key]
        action = data.draw(st.sampled_from(["replace", "delete", "retype"]))
        if action == "delete":
            del parent[where[-1]]
        elif action == "replace":
            parent[where[-1]] = data.draw(_JSONISH)
        else:
            old = parent[where[-1]]
            parent[where[-1]] = [old] if not isinstance(old, list) else {"x": old}
    text = json.dumps(doc)
    truncate = data.draw(st.sampled_from([False, False, False, True]))
    raw = text[:data.draw(st.integers(0, len(text)))] if truncate else text
    nb_site.check({"projects/n.ipynb": raw})


# -- Markdown bodies ---------------------------------------------------------------------------

_MD_BITS = ["# ", "## ", "\n", "\n\n", "- ", "1. ", "> ", "> [!NOTE]\n", "```", "```python\n",
            "~~~", "    ", "*", "**", "_", "`", "[", "]", "(", ")", "![", "](", "http://x/",
            "javascript:alert(1)", "../../etc/passwd", "ok.md", "posts/ok.md", "#a", "<div>",
            "</div>", "<script>", "<!--", "-->", '<a href="', '">', "<img src=x onerror=y>",
            '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">', "$$", "$",
            "\\(", "|", "|---|", "{%", "%}", "{{", "}}", "{% raw %}", "{% include x.html %}",
            "{% highlight python %}", "{% endhighlight %}", "{{ site.baseurl }}", "[^1]",
            "[^1]: ", "&#106;", "&", "<", ">", "\t", "\x00", "\ufeff", "é", "🙂", "---", "***",
            "<details>", "</details>", ":::", "```{note}\n", "[[", "]]", "\r\n", "\r",
            "[x]: javascript:y\n", "<https://x>", "![](data:image/png;base64,AAAA)", "%}}"]
_MD = st.lists(st.sampled_from(_MD_BITS) | st.text(_PRINTABLE, max_size=6), max_size=30)


@_settings(300)
@given(pieces=_MD)
def test_fuzz_markdown_body(site: _Site, pieces: list[str]) -> None:
    body = "".join(pieces)
    site.check({"content/posts/x.md": f"---\ntitle: T\ndate: 2024-01-01\n---\n{body}\n",
                "content/about.md": body})  # a page, with no front matter at all


# -- notebooks made from nothing -----------------------------------------------------------------

_TEXTISH = st.sampled_from(_MD_BITS) | st.text(_PRINTABLE, max_size=10)
_SOURCE = st.lists(_TEXTISH, max_size=5).map("".join)
_SOURCE_FIELD = _SOURCE | st.lists(_TEXTISH, max_size=4)  # a string, or its lines as a list
_PNG = ("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJ"
        "RU5ErkJggg==")
_MIME = {
    "text/plain": _SOURCE_FIELD,
    "text/html": st.sampled_from(["<b>x</b>", "<script>alert(1)</script>", "<table>", ""])
    | _SOURCE,
    "text/markdown": _SOURCE,
    "text/latex": st.sampled_from(["$x^2$", "\\begin{align}", "$$", ""]),
    "image/png": st.sampled_from([_PNG, "not base64!", "", _PNG[:20]]),
    "image/jpeg": st.sampled_from(["/9j/", "", "%%%"]),
    "image/svg+xml": st.sampled_from(['<svg xmlns="http://www.w3.org/2000/svg"/>',
                                      "<svg onload=alert(1)>", "<svg", ""]),
    "application/json": _JSONISH,
    "application/javascript": st.just("alert(1)"),
    "application/vnd.jupyter.widget-view+json": st.fixed_dictionaries(
        {"model_id": st.text(max_size=5), "version_major": st.integers(0, 3)}) | _JSONISH,
    "application/vnd.plotly.v1+json": _JSONISH,
    "application/vnd.vegalite.v5+json": _JSONISH,
}
_BUNDLE = st.lists(st.sampled_from(sorted(_MIME)), unique=True, max_size=3).flatmap(
    lambda keys: st.fixed_dictionaries({key: _MIME[key] for key in keys}))
_OUTPUT = st.one_of(
    st.fixed_dictionaries({"output_type": st.just("stream"),
                           "name": st.sampled_from(["stdout", "stderr", "other"]),
                           "text": _SOURCE_FIELD}),
    st.fixed_dictionaries({"output_type": st.sampled_from(["execute_result", "display_data"]),
                           "data": _BUNDLE, "metadata": st.just({}) | st.dictionaries(
                               st.sampled_from(["image/png", "needs_background", "isolated"]),
                               _JSONISH, max_size=2)},
                          optional={"execution_count": st.none() | st.integers(-1, 99)}),
    st.fixed_dictionaries({"output_type": st.just("error"), "ename": st.text(max_size=5),
                           "evalue": st.text(max_size=10),
                           "traceback": st.lists(st.text(max_size=12)
                                                 | st.just("\x1b[31mred\x1b[0m"), max_size=3)}))
_CELL_META = st.just({}) | st.fixed_dictionaries({}, optional={
    "tags": st.lists(st.sampled_from(["remove-cell", "hide-input", "remove-output", "hide-cell",
                                      "remove-stderr", "x"]), max_size=2),
    "jupyter": st.fixed_dictionaries({}, optional={"source_hidden": st.booleans(),
                                                   "outputs_hidden": st.booleans()}),
    "collapsed": st.booleans()})
_CELL = st.one_of(
    st.fixed_dictionaries({"cell_type": st.just("markdown"), "source": _SOURCE_FIELD,
                           "metadata": _CELL_META},
                          optional={"attachments": st.dictionaries(
                              st.text(max_size=5), st.dictionaries(
                                  st.sampled_from(["image/png", "text/plain"]),
                                  st.sampled_from([_PNG, "!!"]), max_size=1), max_size=1)}),
    st.fixed_dictionaries({"cell_type": st.just("code"),
                           "source": _SOURCE_FIELD | st.sampled_from(
                               ["#hide\nx", "#| echo: false\nx", "#collapse\nx", "#|"]),
                           "outputs": st.lists(_OUTPUT, max_size=3),
                           "execution_count": st.none() | st.integers(0, 5),
                           "metadata": _CELL_META}),
    st.fixed_dictionaries({"cell_type": st.just("raw"), "metadata": _CELL_META,
                           "source": _SOURCE_FIELD | st.just("---\ntitle: Raw\n---")}))
_FRONT = st.dictionaries(st.sampled_from(["title", "date", "tags", "summary", "draft", "slug",
                                          "image", "order", "toc", "safe", "execute"]),
                         _JSONISH | st.dates().map(str), max_size=4)
_NOTEBOOK = st.fixed_dictionaries({
    "cells": st.lists(_CELL, max_size=5),
    "metadata": st.fixed_dictionaries({}, optional={
        "language_info": st.fixed_dictionaries({"name": st.sampled_from(
            ["python", "r", "julia", "nosuchlang", ""])}),
        "kernelspec": st.fixed_dictionaries({"name": st.text(max_size=5),
                                             "language": st.text(max_size=5)}),
        "portfolio": _FRONT | _JSONISH, "title": _JSONISH, "widgets": _JSONISH}),
    # mostly versions Jupyter writes, so that most examples get as far as nbconvert
    "nbformat": st.sampled_from([4] * 9 + [3, 5, "4"]),
    "nbformat_minor": st.sampled_from([4, 5] * 5 + [0, 2, 6, "5", None])})


@_settings(400)
@given(doc=_NOTEBOOK, front=st.none() | _FRONT)
def test_fuzz_notebook_generated(nb_site: _Site, doc: dict, front: dict | None) -> None:
    if front is not None:  # a first Markdown cell of front matter (MyST, Quarto)
        doc["cells"].insert(0, {"cell_type": "markdown", "metadata": {},
                                "source": "---\n" + json.dumps(front) + "\n---"})
    nb_site.check({"projects/n.ipynb": json.dumps(doc)})


# -- portfolio.yml -------------------------------------------------------------------------------

_NAMEISH = st.text(st.characters(codec="ascii"), max_size=8)
_URLISH = st.sampled_from(["/", "blog/", "https://x.org/", "javascript:alert(1)", " JaVaScRiPt:x",
                           "data:text/html,x", "vbscript:x", "mailto:a@b.c", "#top", ""]) \
    | _NAMEISH
_CONFIG_KEYS = {
    "title": st.text(max_size=8) | _JSONISH,
    "url": _URLISH,
    "github": st.fixed_dictionaries({}, optional={
        "owner": st.sampled_from(["tester", "a/b", "a b", "..", "-x", "x" * 40, "ok-1"])
        | _NAMEISH,
        "repo": st.sampled_from(["repo", "a/b", ".", "..", "x" * 101, "my.site_v2"])
        | _NAMEISH,
        "branch": st.sampled_from(["main", "a..b", "a b", "x.lock", "-x", "feature/x", "a@{1}",
                                   "x/", ""]) | _NAMEISH}) | _JSONISH,
    "theme": st.sampled_from(["default", "/etc", "..", "nosuch", "~", "", "themes"]) | _NAMEISH,
    "pygments_style": st.sampled_from(["default", "monokai", "nosuch", ""]) | _NAMEISH,
    "pygments_dark_style": st.sampled_from(["monokai", "nosuch"]) | _JSONISH,
    "menu": st.lists(st.fixed_dictionaries({"title": st.text(max_size=5), "url": _URLISH}),
                     max_size=2) | _JSONISH,
    "links": st.dictionaries(st.text(min_size=1, max_size=5), _URLISH | _JSONISH, max_size=2),
    "avatar": _URLISH,
    "posts_per_page": st.integers(-2, 12) | st.just(10 ** 400) | _JSONISH,
    "language": st.sampled_from(["en", "fr", "", "x" * 40]) | _JSONISH,
    "exclude": st.lists(st.sampled_from(["*.md", "content/**", "../", "["]), max_size=2),
    "notebooks": st.fixed_dictionaries({}, optional={"timeout": _JSONISH,
                                                     "output_max_lines": _JSONISH}),
    "skills": st.dictionaries(st.text(min_size=1, max_size=5), _JSONISH, max_size=2),
    "search": st.just(False) | _JSONISH,
}


@_settings(500)
@given(values=st.lists(st.sampled_from(sorted(_CONFIG_KEYS)), unique=True, max_size=3).flatmap(
    lambda keys: st.fixed_dictionaries({key: _CONFIG_KEYS[key] for key in keys})),
       duplicate=st.sampled_from(["", "", "", "title: Twice\n", "github:\n  owner: x\n"]))
def test_fuzz_config(site: _Site, values: dict, duplicate: str) -> None:
    data = {"title": "Fuzz", "author": {"name": "A"}, "search": False, **values}
    for key in ("links", "avatar"):  # these two are the author's
        if key in values:
            data["author"][key] = data.pop(key)
    text = "".join(f"{key}: {json.dumps(value)}\n" for key, value in data.items())  # JSON: YAML
    site.check({"content/posts/x.md": "---\ntitle: X\ndate: 2024-01-01\n---\n[a](ok.md)\n"},
               text + duplicate)
