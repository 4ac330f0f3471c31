"""Optional execution with nbclient: off by default, site-wide or per notebook, clean errors."""

from __future__ import annotations

import pytest

from generator.model.errors import BuildFailed

from .helpers_notebooks import CONFIG, build_site, code, md, nb, soup, stream, write

pytest.importorskip("ipykernel")

EXECUTE = CONFIG + "notebooks:\n  execute: true\n  timeout: 60\n"


def _text(out) -> str:
    return soup(out / "projects/nb/index.html").select_one(".prose").get_text()


def test_not_executed_by_default(tmp_path):
    book = nb(code("print(6 * 7)", stream("SAVED-OUTPUT")))
    text = _text(build_site(write(tmp_path / "s", {"projects/nb.ipynb": book}, CONFIG)))
    assert "SAVED-OUTPUT" in text and "42" not in text


def test_site_wide_execution_runs_hidden_cells_too(tmp_path):
    book = nb(md("# Run"), code("#hide\nsecret = 6"), code("print(secret * 7)",
                                                           stream("SAVED-OUTPUT")))
    out = build_site(write(tmp_path / "s", {"projects/nb.ipynb": book}, EXECUTE))
    text = _text(out)
    assert "42" in text and "SAVED-OUTPUT" not in text and "secret = 6" not in text


def test_per_notebook_front_matter_turns_it_on(tmp_path):
    book = nb(code("print(6 * 7)"), metadata={"portfolio": {"title": "T", "execute": True}})
    assert "42" in _text(build_site(write(tmp_path / "s", {"projects/nb.ipynb": book}, CONFIG)))


def test_per_notebook_false_wins_over_site_wide(tmp_path):
    book = nb(code("print(6 * 7)", stream("SAVED")),
              metadata={"portfolio": {"title": "T", "execute": False}})
    assert "SAVED" in _text(build_site(write(tmp_path / "s", {"projects/nb.ipynb": book},
                                             EXECUTE)))


def test_failing_cell_names_notebook_and_cell(tmp_path):
    book = nb(md("# Fail"), code("x = 1"), code("1 / 0"))
    root = write(tmp_path / "s", {"projects/nb.ipynb": book}, EXECUTE)
    with pytest.raises(BuildFailed) as info:
        build_site(root)
    [err] = info.value.errors
    assert err.path == "projects/nb.ipynb"
    assert "cell 3" in err.message and "ZeroDivisionError" in err.message
    assert "allow_errors" in (err.hint or "")


def test_allow_errors_publishes_the_traceback(tmp_path):
    book = nb(md("# Fail"), code("1 / 0"), code("print('after')"),
              metadata={"portfolio": {"title": "T", "allow_errors": True}})
    out = build_site(write(tmp_path / "s", {"projects/nb.ipynb": book}, EXECUTE))
    page = soup(out / "projects/nb/index.html")
    assert "ZeroDivisionError" in page.select_one(".output_error").get_text()
    assert "after" in _text(out)


def test_missing_kernel_is_a_clean_error(tmp_path):
    book = nb(code("1"), metadata={"kernelspec": {"name": "no-such-kernel", "language": "x",
                                                  "display_name": "X"}})
    with pytest.raises(BuildFailed) as info:
        build_site(write(tmp_path / "s", {"projects/nb.ipynb": book}, EXECUTE))
    [err] = info.value.errors
    assert "no-such-kernel" in err.message and err.path == "projects/nb.ipynb"
