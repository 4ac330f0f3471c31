"""The reader of each format: a source's bytes in, its validated `Meta` and `Rendered` out.

The heavy libraries are imported inside each reader (markdown-it-py by `markdown.py`,
nbconvert by `notebook.py`), so that only a cache miss pays for them.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from ..model.documents import Asset, Meta, Rendered, Source
from ..model.errors import SourceError
from ..sources.frontmatter import (
    RawMeta,
    date_from_filename,
    first_heading,
    folder_title,
    parse_yaml_block,
    split_markdown,
    validate,
)
from ..sources.nbfront import load_json, notebook_front_matter

if TYPE_CHECKING:
    from ..model.config import Config


def decode(data: bytes, path: str) -> str:
    """UTF-8 text (a BOM is dropped); anything else is a clean error with the byte offset."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise SourceError(f"not UTF-8 text (invalid byte 0x{data[exc.start]:02x} at offset "
                          f"{exc.start})", path, line,
                          hint="save the file as UTF-8 in your editor") from None


def _filename_date(source: Source) -> dt.date | None:
    """`2024-05-01-title.md`, or a page bundle's folder: `2024-05-01-title/index.md`."""
    rel = Path(source.rel_path)
    bundle = rel.stem.lower() in ("index", "readme", "_index") and rel.parent.name
    return date_from_filename(rel.parent.name if bundle else rel.stem)[0]


def read_markdown(source: Source, data: bytes, config: Config,
                  template_dirs: tuple[str, ...] = ()) -> tuple[Meta, Rendered] | None:
    """A post, page or Markdown project. An empty file is skipped (the caller warns)."""
    from .liquid import translate
    from .markdown import render_markdown

    safe = config.safe
    text = decode(data, source.rel_path)
    if not text.strip():
        return None
    raw = split_markdown(text, source.rel_path)
    warnings: list[tuple[str, int | None]] = []
    meta = validate(raw, source.rel_path, title_fallback=first_heading(raw.body),
                    date_fallback=_filename_date(source),
                    warnings=warnings, name_title=_title_from_name(source, folder=True))
    body = raw.body
    if not raw.data.get("title") and meta.title:
        body = _drop_first_heading(body)  # the title is shown by the page header already
    body, notices = translate(body, safe=meta.safe if meta.safe is not None else safe,
                              line_offset=raw.body_line - 1)  # Jekyll/fastpages Liquid
    warnings += notices
    result = render_markdown(body, source.rel_path, safe=meta.safe if meta.safe is not None
                             else safe, line_offset=raw.body_line - 1)
    rendered = Rendered(
        html=result.html, toc=tuple(result.toc), summary=result.summary, words=result.words,
        has_math=result.has_math, links=tuple(result.links),
        warnings=tuple(warnings + result.warnings),
    )
    return meta, rendered


def _drop_first_heading(body: str) -> str:
    lines = body.split("\n")
    for index, line in enumerate(lines):
        if line.strip():
            if line.startswith("# "):
                return "\n".join(lines[:index] + [""] + lines[index + 1:])
            break
    return body


def read_notebook(source: Source, data: bytes, config: Config,
                  template_dirs: tuple[str, ...] = ()) -> tuple[Meta, Rendered]:
    """A notebook project or post, converted from its saved outputs (or run first, when
    `execute: true` is set site-wide under `notebooks:` or in its front matter)."""
    from .execute import runner
    from .notebook import convert, prepare, upgrade

    safe, notebooks = config.safe, config.notebooks
    nb_json = load_json(data, source.rel_path)
    raw, carrier, heading = notebook_front_matter(nb_json, source.rel_path)
    upgraded = upgrade(nb_json, source.rel_path)  # a broken notebook is reported as such first
    warnings: list[tuple[str, int | None]] = []
    meta = validate(raw, source.rel_path, title_fallback=heading or _title_from_name(source),
                    date_fallback=_filename_date(source),
                    warnings=warnings)
    nb = prepare(upgraded, source.rel_path, carrier, run=runner(meta, notebooks, source),
                 drop_title=meta.title)
    result = convert(nb, source.rel_path, template_dirs,
                     safe=meta.safe if meta.safe is not None else safe,
                     output_max_lines=notebooks.output_max_lines)
    assets = list(result.assets)
    assets.append(Asset(Path(source.rel_path).name, data=data))  # "Download .ipynb"
    return meta, Rendered(
        html=result.html, toc=tuple(result.toc), summary=result.summary, words=result.words,
        thumbnail=result.thumbnail, has_math=result.has_math, has_plotly=result.has_plotly,
        scripts=result.scripts,
        links=tuple(result.links), assets=tuple(assets),
        warnings=tuple(warnings + result.warnings),
    )


def _title_from_name(source: Source, *, folder: bool = False) -> str:
    """A notebook without any title or heading is still valid: `01-eda_v2.ipynb` -> 'Eda v2'.

    With `folder`, a file named for its folder's role (`README.md`, Hugo's `index.md`) is
    titled by its folder: `posts/2024-05-01-my-post/index.md` -> 'My post'."""
    rel = Path(source.rel_path)
    if folder and rel.stem.lower() in ("readme", "index", "_index") and rel.parent.name:
        rel = rel.parent
    stem = date_from_filename(rel.stem)[1] or rel.stem
    words = re.sub(r"^[\d\s._-]+(?=\D)", "", stem)
    words = re.sub(r"[_\s-]+", " ", words).strip()
    return words[:1].upper() + words[1:] if words else stem


def read_project_yaml(source: Source, data: bytes, config: Config,
                      template_dirs: tuple[str, ...] = ()) -> tuple[Meta, Rendered]:
    """`projects/NAME/project.yml`: the overview of a project of several notebooks, as front
    matter with no body (title, summary, tags, image, featured, order, date...)."""
    text = decode(data, source.rel_path)
    values, lines = parse_yaml_block(text, source.rel_path)
    meta = validate(RawMeta(values, lines), source.rel_path,
                    title_fallback=folder_title(PurePosixPath(source.rel_path).parent.name))
    return meta, Rendered(html="")
