"""Markdown to HTML with markdown-it-py, mdit-py-plugins and Pygments.

One renderer serves posts, pages, Markdown projects and the Markdown cells of notebooks, so the
whole site speaks one dialect: GFM tables, footnotes, task lists, `$math$` that is never mangled,
heading anchors, GitHub's alerts (`> [!NOTE]`, markdown-it-py's own), and relative links to
other sources rewritten to their pages.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import unquote

from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.amsmath import amsmath_plugin
from mdit_py_plugins.deflist import deflist_plugin
from mdit_py_plugins.dollarmath import dollarmath_plugin
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.tasklists import tasklists_plugin

from ..model.documents import Heading
from ..model.links import LINK_PREFIX, LINK_SUFFIX
from ..model.urls import is_safe_url, relative_target, slugify
from .highlight import highlight_block
from .tex import typeset


@dataclass
class MarkdownResult:
    html: str
    toc: list[Heading] = field(default_factory=list)
    words: int = 0
    summary: str = ""
    has_math: bool = False
    links: list[tuple[str, int]] = field(default_factory=list)
    warnings: list[tuple[str, int | None]] = field(default_factory=list)


def _math_inline(content: str, _options: dict | None = None) -> str:
    # typeset here (readers/tex.py); else the TeX stays for the browser to typeset
    done = typeset(content, display=False) or "\\(" + html.escape(content) + "\\)"
    return f'<span class="math math-inline">{done}</span>'


def _math_block(content: str, _options: dict | None = None) -> str:
    done = typeset(content, display=True) or "\\[" + html.escape(content) + "\\]"
    return f'<div class="math math-display">{done}</div>\n'


def _render_math(self, tokens, idx, options, env) -> str:  # markdown-it renderer rule
    token = tokens[idx]
    if token.type == "math_inline":
        return _math_inline(token.content)
    return _math_block(token.content)


def _render_amsmath(self, tokens, idx, options, env) -> str:
    content = tokens[idx].content
    done = typeset(content, display=True)
    return f'<div class="math math-display">{done or html.escape(content)}</div>\n'


def _fence(self, tokens, idx, options, env) -> str:
    token = tokens[idx]
    info = token.info.strip().split(maxsplit=1)
    lang = info[0] if info else ""
    return highlight_block(token.content, lang)


@lru_cache(maxsize=2)
def _parser(safe: bool) -> MarkdownIt:
    """One parser per trust level; `safe` escapes raw HTML (content the author did not write)."""
    md = MarkdownIt("commonmark", {"html": not safe, "typographer": False, "alerts": True})
    md.enable(["table", "strikethrough"])
    md.use(footnote_plugin).use(tasklists_plugin).use(deflist_plugin)
    md.use(dollarmath_plugin, allow_space=True, allow_digits=False, double_inline=True)
    md.use(amsmath_plugin)
    md.add_render_rule("math_inline", _render_math)
    md.add_render_rule("math_inline_double", _render_math)
    md.add_render_rule("math_block", _render_math)
    md.add_render_rule("math_block_label", _render_math)
    md.add_render_rule("amsmath", _render_amsmath)
    md.add_render_rule("fence", _fence)
    md.add_render_rule("code_block", _fence)
    return md


class AnchorSet:
    """Unique heading anchors across one document (a notebook has many Markdown cells).

    Posts get lower-case slugs. Notebooks (`jupyter=True`) get the ids Jupyter gives a
    heading, its text with spaces turned into `-` (`#Data-Representation-in-Scikit-Learn`),
    so the section links written in Jupyter keep working; the slug stays as a second anchor.
    """

    def __init__(self, jupyter: bool = False) -> None:
        self.used: set[str] = set()
        self.jupyter = jupyter

    def make(self, text: str) -> str:
        if self.jupyter and text.strip():
            return self._unique("-".join(text.split()))
        return self._unique(slugify(text) if text.strip() else "section")

    def alias(self, text: str, anchor: str) -> str | None:
        """The slug of a notebook heading, when it differs from its Jupyter id and is free."""
        if not self.jupyter or not text.strip():
            return None
        slug = slugify(text)
        if slug == anchor or slug in self.used:
            return None
        self.used.add(slug)
        return slug

    def _unique(self, base: str) -> str:
        anchor, n = base, 1
        while anchor in self.used:
            n += 1
            anchor = f"{base}-{n}"
        self.used.add(anchor)
        return anchor


def _inline_text(token: Token) -> str:
    """The plain text of a paragraph: the lines of a paragraph joined with spaces (not glued
    into "this process.This section"), markup and HTML left out."""
    parts = [" " if child.type in ("softbreak", "hardbreak") else child.content
             for child in token.children or []
             if child.type in ("text", "code_inline", "math_inline", "softbreak", "hardbreak")]
    return " ".join("".join(parts).split())


def render_markdown(text: str, source_rel: str, *, safe: bool = False, line_offset: int = 0,
                    anchors: AnchorSet | None = None) -> MarkdownResult:
    """Render Markdown; relative links become placeholders resolved once all pages are known."""
    md = _parser(safe)
    env: dict = {}
    tokens = md.parse(text, env)
    if "> " in text:
        _fastpages_callouts(tokens)
    anchors = anchors or AnchorSet()
    result = MarkdownResult("")
    words = 0
    summary_parts: list[str] = []
    block_line: int | None = None
    for index, token in enumerate(tokens):
        if token.map:
            block_line = token.map[0] + 1 + line_offset
        if token.type.startswith("math") or token.type == "amsmath":
            result.has_math = True
        if token.type == "alert_open":  # `> [!TIP]`: titled in text; role=note marks an aside
            token.attrSet("role", "note")
        if token.type == "heading_open" and index + 1 < len(tokens):
            title = _inline_text(tokens[index + 1])
            anchor = anchors.make(title)
            token.attrSet("id", anchor)
            level = int(token.tag[1])
            if 1 < level <= 3:
                result.toc.append(Heading(level, title, anchor))
            children = tokens[index + 1].children
            if children is not None:
                link = Token("html_inline", "", 0)
                link.content = (f' <a class="heading-anchor" href="#{html.escape(anchor)}" '
                                f'aria-label="Link to this section">#</a>')
                children.append(link)
                alias = anchors.alias(title, anchor)
                if alias is not None:  # the lower-case anchor links made before still reach it
                    extra = Token("html_inline", "", 0)
                    extra.content = f'<span id="{alias}"></span>'
                    children.insert(0, extra)
        if token.type == "html_block":  # `<img src="images/x.png" width="250">` in a cell
            token.content = _rewrite_html(token.content, source_rel, block_line, result)
        if token.type != "inline":
            continue
        if tokens[index - 1].type == "paragraph_open" and not summary_parts and \
                tokens[index - 1].attrGet("class") != "markdown-alert-title":
            summary_parts.append(_inline_text(token))
        for child in _walk_children(token):
            if child.type == "text":
                words += len(child.content.split())
            elif child.type in ("math_inline", "math_inline_double"):
                result.has_math = True
            elif child.type in ("link_open", "image"):
                attr = "href" if child.type == "link_open" else "src"
                _rewrite(child, attr, source_rel, block_line, result)
            elif child.type == "html_inline":
                child.content = _rewrite_html(child.content, source_rel, block_line, result)
    for token in tokens:
        if token.type == "fence":
            words += len(token.content.split()) // 3  # code reads faster than prose
    result.html = md.renderer.render(tokens, md.options, env)
    result.words = words
    result.summary = _clip(" ".join(summary_parts), 240)
    return result


_CALLOUT = re.compile(r"^(?:\*\*)?(Note|Tip|Warning|Important)(?:\*\*)?:(?:\*\*)?\s+", re.I)


def _fastpages_callouts(tokens: list[Token]) -> None:
    """fastpages' and nbdev's `> Note: text` (also Tip, Warning, Important, and `**Note:**`)
    become the same callouts as GitHub's `> [!NOTE]`, in place: no line moves."""
    index = 0
    while index + 2 < len(tokens):
        quote, para, inline = tokens[index:index + 3]
        match = _CALLOUT.match(inline.content) if quote.type == "blockquote_open" and \
            para.type == "paragraph_open" and inline.type == "inline" else None
        if match is None or not inline.children:
            index += 1
            continue
        kind = match[1].lower()
        close = next(i for i in range(index + 1, len(tokens))
                     if tokens[i].type == "blockquote_close" and tokens[i].level == quote.level)
        for token in (quote, tokens[close]):
            token.type = token.type.replace("blockquote", "alert")
            token.tag = "div"
        quote.attrs = {"class": f"markdown-alert markdown-alert-{kind}"}
        inline.content = inline.content[match.end():]
        _drop_label(inline.children, len(match[0]))
        title = [Token("paragraph_open", "p", 1), Token("inline", "", 0),
                 Token("paragraph_close", "p", -1)]
        title[0].attrs = {"class": "markdown-alert-title"}
        label = Token("text", "", 0)
        label.content = kind.capitalize()
        title[1].children = [label]
        tokens[index + 1:index + 1] = title
        index = close + 3


