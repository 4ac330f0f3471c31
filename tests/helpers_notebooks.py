"""Small notebooks written in the tests (nbformat.v4 helpers) and a one-call site build."""

from __future__ import annotations

import base64
import io
from pathlib import Path

import nbformat
from bs4 import BeautifulSoup
from nbformat import v4

from generator.build import build

from .helpers_reliability import CONFIG as CONFIG  # the shared tiny site's portfolio.yml
from .helpers_reliability import make


def nb(*cells, metadata: dict | None = None, minor: int = 5, untitled: bool = False):
    """A v4 notebook with fixed cell ids (so every build is identical), titled through
    `metadata.portfolio` unless `untitled`."""
    book = v4.new_notebook()
    book.nbformat_minor = minor
    book.metadata.update({"kernelspec": {"name": "python3", "display_name": "Python 3",
                                         "language": "python"},
                          "language_info": {"name": "python"}})
    book.metadata.update(metadata or {})
    if untitled is False:
        book.metadata.setdefault("portfolio", {}).setdefault("title", "Test notebook")
    for index, cell in enumerate(cells):
        if minor >= 5:
            cell["id"] = f"cell-{index}"
        else:
            cell.pop("id", None)
        book.cells.append(cell)
    return book


def code(source: str, *outputs, tags=(), **metadata):
    cell = v4.new_code_cell(source, outputs=list(outputs), execution_count=1)
    if tags:
        metadata["tags"] = list(tags)
    cell.metadata.update(metadata)
    return cell


def md(source: str, tags=(), **metadata):
    cell = v4.new_markdown_cell(source)
    if tags:
        metadata["tags"] = list(tags)
    cell.metadata.update(metadata)
    return cell


def raw(source: str, mimetype: str | None = None):
    cell = v4.new_raw_cell(source)
    if mimetype:
        cell.metadata["raw_mimetype"] = mimetype
    return cell


def display(data: dict, metadata: dict | None = None, result: bool = False):
    if result:
        return v4.new_output("execute_result", data=data, metadata=metadata or {},
                             execution_count=1)
    return v4.new_output("display_data", data=data, metadata=metadata or {})


def stream(text: str, name: str = "stdout"):
    return v4.new_output("stream", name=name, text=text)


def error(ename: str, evalue: str, traceback: list[str]):
    return v4.new_output("error", ename=ename, evalue=evalue, traceback=traceback)


def png_bytes(width: int = 8, height: int = 6, color=(200, 30, 30)) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (width, height), color).save(buffer, "PNG")
    return buffer.getvalue()


def image_b64(fmt: str = "PNG", width: int = 8, height: int = 6) -> str:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (20, 120, 200)).save(buffer, fmt)
    return base64.b64encode(buffer.getvalue()).decode()


def write(root: Path, files: dict, config: str | None) -> Path:
    """Write a site; notebook nodes are serialised with nbformat, str/bytes written as is."""
    return make(root, {rel: body if isinstance(body, (str, bytes)) else nbformat.writes(body)
                       for rel, body in files.items()}, config)


def build_site(root: Path, **kw) -> Path:
    out = root / "_site"
    build(root, out_dir=out, **kw)
    return out


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text("utf-8"), "html.parser")


def render(tmp_path: Path, book, config: str, name: str = "nb",
           extra: dict | None = None) -> tuple[BeautifulSoup, BeautifulSoup, Path]:
    """Build a site of `config` (portfolio.yml's text) and one notebook project:
    (notebook body, whole page, output dir)."""
    root = write(tmp_path / "site", {f"projects/{name}.ipynb": book, **(extra or {})}, config)
    out = build_site(root)
    page = soup(out / "projects" / name / "index.html")
    body = page.select_one(".prose.notebook")
    assert body is not None
    return body, page, out


def code_texts(body: BeautifulSoup) -> list[str]:
    """The displayed source of every code cell input."""
    return [pre.get_text() for pre in body.select(".input_area pre")]
