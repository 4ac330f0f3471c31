"""Split and validate front matter: Markdown `---` blocks and every notebook convention.

Notebook front matter is gathered from all the places the field uses, merged key by key in this
order of precedence (first wins):

1. a first raw cell holding `---` YAML (Quarto);
2. a first Markdown cell that is only `---` YAML (MyST / Jupyter Book);
3. `metadata.portfolio` (ours);
4. a fastpages / nbdev first Markdown cell (`# Title`, `> summary`, `- key: value`);
5. `metadata.nikola` (Nikola);
6. the first `#` heading, for the title only.
"""

from __future__ import annotations

import datetime as dt
import difflib
import html
import re
from dataclasses import dataclass, fields
from typing import Any

from ..model.documents import Meta
from ..model.errors import SourceError, brief
from ..util.yamllines import YamlProblem, load_with_lines

_KNOWN = {f.name for f in fields(Meta)} - {"extra"}
_ALIASES = {"categories": "tags", "description": "summary", "keywords": "tags",
            "hide": "draft", "modified": "updated", "lastmod": "updated"}
_BOOL_KEYS = {"draft", "featured", "badges", "toc", "safe", "execute", "allow_errors"}
_STR_KEYS = {"title", "summary", "slug", "image", "repo", "branch", "path", "demo"}
_DATE_KEYS = {"date", "updated"}
# keys that other tools write and that mean nothing to us: accepted silently
_FOREIGN = {"layout", "comments", "search_exclude", "sticky_rank", "author", "authors",
            "jupyter", "format", "toc-title", "subtitle", "permalink", "nb_path",
            "hide_binder_badge", "hide_colab_badge", "hide_github_badge", "hide_deepnote_badge",
            "use_math", "type",
            "link", "status", "sidebar", "bibliography", "execute_options", "kernelspec",
            "jupytext", "aliases", "weight", "lang", "license", "thumbnail", "cover"}
_DATE_PREFIX = re.compile(r"^(\d{4})-(\d{2})-(\d{2})-(.+)$")
_H1 = re.compile(r"^#\s+(.+?)\s*#*\s*$", re.MULTILINE)
# HTML elements by name, so that `Vec<T>` or `List<int>` in a summary stays as written
_TAG = re.compile(
    r"<!--.*?-->|</?(?:a|abbr|b|big|blockquote|br|center|cite|code|dd|del|dfn|div|dl|dt|em|"
    r"font|h[1-6]|hr|i|img|ins|kbd|li|mark|ol|p|q|s|samp|small|span|strike|strong|sub|sup|"
    r"table|tbody|td|th|thead|time|tr|tt|u|ul|var|wbr)(?:\s[^<>]*)?/?>", re.DOTALL | re.I)
_BLOCK_TAG = re.compile(r"</?(?:p|br|div|li|ul|ol|h[1-6]|tr|td|th|blockquote|hr)\b", re.I)


@dataclass
class RawMeta:
    """Front matter before validation: the values, their lines, and where the body starts."""

    data: dict[str, Any]
    lines: dict[tuple[str, ...], int]
    body: str = ""
    body_line: int = 1  # 1-based line in the file where the body starts


def split_markdown(text: str, path: str) -> RawMeta:
    """Split a Markdown file into its YAML front matter and body."""
    if text.startswith("\ufeff"):
        text = text[1:]
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.startswith("---\n") and text.rstrip("\n") != "---":
        return RawMeta({}, {}, text, 1)
    end = re.search(r"^(---|\.\.\.)[ \t]*$", text[4:], re.MULTILINE)
    if end is None:
        raise SourceError("front matter starts with '---' but is never closed", path, 1,
                          hint="add a line with '---' after the front matter")
    block = text[4:4 + end.start()]
    body = text[4 + end.end():].lstrip("\n") if end else ""
    body_line = text[:len(text) - len(body)].count("\n") + 1
    data, lines = parse_yaml_block(block, path, line_offset=1)
    return RawMeta(data, lines, body, body_line)


def parse_yaml_block(block: str, path: str, line_offset: int = 0) -> tuple[dict, dict]:
    """Parse a front-matter YAML block; errors carry file lines (`line_offset` lines above it)."""
    try:
        data, lines = load_with_lines(block)
    except YamlProblem as exc:
        line = exc.line + line_offset if exc.line is not None else line_offset + 1
        raise SourceError(f"invalid front matter: {exc.message}", path, line, exc.col,
                          exc.hint) from None
    if data is None:
        return {}, {}
    if not isinstance(data, dict):
        raise SourceError(f"front matter must be key: value lines, not {_kind(data)}", path,
                          line_offset + 1, hint="write e.g. 'title: My post'")
    return data, {k: v + line_offset for k, v in lines.items()}