def _drop_label(children: list[Token], length: int) -> None:
    """Remove the first `length` characters of text (and the bold around them) from an
    inline token's children."""
    while children and length > 0:
        child = children[0]
        if child.type in ("strong_open", "strong_close"):
            children.pop(0)
            length -= 2
        elif child.type == "text":
            take = min(length, len(child.content))
            child.content = child.content[take:]
            length -= take
            if not child.content:
                children.pop(0)
        else:
            break
    if children and children[0].type == "text":
        children[0].content = children[0].content.lstrip()


def code_lines(text: str, safe: bool = False) -> list[tuple[int, int]]:
    """The 0-based `[start, end)` line ranges of the code blocks (fenced or indented, at any
    depth) of `text`, as the renderer sees them: what Liquid translation must leave alone."""
    return [(token.map[0], token.map[1]) for token in _parser(safe).parse(text, {})
            if token.type in ("fence", "code_block") and token.map]


def _walk_children(token: Token):
    for child in token.children or []:
        yield child
        if child.children:
            yield from _walk_children(child)


def _rewrite(token: Token, attr: str, source_rel: str, line: int | None,
             result: MarkdownResult) -> None:
    value = str(token.attrGet(attr) or "")
    if value.startswith(LINK_PREFIX):  # already a placeholder (`{{ site.baseurl }}/x`: liquid.py)
        return
    if not is_safe_url(value):
        token.attrSet(attr, "#")
        result.warnings.append((f"removed an unsafe link ({value[:30]!r})", line))
        return
    path, _, fragment = value.partition("#")
    target = relative_target(source_rel, unquote(path)) if path else None
    if target is None:
        return
    result.links.append((target, line or 0))
    new = LINK_PREFIX + target + LINK_SUFFIX + (f"#{fragment}" if fragment else "")
    token.attrSet(attr, new)
    if token.type == "image" and not token.content.strip() and not token.children:
        result.warnings.append((f"image '{path}' has no alt text", line))


