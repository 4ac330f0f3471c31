"""Cell directives of every dialect: removed = absent, folded = in <details>, show = open."""

from __future__ import annotations

import pytest

from generator.readers.directives import plan_cell

from .helpers_notebooks import CONFIG, code, code_texts, md, nb, render, stream

OUT = "OUTPUT-MARKER"


def _cell_html(tmp_path, cell):
    body, _, _ = render(tmp_path, nb(md("# T"), md("intro"), cell), CONFIG)
    return body


def _input_folded(body, state: str) -> None:
    details = body.select("details.nb-fold")
    assert len(details) == 1, body
    assert details[0].select_one(".input_area") is not None
    assert details[0].has_attr("open") == (state == "open")
    assert "print(1)" in details[0].get_text()


@pytest.mark.parametrize("flag", ["#hide", "#|hide", "# hide", "#| hide"])
def test_fastpages_hide_removes_the_cell(tmp_path, flag):
    body = _cell_html(tmp_path, code(f"{flag}\nprint(1)", stream(OUT)))
    assert "print(1)" not in body.get_text() and OUT not in body.get_text()


def test_fastpages_hide_works_on_markdown_cells(tmp_path):
    body = _cell_html(tmp_path, md("#hide\nSECRET prose"))
    assert "SECRET" not in body.get_text()


@pytest.mark.parametrize("flag", ["#hide_input", "#hide-input", "#|hide_input"])
def test_fastpages_hide_input(tmp_path, flag):
    body = _cell_html(tmp_path, code(f"x = 1\n{flag}\nprint(1)", stream(OUT)))
    assert code_texts(body) == [] and OUT in body.get_text()


@pytest.mark.parametrize("flag", ["#hide_output", "#hide-output"])
def test_fastpages_hide_output(tmp_path, flag):
    body = _cell_html(tmp_path, code(f"{flag}\nprint(1)", stream(OUT)))
    assert OUT not in body.get_text()
    assert code_texts(body) == ["print(1)\n"]  # directive line stripped


@pytest.mark.parametrize("flag, state", [("#collapse", "closed"), ("#collapse-hide", "closed"),
                                         ("#collapse_hide", "closed"), ("#collapse-show", "open"),
                                         ("#collapse_show", "open"), ("#|collapse", "closed")])
def test_fastpages_collapse_folds_input(tmp_path, flag, state):
    body = _cell_html(tmp_path, code(f"{flag}\nprint(1)", stream(OUT)))
    _input_folded(body, state)
    assert flag not in body.get_text()
    assert OUT in body.get_text()


@pytest.mark.parametrize("flag", ["#collapse_output", "#collapse-output"])
def test_fastpages_collapse_output(tmp_path, flag):
    body = _cell_html(tmp_path, code(f"{flag}\nprint(1)", stream(OUT)))
    [details] = body.select("details.nb-fold")
    assert OUT in details.get_text() and "print(1)" not in details.get_text()
    assert not details.has_attr("open")


def test_quarto_include_false_removes_cell(tmp_path):
    body = _cell_html(tmp_path, code("#| include: false\nprint(1)", stream(OUT)))
    assert "print(1)" not in body.get_text() and OUT not in body.get_text()


def test_quarto_echo_false_removes_input(tmp_path):
    body = _cell_html(tmp_path, code("#| echo: false\nprint(1)", stream(OUT)))
    assert code_texts(body) == [] and OUT in body.get_text()


def test_quarto_output_false_removes_output(tmp_path):
    body = _cell_html(tmp_path, code("#| output: false\nprint(1)", stream(OUT)))
    assert OUT not in body.get_text() and code_texts(body) == ["print(1)\n"]


@pytest.mark.parametrize("value, state", [("true", "closed"), ("show", "open")])
def test_quarto_code_fold(tmp_path, value, state):
    body = _cell_html(tmp_path, code(f"#| code-fold: {value}\nprint(1)", stream(OUT)))
    _input_folded(body, state)
    assert "code-fold" not in body.get_text()


def test_quarto_warning_false_drops_stderr_only(tmp_path):
    body = _cell_html(tmp_path, code("#| warning: false\nprint(1)", stream(OUT),
                                     stream("WARN-MARKER", "stderr")))
    assert OUT in body.get_text() and "WARN-MARKER" not in body.get_text()


@pytest.mark.parametrize("tag, gone", [("remove-cell", {"src", "out"}), ("remove-input", {"src"}),
                                       ("remove-output", {"out"}), ("remove_cell", {"src", "out"})])
def test_myst_remove_tags(tmp_path, tag, gone):
    body = _cell_html(tmp_path, code("print(1)", stream(OUT), tags=[tag]))
    text = body.get_text()
    assert ("print(1)" not in text) == ("src" in gone)
    assert (OUT not in text) == ("out" in gone)
    assert not body.select("details.nb-fold")


def test_myst_remove_stderr(tmp_path):
    body = _cell_html(tmp_path, code("print(1)", stream(OUT), stream("ERR-MARKER", "stderr"),
                                     tags=["remove-stderr"]))
    assert OUT in body.get_text() and "ERR-MARKER" not in body.get_text()


def test_myst_hide_input_folds_input(tmp_path):
    body = _cell_html(tmp_path, code("print(1)", stream(OUT), tags=["hide-input"]))
    _input_folded(body, "closed")


def test_myst_hide_output_folds_output(tmp_path):
    body = _cell_html(tmp_path, code("print(1)", stream(OUT), tags=["hide-output"]))
    [details] = body.select("details.nb-fold")
    assert OUT in details.get_text() and "print(1)" not in details.get_text()


def test_myst_hide_cell_folds_everything(tmp_path):
    body = _cell_html(tmp_path, code("print(1)", stream(OUT), tags=["hide-cell"]))
    [details] = body.select("details.nb-fold")
    assert OUT in details.get_text() and "print(1)" in details.get_text()


def test_jupyterlab_collapsed_state(tmp_path):
    body = _cell_html(tmp_path, code("print(1)", stream(OUT),
                                     jupyter={"source_hidden": True, "outputs_hidden": True}))
    folds = body.select("details.nb-fold")
    assert len(folds) == 2
    assert "print(1)" in folds[0].get_text() and OUT in folds[1].get_text()


def test_fastpages_metadata_hide_input(tmp_path):
    body = _cell_html(tmp_path, code("print(1)", stream(OUT), hide_input=True))
    assert code_texts(body) == [] and OUT in body.get_text()


def test_directive_on_any_line_and_only_directive_lines_stripped():
    plan, source = plan_cell({"cell_type": "code", "metadata": {},
                              "source": "import x\n#collapse-show\n# a real comment\nx()"})
    assert plan.fold_input == "open"
    assert source == "import x\n# a real comment\nx()"


def test_quarto_options_are_not_read_in_markdown_cells():
    plan, source = plan_cell({"cell_type": "markdown", "metadata": {},
                              "source": "#| echo: false\ntext"})
    assert not plan.remove_input and "#| echo: false" in source


def test_remove_wins_over_fold():
    plan, _ = plan_cell({"cell_type": "code", "source": "#collapse\n#hide_input\nx",
                         "metadata": {"tags": ["hide-output", "remove-output"]}})
    assert plan.remove_input and plan.remove_output
