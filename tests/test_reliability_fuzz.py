"""Property tests: mutated front matter and notebook JSON give a clean error or a good build.

Never another exception, never a traceback. Examples are kept modest so the suite stays fast.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.build import build
from generator.model.errors import PortfolioError

from .helpers_reliability import CONFIG, code_cell, make, md_cell, nb

_SETTINGS = settings(max_examples=60, deadline=None, derandomize=True,
                     suppress_health_check=[HealthCheck.too_slow])
_YAML_BITS = ["title: ", "date: ", "tags: ", "slug: ", "draft: ", "summary: ", "image: ",
              "[", "]", "{", "}", ":", "- ", "'", '"', "&a ", "*a", "!!python/object ", "\n",
              "  ", "\t", "2024-13-45", "2024-01-01", "NO", "0123", "null", "~", "---", "...",
              "#", "|", ">", "%YAML 1.1", "\ufeff", "\x00", "é", "<script>", "../../x"]


_PRINTABLE = st.characters(blacklist_categories=("Cs", "Cc"))


def _try(files: dict[str, str | bytes]) -> str:
    """Build a site from `files`; return 'ok' or 'error' (anything else fails the test)."""
    tmp = Path(tempfile.mkdtemp(prefix="fuzz-"))
    try:
        root = make(tmp / "s", files, config=CONFIG)
        try:
            build(root, out_dir=tmp / "out", use_cache=False, keep_going=True)
        except PortfolioError as exc:
            assert str(exc) and "Traceback" not in str(exc)
            assert not list(tmp.glob(".out.staging-*"))
            return "error"
        assert (tmp / "out/index.html").is_file()
        return "ok"
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


@_SETTINGS
@given(st.lists(st.sampled_from(_YAML_BITS) | st.text(_PRINTABLE, max_size=8), max_size=25))
def test_fuzz_front_matter(pieces: list[str]) -> None:
    body = "title: T\ndate: 2024-01-01\n" + "".join(pieces)  # valid until mutated
    assert _try({"content/posts/x.md": f"---\n{body}\n---\n\nHello.\n",
                 "content/posts/ok.md": "---\ntitle: OK\ndate: 2024-01-01\n---\nfine\n"}) \
        in ("ok", "error")


@_SETTINGS
@given(st.dictionaries(st.sampled_from(["title", "date", "tags", "slug", "draft", "summary",
                                        "image", "demo", "repo", "safe", "order", "updated",
                                        "featured", "toc", "badges", "tilte", "permalink"]),
                       st.recursive(st.none() | st.booleans() | st.integers() | st.floats()
                                    | st.text(max_size=20) | st.dates().map(str),
                                    lambda inner: st.lists(inner, max_size=3)
                                    | st.dictionaries(st.text(max_size=5), inner, max_size=3),
                                    max_leaves=6), max_size=8))
def test_fuzz_front_matter_values(meta: dict) -> None:
    text = "---\n" + json.dumps(meta) + "\n---\nbody\n"  # JSON is YAML: every type reaches us
    assert _try({"content/posts/x.md": text}) in ("ok", "error")


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


@_SETTINGS
@given(st.data())
def test_fuzz_notebook_json(data: st.DataObject) -> None:
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
    assert _try({"projects/n.ipynb": raw}) in ("ok", "error")