def _kind(value: Any) -> str:
    names = {list: "a list", str: "a single value", int: "a number"}
    return names.get(type(value), type(value).__name__)


def date_from_filename(stem: str) -> tuple[dt.date | None, str]:
    """`2024-05-01-my-post` -> (date(2024, 5, 1), 'my-post') (the Jekyll convention)."""
    match = _DATE_PREFIX.match(stem)
    if not match:
        return None, stem
    try:
        return dt.date(int(match[1]), int(match[2]), int(match[3])), match[4]
    except ValueError:
        return None, stem


def first_heading(markdown: str) -> str:
    """The text of the first `# Heading` outside fenced code, or ''."""
    in_fence = False
    for line in markdown.splitlines():
        if line.lstrip().startswith(("```", "~~~")):
            in_fence = not in_fence
        elif not in_fence:
            match = _H1.match(line.strip())
            if match:
                return match[1].strip().strip('"')
    return ""


def validate(raw: RawMeta, path: str, *, title_fallback: str = "",
             date_fallback: dt.date | None = None, need_date: bool = False,
             warnings: list[tuple[str, int | None]] | None = None,
             name_title: str = "") -> Meta:
    """Turn raw front matter into `Meta`; every type problem names the key and line.

    `name_title` (a title made from the file name) is used, with a warning, when there is no
    `title` key and no `title_fallback` (a heading)."""
    values: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    categories: list[tuple[Any, int | None]] = []
    date_updated: dt.date | None = None
    for key, value in raw.data.items():
        key = str(key)
        name = _ALIASES.get(key, key)
        line = raw.lines.get((key,))
        if key == "hide" and not isinstance(value, bool) and value is not None:
            extra[key] = value  # Material for MkDocs: `hide: [navigation, toc]`, not a draft
            continue
        if key == "categories":  # tags when there are no tags (Jekyll, Material's blog)
            categories.append((value, line))
            continue
        if name == "date" and isinstance(value, dict):
            values["date"], date_updated = _material_dates(value, raw.lines, key, path, line)
            continue
        if name not in _KNOWN:
            extra[key] = value
            if key not in _FOREIGN and warnings is not None:
                close = difflib.get_close_matches(key, sorted(_KNOWN | set(_ALIASES)), n=1)
                if close:
                    warnings.append((f"unknown front-matter key '{key}' (did you mean "
                                     f"'{close[0]}'?)", line))
            continue
        if name in values:  # e.g. both `tags` and `categories`: merge lists, else keep first
            if name == "tags":
                values[name] = (*values[name], *_tags(value, path, line))
            continue
        values[name] = _coerce(name, value, path, line)
    for value, line in categories:
        tags = _tags(value, path, line)
        if values.get("tags"):
            extra["categories"] = list(tags)
        else:
            values["tags"] = tags
    if date_updated is not None and values.get("updated") is None:
        values["updated"] = date_updated
    if not values.get("title"):
        if title_fallback:
            values["title"] = title_fallback
        elif "title" in values:
            raise SourceError("'title' is empty", path, raw.lines.get(("title",)))
        elif name_title:
            values["title"] = name_title
            if warnings is not None:
                warnings.append((f"no title: using '{name_title}' from the file name (add "
                                 "'title: ...' to the front matter, or start with a "
                                 "'# Heading')", 1))
        else:
            raise SourceError("missing 'title'", path, 1,
                              hint="add 'title: ...' to the front matter, or start with a "
                                   "'# Heading'")
    if values.get("date") is None and date_fallback is not None:
        values["date"] = date_fallback
    if need_date and values.get("date") is None:
        raise SourceError("missing 'date'", path, 1,
                          hint="add 'date: YYYY-MM-DD' to the front matter, or name the file "
                               "YYYY-MM-DD-title.md")
    values["extra"] = tuple(sorted(extra.items()))
    return Meta(**values)


def _material_dates(value: dict, lines: dict[tuple[str, ...], int], key: str, path: str,
                    line: int | None) -> tuple[dt.date | None, dt.date | None]:
    """Material for MkDocs' blog: `date: {created: 2024-01-02, updated: 2024-02-03}`."""
    if "created" not in value:
        raise SourceError("'date' holds several dates but no 'created' date", path, line,
                          hint="write 'date: YYYY-MM-DD', or 'created:' (and 'updated:') "
                               "under 'date:'")
    created = _date("date.created", value["created"], path,
                    lines.get((key, "created"), line))
    updated = value.get("updated")
    if isinstance(updated, list):  # several updates: the latest counts
        updated = max((d for d in (_date("date.updated", u, path, lines.get((key, "updated"),
                                                                          line))
                                   for u in updated) if d is not None), default=None)
    else:
        updated = _date("date.updated", updated, path, lines.get((key, "updated"), line))
    return created, updated


