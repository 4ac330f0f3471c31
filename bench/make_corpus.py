"""Generate a seeded, deterministic benchmark site for ``portfolio`` and its peers.

The site has the layout ``portfolio`` reads::

    portfolio.yml
    content/about.md, content/contact.md        pages
    content/posts/YYYY-MM-DD-slug.md            Markdown posts with YAML front matter
    projects/nb-XXX.ipynb                       Jupyter notebooks (nbformat 4.5)

Every byte depends only on the seed and the sizes, so two runs with the same
arguments produce identical trees (no clocks, no ``hash()``, no dict order
surprises). Only the standard library is used; PNG figures are written with
``zlib`` + ``struct`` from seeded noise and simple shapes.

Usage::

    python bench/make_corpus.py --size small --out /tmp/site
    python bench/make_corpus.py --posts 50 --notebooks 5 --out /tmp/tiny
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import json
import math
import random
import shutil
import struct
import sys
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

SIZES: dict[str, tuple[int, int]] = {"small": (200, 20), "large": (2000, 100)}
DEFAULT_SEED = 20240601
START_DATE = dt.date(2016, 1, 4)

PORTFOLIO_YML = """\
title: Bench Site
description: Benchmark corpus
url: https://bench.github.io/site/
author: {name: Bench Author}
github: {owner: bench, repo: site, branch: main}
posts_per_page: 10
search: false  # like for like: no peer here builds a search index (its cost: issue notes)
"""

_WORDS_TEXT = (
    "data model cache build graph static site render template theme page post index feed "
    "notebook kernel cell output figure table column row value query parser token lexer "
    "syntax markdown heading list link image code block fence language python bash shell "
    "script module package import export function class method object instance attribute "
    "property decorator generator iterator stream buffer file path folder directory tree "
    "node edge vertex weight matrix vector tensor array series frame sample batch epoch "
    "training loss metric accuracy precision recall score baseline experiment result "
    "analysis summary report chart plot axis label legend color scale range domain latency "
    "throughput memory disk network request response server client protocol session token "
    "header payload schema field record entry log event trace span benchmark profile hot "
    "path allocation garbage collector thread process worker queue scheduler timer deadline "
    "budget estimate forecast trend season regression residual gradient optimizer learning "
    "rate momentum variance bias mean median quantile outlier simple quick careful robust "
    "fast slow large small stable fragile clean messy readable portable reproducible "
    "deterministic incremental parallel lazy eager we then so because while although "
    "however therefore instead also often rarely usually first next finally clearly roughly "
    "exactly nearly quite very rather "
)
WORDS = tuple(_WORDS_TEXT.split())

_FILLER_TEXT = "the a of to in and for with on by from is are was be this that it as at or an"
FILLER = tuple(_FILLER_TEXT.split())

TAGS = (
    "python",
    "bash",
    "data",
    "ml",
    "web",
    "tooling",
    "performance",
    "testing",
    "notebooks",
    "statistics",
    "visualisation",
    "devops",
    "rust",
    "writing",
    "math",
)

LANG_SNIPPETS: dict[str, tuple[str, ...]] = {
    "python": (
        'def {f}({a}: list[float]) -> float:\n    """Return the {w} of {a}."""\n'
        "    total = 0.0\n    for item in {a}:\n        total += item * {n}\n"
        "    return total / max(len({a}), 1)\n",
        "import json\nfrom pathlib import Path\n\n\ndef {f}(path: Path) -> dict:\n"
        '    with path.open(encoding="utf-8") as fh:\n        data = json.load(fh)\n'
        '    return {{k: v for k, v in data.items() if k.startswith("{w}")}}\n',
        'class {C}:\n    """A tiny {w} holder."""\n\n'
        "    def __init__(self, {a}: int = {n}) -> None:\n"
        "        self.{a} = {a}\n\n    def __repr__(self) -> str:\n"
        '        return f"{C}({{self.{a}!r}})"\n',
        "results = [{f}(x) for x in range({n})]\n"
        'print(f"{w}: {{sum(results) / len(results):.3f}}")\n'
        'assert all(r >= 0 for r in results), "negative {w}"\n',
    ),
    "bash": (
        "#!/usr/bin/env bash\nset -euo pipefail\nfor f in {w}/*.md; do\n"
        '  wc -w "$f"\ndone | sort -n | tail -n {n}\n',
        "python -m venv .venv && . .venv/bin/activate\npip install --upgrade pip\n"
        "pip install -e '.[{w}]'\npytest -q -k {f}\n",
        "find . -name '*.{a}' -newer {w}.stamp -print0 \\\n  | xargs -0 grep -l '{f}' \\\n"
        "  | head -n {n}\n",
        'export {C}_HOME="$HOME/.{w}"\nmkdir -p "${C}_HOME"\n'
        "curl -sS localhost:{n}/health || echo down\n",
    ),
}


@dataclass(frozen=True)
class CorpusInfo:
    """What a generated corpus contains (returned by :func:`make_corpus`)."""

    root: Path
    posts: tuple[Path, ...]
    notebooks: tuple[Path, ...]
    pages: tuple[Path, ...]
    seed: int

    def to_json(self) -> dict[str, object]:
        """Summary suitable for a results file."""
        size = sum(p.stat().st_size for p in (*self.posts, *self.notebooks, *self.pages))
        return {
            "posts": len(self.posts),
            "notebooks": len(self.notebooks),
            "pages": len(self.pages),
            "bytes": size,
            "seed": self.seed,
        }


# --------------------------------------------------------------------------- text


def _sentence(rng: random.Random, lo: int = 8, hi: int = 20) -> str:
    n = rng.randint(lo, hi)
    words = [rng.choice(FILLER) if rng.random() < 0.35 else rng.choice(WORDS) for _ in range(n)]
    if rng.random() < 0.25:
        i = rng.randrange(n)
        words[i] = f"`{rng.choice(WORDS)}_{rng.choice(WORDS)}`"
    if rng.random() < 0.2:
        i = rng.randrange(n)
        words[i] = f"**{words[i]}**"
    if rng.random() < 0.15:
        i = rng.randrange(n)
        words[i] = f"*{words[i]}*"
    text = " ".join(words)
    return text[0].upper() + text[1:] + rng.choice(".....?!")


def _paragraph(rng: random.Random, lo: int = 2, hi: int = 5) -> str:
    parts = [_sentence(rng) for _ in range(rng.randint(lo, hi))]
    if rng.random() < 0.5:
        i = rng.randrange(len(parts))
        word = rng.choice(WORDS)
        target = (
            f"https://example.org/{rng.choice(WORDS)}/{rng.choice(WORDS)}"
            if rng.random() < 0.7
            else f"/posts/{rng.choice(WORDS)}-{rng.choice(WORDS)}/"
        )
        parts[i] += f" See [{word} notes]({target}) for details."
    return " ".join(parts)


def _title(rng: random.Random, lo: int = 3, hi: int = 7) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(lo, hi))]
    return " ".join(w.capitalize() if i == 0 or len(w) > 3 else w for i, w in enumerate(words))


def _slugify(text: str) -> str:
    out = "".join(c if c.isalnum() else "-" for c in text.lower())
    while "--" in out:
        out = out.replace("--", "-")
    return out.strip("-")[:60].strip("-")


def _code_block(rng: random.Random, lang: str) -> str:
    template = rng.choice(LANG_SNIPPETS[lang])
    body = template.format(
        f=f"{rng.choice(WORDS)}_{rng.choice(WORDS)}",
        a=rng.choice(("items", "values", "rows", "xs", "ext")),
        w=rng.choice(WORDS),
        n=rng.randint(2, 99),
        C=rng.choice(WORDS).capitalize() + rng.choice(WORDS).capitalize(),
    )
    return f"```{lang}\n{body}```"


def _table(rng: random.Random) -> str:
    ncols = rng.randint(3, 5)
    header = [rng.choice(WORDS).capitalize() for _ in range(ncols)]
    aligns = [rng.choice((":---", "---:", ":---:", "---")) for _ in range(ncols)]
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join(aligns) + " |"]
    for _ in range(rng.randint(3, 7)):
        cells = [
            rng.choice(WORDS) if c == 0 else f"{rng.uniform(0, 1000):.{rng.randint(0, 3)}f}"
            for c in range(ncols)
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _list(rng: random.Random) -> str:
    ordered = rng.random() < 0.4
    items = []
    for i in range(rng.randint(3, 6)):
        mark = f"{i + 1}." if ordered else "-"
        items.append(f"{mark} {_sentence(rng, 4, 12)}")
        if not ordered and rng.random() < 0.2:
            items.append(f"    - {_sentence(rng, 3, 8)}")
    return "\n".join(items)


def _count_words(text: str) -> int:
    return len(text.split())


def post_text(rng: random.Random, title: str, date: dt.date, tags: Sequence[str]) -> str:
    """Return the full Markdown source (front matter + body) of one post."""
    target = rng.randint(600, 1380)  # the last section overshoots by up to ~120 words
    n_code = rng.randint(3, 6)
    langs = ["python", "bash"] + [rng.choice(("python", "bash")) for _ in range(n_code - 2)]
    rng.shuffle(langs)
    summary = _sentence(rng, 10, 18).replace('"', "'")
    blocks: list[str] = [_paragraph(rng, 3, 5)]
    extras: list[str] = [_table(rng), *(_code_block(rng, lang) for lang in langs)]
    # Headings; each section gets prose, maybe a list, and one pending extra.
    words = sum(_count_words(b) for b in blocks + extras)
    while words < target or extras:
        if words >= target:
            # Enough prose: place what is left of the tables/code, one per section.
            heading = f"## {_title(rng, 2, 4)}"
            blocks += [heading, extras.pop(0)]
            words += _count_words(heading)
            continue
        heading = f"## {_title(rng, 2, 5)}"
        blocks.append(heading)
        para = _paragraph(rng)
        blocks.append(para)
        words += _count_words(heading) + _count_words(para)
        if rng.random() < 0.5:
            lst = _list(rng)
            blocks.append(lst)
            words += _count_words(lst)
        if rng.random() < 0.3:
            sub = f"### {_title(rng, 2, 4)}"
            para = _paragraph(rng, 1, 3)
            blocks += [sub, para]
            words += _count_words(sub) + _count_words(para)
        if extras:
            blocks.append(extras.pop(0))
    body = "\n\n".join(blocks)
    front = (
        "---\n"
        f'title: "{title}"\n'
        f"date: {date.isoformat()}\n"
        f"tags: [{', '.join(tags)}]\n"
        f'summary: "{summary}"\n'
        "---\n\n"
    )
    return front + body + "\n"


def split_front_matter(text: str) -> tuple[dict[str, str | list[str]], str]:
    """Split a generated document into (front matter, body).

    Understands exactly the YAML subset this module writes: ``key: value``
    lines, double-quoted strings and ``[a, b]`` flow lists. Peers whose
    metadata format differs (Pelican, Nikola) are fed from this.
    """
    if not text.startswith("---\n"):
        return {}, text
    head, _, body = text[4:].partition("\n---")
    meta: dict[str, str | list[str]] = {}
    for line in head.splitlines():
        key, sep, value = line.partition(":")
        if not sep:
            continue
        value = value.strip()
        if value.startswith("[") and value.endswith("]"):
            meta[key.strip()] = [v.strip() for v in value[1:-1].split(",") if v.strip()]
        else:
            meta[key.strip()] = (
                value[1:-1] if value.startswith('"') and value.endswith('"') else value
            )
    return meta, body.lstrip("\n")


def notebook_front_matter(nb: dict[str, object]) -> dict[str, str | list[str]]:
    """Return the front matter of a generated notebook (its first, raw cell)."""
    cells = nb.get("cells")
    if not isinstance(cells, list) or not cells or cells[0].get("cell_type") != "raw":
        return {}
    source = cells[0].get("source", "")
    text = "".join(source) if isinstance(source, list) else str(source)
    return split_front_matter(text + "\n")[0]


# --------------------------------------------------------------------------- PNG


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return (
        struct.pack(">I", len(data))
        + kind
        + data
        + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    )


def png_figure(rng: random.Random, target_kb: int, width: int = 640, height: int = 420) -> bytes:
    """Return a PNG (RGB) of roughly ``target_kb`` KiB that looks vaguely like a plot.

    A white canvas with axes, a few coloured curves and bars, plus a "heatmap"
    panel of seeded noise whose area sets the compressed size (noise does not
    compress, so the file stays near the target).
    """
    stride = width * 3
    px = bytearray(b"\xff" * (stride * height))

    def put(x: int, y: int, rgb: tuple[int, int, int], r: int = 1) -> None:
        for yy in range(max(0, y - r), min(height, y + r + 1)):
            base = yy * stride
            for xx in range(max(0, x - r), min(width, x + r + 1)):
                i = base + xx * 3
                px[i : i + 3] = bytes(rgb)

    def rect(x0: int, y0: int, x1: int, y1: int, rgb: tuple[int, int, int]) -> None:
        row = bytes(rgb) * (x1 - x0)
        for yy in range(max(0, y0), min(height, y1)):
            i = yy * stride + x0 * 3
            px[i : i + len(row)] = row

    # Noise panel sized for the target (each random byte costs ~1 byte).
    noise_bytes = max(3000, (target_kb * 1024 - 3000) * 8 // 7)
    panel_w = min(width // 2 - 20, 300)
    panel_h = min(height - 40, max(10, noise_bytes // (panel_w * 3)))
    x0, y0 = width - panel_w - 10, 20
    base_rgb = (rng.randrange(40, 200), rng.randrange(40, 200), rng.randrange(40, 200))
    for yy in range(panel_h):
        noise = rng.randbytes(panel_w * 3)
        row = bytes((b & 0x7F) + (base_rgb[i % 3] >> 1) for i, b in enumerate(noise))
        i = (y0 + yy) * stride + x0 * 3
        px[i : i + len(row)] = row

    # Axes of the left plot.
    left, right, top, bottom = 40, width - panel_w - 30, 20, height - 30
    rect(left, top, left + 2, bottom, (0, 0, 0))
    rect(left, bottom - 2, right, bottom, (0, 0, 0))
    for k in range(1, 6):
        tx = left + (right - left) * k // 6
        rect(tx, bottom, tx + 1, bottom + 6, (0, 0, 0))
    # Bars.
    nbars = rng.randint(4, 9)
    bw = (right - left) // (nbars * 2)
    colour = (rng.randrange(256), rng.randrange(256), rng.randrange(256))
    for k in range(nbars):
        bh = rng.randint(20, (bottom - top) // 2)
        bx = left + 10 + k * 2 * bw
        rect(bx, bottom - bh, bx + bw, bottom - 2, colour)
    # Curves.
    for _ in range(rng.randint(1, 3)):
        rgb = (rng.randrange(200), rng.randrange(200), rng.randrange(200))
        amp = rng.uniform(0.15, 0.4) * (bottom - top)
        freq = rng.uniform(1, 5)
        phase = rng.uniform(0, math.tau)
        mid = (top + bottom) / 2 + rng.uniform(-30, 30)
        for x in range(left + 3, right, 2):
            t = (x - left) / (right - left)
            y = int(mid - amp * math.sin(freq * math.tau * t + phase) - 20 * t)
            put(x, y, rgb)

    raw = b"".join(b"\x00" + bytes(px[y * stride : (y + 1) * stride]) for y in range(height))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", ihdr)
        + _png_chunk(b"IDAT", zlib.compress(raw, 6))
        + _png_chunk(b"IEND", b"")
    )


# --------------------------------------------------------------------------- notebooks


def _lines(text: str) -> list[str]:
    """Split text the way nbformat stores multi-line strings."""
    return text.splitlines(keepends=True)


def _dataframe_html(rng: random.Random) -> tuple[str, str]:
    cols = [rng.choice(WORDS) for _ in range(rng.randint(3, 6))]
    nrows = rng.randint(5, 12)
    rows = [[round(rng.gauss(0, 100), 4) for _ in cols] for _ in range(nrows)]
    head = "".join(f"      <th>{c}</th>\n" for c in cols)
    body = "".join(
        "    <tr>\n      <th>"
        + str(i)
        + "</th>\n"
        + "".join(f"      <td>{v}</td>\n" for v in row)
        + "    </tr>\n"
        for i, row in enumerate(rows)
    )
    html = (
        "<div>\n<style scoped>\n    .dataframe tbody tr th:only-of-type {\n"
        "        vertical-align: middle;\n    }\n\n    .dataframe tbody tr th {\n"
        "        vertical-align: top;\n    }\n\n    .dataframe thead th {\n"
        "        text-align: right;\n    }\n</style>\n"
        '<table border="1" class="dataframe">\n  <thead>\n    <tr style="text-align: right;">\n'
        f"      <th></th>\n{head}    </tr>\n  </thead>\n"
        f"  <tbody>\n{body}  </tbody>\n</table>\n</div>"
    )
    width = 12
    plain = " " * 4 + "".join(c.rjust(width) for c in cols) + "\n"
    plain += "\n".join(
        str(i).ljust(4) + "".join(str(v).rjust(width) for v in row) for i, row in enumerate(rows)
    )
    return html, plain


def _math_markdown(rng: random.Random) -> str:
    a, b = rng.choice(WORDS), rng.choice(WORDS)
    inline = [
        r"$x_{i} = \alpha_{0} + \beta_{1} t_{i}$",
        r"$\hat{y}_t = \sum_{k=1}^{K} w_k x_{t-k}$",
        r"$\sigma_{x}^2 = \frac{1}{n} \sum_i (x_i - \bar{x})^2$",
        r"$p(\theta_j \mid D) \propto p(D \mid \theta_j) p(\theta_j)$",
        r"$L_{total} = L_{data} + \lambda_{reg} \|w\|_2^2$",
    ]
    display = [
        r"$$\mathcal{L}(\theta) = -\frac{1}{N}\sum_{n=1}^{N} \log p_\theta(y_n \mid x_n)$$",
        r"$$f_{k+1} = f_k - \eta_k \nabla_{\theta} J(\theta_k)$$",
        r"$$R^2 = 1 - \frac{\sum_i (y_i - \hat{y}_i)^2}{\sum_i (y_i - \bar{y})^2}$$",
    ]
    parts = [
        f"## {_title(rng, 2, 5)}",
        "",
        f"We model the {a} with {rng.choice(inline)} and the {b} with {rng.choice(inline)}. "
        + _sentence(rng),
    ]
    if rng.random() < 0.5:
        parts += ["", rng.choice(display)]
    if rng.random() < 0.4:
        parts += ["", _list(rng)]
    return "\n".join(parts)


# ANSI escapes as IPython writes them into tracebacks.
_RED, _GREEN, _CYAN, _BLUE, _RESET = (
    "\x1b[0;31m",
    "\x1b[0;32m",
    "\x1b[0;36m",
    "\x1b[0;34m",
    "\x1b[0m",
)
_BOLD_GREEN, _KW, _KW_END = "\x1b[1;32m", "\x1b[38;5;28;01m", "\x1b[39;00m"
_HL, _HL_END = "\x1b[43m", "\x1b[49m"


def _traceback(rng: random.Random, count: int) -> dict[str, object]:
    ename = rng.choice(("ValueError", "KeyError", "ZeroDivisionError", "TypeError"))
    evalue = f"{rng.choice(WORDS)} {rng.choice(WORDS)} is not valid"
    fn = f"{rng.choice(WORDS)}_{rng.choice(WORDS)}"
    call = f"{_HL}{fn}{_HL_END}{_HL}({_HL_END}{_HL}data{_HL_END}{_HL}){_HL_END}"
    return {
        "output_type": "error",
        "ename": ename,
        "evalue": evalue,
        "traceback": [
            f"{_RED}{'-' * 75}{_RESET}",
            f"{_RED}{ename}{_RESET}{' ' * 32}Traceback (most recent call last)",
            f"Cell {_GREEN}In[{count}], line 3{_RESET}\n"
            f"{_BOLD_GREEN}      1{_RESET} data \x1b[38;5;241m=\x1b[39m load()\n"
            f"{_GREEN}----> 3{_RESET} {call}\n",
            f"Cell {_GREEN}In[{count - 1}], line 5{_RESET}, in {_CYAN}{fn}{_BLUE}(rows){_RESET}\n"
            f"{_BOLD_GREEN}      4{_RESET} {_KW}if{_KW_END} \x1b[38;5;129;01mnot{_KW_END} rows:\n"
            f"{_GREEN}----> 5{_RESET}     {_KW}raise{_KW_END} {ename}("
            f'\x1b[38;5;124m"{evalue}"\x1b[39m)\n',
            f"{_RED}{ename}{_RESET}: {evalue}",
        ],
    }


def notebook_json(
    rng: random.Random, index: int, title: str, date: dt.date, tags: Sequence[str]
) -> dict[str, object]:
    """Return one notebook (nbformat 4.5, fixed cell ids) as a JSON-ready dict."""
    cells: list[dict[str, object]] = []
    summary = _sentence(rng, 8, 14).replace('"', "'")

    def cell_id() -> str:
        return f"nb{index:03d}-c{len(cells):03d}"

    cells.append(
        {
            "cell_type": "raw",
            "id": cell_id(),
            "metadata": {},
            "source": _lines(
                "---\n"
                f'title: "{title}"\n'
                f"date: {date.isoformat()}\n"
                f'summary: "{summary}"\n'
                f"tags: [{', '.join(tags)}]\n"
                "---"
            ),
        }
    )
    n_cells = rng.randint(20, 40)
    n_figures = rng.randint(1, 3)
    figure_at = set(rng.sample(range(3, n_cells), n_figures))
    table_at = rng.randrange(2, n_cells)
    error_at = rng.randrange(5, n_cells) if rng.random() < 0.4 else -1
    count = 0
    for k in range(1, n_cells):
        if k not in figure_at and k != table_at and k != error_at and rng.random() < 0.4:
            cells.append(
                {
                    "cell_type": "markdown",
                    "id": cell_id(),
                    "metadata": {},
                    "source": _lines(_math_markdown(rng)),
                }
            )
            continue
        count += 1
        src = (
            rng.choice(LANG_SNIPPETS["python"])
            .format(
                f=f"{rng.choice(WORDS)}_{rng.choice(WORDS)}",
                a=rng.choice(("items", "values", "rows", "xs")),
                w=rng.choice(WORDS),
                n=rng.randint(2, 99),
                C=rng.choice(WORDS).capitalize() + rng.choice(WORDS).capitalize(),
            )
            .rstrip("\n")
        )
        outputs: list[dict[str, object]] = []
        if k == error_at:
            outputs.append(_traceback(rng, count))
        elif k in figure_at:
            src = (
                "fig, ax = plt.subplots(figsize=(8, 5))\n"
                "ax.plot(df.index, df.values)\nfig.savefig('out.png')"
            )
            png = png_figure(rng, rng.randint(21, 70))
            outputs.append(
                {
                    "output_type": "display_data",
                    "data": {
                        "image/png": base64.b64encode(png).decode("ascii"),
                        "text/plain": ["<Figure size 800x500 with 1 Axes>"],
                    },
                    "metadata": {},
                }
            )
        elif k == table_at:
            src = "df = pd.DataFrame(results)\ndf.describe()"
            html, plain = _dataframe_html(rng)
            outputs.append(
                {
                    "output_type": "execute_result",
                    "execution_count": count,
                    "data": {"text/html": _lines(html), "text/plain": _lines(plain)},
                    "metadata": {},
                }
            )
        else:
            lines = [
                f"{rng.choice(WORDS)}: {rng.uniform(0, 10):.4f}" for _ in range(rng.randint(1, 8))
            ]
            outputs.append(
                {"output_type": "stream", "name": "stdout", "text": _lines("\n".join(lines) + "\n")}
            )
        cells.append(
            {
                "cell_type": "code",
                "execution_count": count,
                "id": cell_id(),
                "metadata": {},
                "outputs": outputs,
                "source": _lines(src),
            }
        )
    return {
        "cells": cells,
        "metadata": {
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {
                "codemirror_mode": {"name": "ipython", "version": 3},
                "file_extension": ".py",
                "mimetype": "text/x-python",
                "name": "python",
                "nbconvert_exporter": "python",
                "pygments_lexer": "ipython3",
                "version": "3.11.7",
            },
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def dump_notebook(nb: dict[str, object]) -> str:
    """Serialise a notebook the way Jupyter does (1-space indent, sorted keys)."""
    return json.dumps(nb, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


# --------------------------------------------------------------------------- site


def _tags(rng: random.Random) -> list[str]:
    return sorted(rng.sample(TAGS, rng.randint(1, 4)))


def make_corpus(
    out: Path, posts: int, notebooks: int, seed: int = DEFAULT_SEED, clean: bool = True
) -> CorpusInfo:
    """Write a benchmark site with ``posts`` posts and ``notebooks`` notebooks to ``out``.

    Args:
        out: Target directory (created; emptied first when ``clean``).
        posts: Number of Markdown posts.
        notebooks: Number of notebooks.
        seed: Seed of every random choice.
        clean: Remove ``out`` before writing.
    """
    if clean and out.exists():
        shutil.rmtree(out)
    (out / "content" / "posts").mkdir(parents=True, exist_ok=True)
    (out / "projects").mkdir(parents=True, exist_ok=True)
    (out / "portfolio.yml").write_text(PORTFOLIO_YML, encoding="utf-8")

    pages = []
    page_rng = random.Random(f"{seed}-pages")
    for name, title in (("about", "About"), ("contact", "Contact")):
        path = out / "content" / f"{name}.md"
        body = "\n\n".join(_paragraph(page_rng) for _ in range(4))
        path.write_text(f"---\ntitle: {title}\n---\n\n{body}\n", encoding="utf-8")
        pages.append(path)

    post_paths = []
    seen: set[str] = set()
    for i in range(posts):
        rng = random.Random(f"{seed}-post-{i}")
        date = START_DATE + dt.timedelta(days=i)  # 2000 posts end in 2021: never in the future
        title = _title(rng)
        slug = _slugify(title) or f"post-{i}"
        if slug in seen:
            slug = f"{slug}-{i}"
        seen.add(slug)
        path = out / "content" / "posts" / f"{date.isoformat()}-{slug}.md"
        path.write_text(post_text(rng, title, date, _tags(rng)), encoding="utf-8")
        post_paths.append(path)

    nb_paths = []
    for j in range(1, notebooks + 1):
        rng = random.Random(f"{seed}-nb-{j}")
        date = START_DATE + dt.timedelta(days=j * 15)
        title = f"Project {j}: {_title(rng, 2, 5)}"
        nb = notebook_json(rng, j, title, date, _tags(rng))
        path = out / "projects" / f"nb-{j:03d}.ipynb"
        path.write_text(dump_notebook(nb), encoding="utf-8")
        nb_paths.append(path)
    return CorpusInfo(out, tuple(post_paths), tuple(nb_paths), tuple(pages), seed)


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--size", choices=sorted(SIZES), default="small", help="preset (default small)"
    )
    parser.add_argument("--posts", type=int, help="number of posts (overrides --size)")
    parser.add_argument("--notebooks", type=int, help="number of notebooks (overrides --size)")
    parser.add_argument(
        "--seed", type=int, default=DEFAULT_SEED, help=f"random seed (default {DEFAULT_SEED})"
    )
    parser.add_argument("--out", type=Path, required=True, help="output directory (replaced)")
    args = parser.parse_args(argv)
    posts, notebooks = SIZES[args.size]
    posts = args.posts if args.posts is not None else posts
    notebooks = args.notebooks if args.notebooks is not None else notebooks
    if posts < 0 or notebooks < 0:
        parser.error("--posts and --notebooks must be >= 0")
    info = make_corpus(args.out, posts, notebooks, seed=args.seed)
    stats = info.to_json()
    print(
        f"wrote {stats['posts']} posts, {stats['notebooks']} notebooks, {stats['pages']} pages "
        f"({int(stats['bytes']) / 1e6:.1f} MB) to {args.out}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