_HTML_LINK = re.compile(r"""(<(?:img|a|source|video|audio|iframe)\b[^>]*?\s(?:src|href)\s*=\s*)"""
                        r"""(?:"([^"]*)"|'([^']*)')""", re.IGNORECASE)


def _rewrite_html(content: str, source_rel: str, line: int | None,
                  result: MarkdownResult) -> str:
    """Relative `src`/`href` in raw HTML (real notebooks write `<img src="images/dag.png"
    width="250">`) become placeholders too, so they resolve from the page's own URL."""
    def one(match: re.Match[str]) -> str:
        value = match[2] if match[2] is not None else match[3]
        path, _, fragment = value.partition("#")
        if not path or value.startswith(LINK_PREFIX) or not is_safe_url(value):
            return match[0]  # unsafe ones are the sanitiser's to remove
        target = relative_target(source_rel, unquote(path))
        if target is None:
            return match[0]
        result.links.append((target, line or 0))
        new = LINK_PREFIX + target + LINK_SUFFIX + (f"#{fragment}" if fragment else "")
        return f'{match[1]}"{html.escape(new)}"'

    return _HTML_LINK.sub(one, content)


_TAGS = re.compile(r"<[^>]+>")


def _clip(text: str, limit: int) -> str:
    text = _TAGS.sub("", text).strip()
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0]
    return cut.rstrip(",.;:") + "…"