def _summary(text: str) -> str:
    """HTML in a summary (Jekyll allows it) is shown as text: tags dropped, entities read."""
    if "<" in text and _TAG.search(text):
        text = " ".join(_TAG.sub(_tag_space, text).split())
    return html.unescape(text) if "&" in text else text


def _tag_space(match: re.Match[str]) -> str:
    """Block tags and `<br>` separate words; inline ones (`<b>`, `<a>`) do not."""
    return " " if _BLOCK_TAG.match(match[0]) else ""


def _coerce(name: str, value: Any, path: str, line: int | None) -> Any:
    if name in _DATE_KEYS:
        return _date(name, value, path, line)
    if name == "tags":
        return _tags(value, path, line)
    if name == "learned_from":
        return _tags(value, path, line)
    if name == "results":
        return _results(value, path, line)
    if name in _BOOL_KEYS:
        if isinstance(value, bool):
            return value
        if name == "draft" and value is None:
            return False
        raise SourceError(f"'{name}' must be true or false, not {brief(value)}", path, line)
    if name == "order":
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        raise SourceError(f"'order' must be a whole number, not {brief(value)}", path, line)
    if name in _STR_KEYS:
        if value is None:
            return ""
        if isinstance(value, str):
            return _summary(value).strip() if name == "summary" else value.strip()
        hint = f"write it in quotes: {name}: \"{str(value)[:60]}\"" \
            if not isinstance(value, (list, dict)) else None
        if isinstance(value, bool):
            hint = ("YAML reads words such as yes/no/on/off/true/false as true or false; "
                    f"write it in quotes: {name}: \"...\"")
        raise SourceError(f"'{name}' must be text, not {_kind(value)} ({brief(value)})", path,
                          line, hint=hint)
    return value


def _date(name: str, value: Any, path: str, line: int | None) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        text = value.strip()
        for candidate in (text[:10], text):
            try:
                return dt.date.fromisoformat(candidate)
            except ValueError:
                pass
        for fmt in ("%Y/%m/%d", "%d %B %Y", "%B %d, %Y", "%b %d, %Y"):
            try:
                return dt.datetime.strptime(text, fmt).date()
            except ValueError:
                pass
    raise SourceError(f"'{name}' is not a date: {brief(value)}", path, line,
                      hint="write dates as YYYY-MM-DD, e.g. 2024-05-01")


def _tags(value: Any, path: str, line: int | None) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        items = [t.strip() for t in value.split(",")]
    elif isinstance(value, list):
        items = []
        for item in value:
            if isinstance(item, (dict, list)) or item is None:
                raise SourceError(f"tags must be a list of words, not {brief(item)}", path, line)
            items.append(str(item).strip())
    else:
        raise SourceError(f"'tags' must be a list such as [python, ml], not {brief(value)}",
                          path, line)
    seen: dict[str, None] = {}
    for item in items:
        if item:
            seen.setdefault(item, None)
    return tuple(seen)


def _results(value: Any, path: str, line: int | None) -> tuple[tuple[str, str], ...]:
    """`[{label: Test accuracy, value: 98.4%}, ...]`, or the short form `{Test accuracy: 98.4%}`."""
    hint = "write results: [{label: Test accuracy, value: 98.4%}]"
    if value is None:
        return ()
    if isinstance(value, dict):
        value = [{"label": k, "value": v} for k, v in value.items()]
    if not isinstance(value, list):
        raise SourceError("'results' must be a list of label/value pairs, not "
                          f"{brief(value)}", path, line, hint=hint)
    out = []
    for item in value:
        if not isinstance(item, dict) or "label" not in item or "value" not in item:
            raise SourceError(f"each result needs a 'label' and a 'value', not {brief(item)}", path,
                              line, hint=hint)
        label, shown = item["label"], item["value"]
        if isinstance(label, (dict, list)) or isinstance(shown, (dict, list)) or label is None \
                or shown is None:
            raise SourceError(f"a result's label and value must be text or a number: {brief(item)}",
                              path, line, hint=hint)
        out.append((str(label).strip(), _plain_number(shown)))
    return tuple(out)


def _plain_number(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def folder_title(name: str) -> str:
    """`deep-learning_course` -> 'Deep Learning Course': a folder's name as a title."""
    words = re.sub(r"[_\s-]+", " ", name).split()
    return " ".join(w[:1].upper() + w[1:] for w in words) or name
