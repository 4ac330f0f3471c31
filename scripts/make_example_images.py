"""Generate the static images used by the example site.

Dev requirements (NOT runtime dependencies of ``portfolio``)::

    pip install matplotlib numpy pillow

Run from the repository root::

    python scripts/make_example_images.py

Writes:

* ``content/images/avatar.png``                  - 256x256 "AE" avatar
* ``projects/images/sentiment-api.png``          - 800x450 project card
* ``projects/iris-eda/images/pipeline.png``      - diagram used by the iris notebook
* ``content/posts/images/learning-rates.png``    - loss curves for the GD post
* ``content/posts/images/bias-variance.png``     - under/over-fitting figure

Everything is seeded and written without timestamps, so re-running the
script produces (near) byte-identical files for a given library version.
"""

from __future__ import annotations

import os
from pathlib import Path

os.environ.setdefault("SOURCE_DATE_EPOCH", "1788739200")  # 2026-09-07, stable SVG/PDF dates

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch  # noqa: E402
from PIL import Image, ImageDraw, ImageFilter, ImageFont  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
FONT_DIR = Path(matplotlib.get_data_path()) / "fonts" / "ttf"

INK = "#1f2933"
ACCENT = "#6d28d9"
ACCENT_2 = "#0ea5e9"
MUTED = "#64748b"

plt.rcParams.update(
    {
        "svg.hashsalt": "portfolio-example",
        "font.family": "DejaVu Sans",
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.titleweight": "bold",
    }
)


def font(size: int, bold: bool = False, mono: bool = False) -> ImageFont.FreeTypeFont:
    name = "DejaVuSansMono" if mono else "DejaVuSans"
    if bold:
        name += "-Bold"
    return ImageFont.truetype(str(FONT_DIR / f"{name}.ttf"), size)


def save_png(img: Image.Image, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    img.save(path, format="PNG", optimize=True)
    print(f"wrote {path.relative_to(ROOT)} ({path.stat().st_size / 1024:.1f} KB)")


def save_fig(fig: plt.Figure, path: Path, dpi: int = 100) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=dpi, bbox_inches="tight", metadata={"Software": None})
    plt.close(fig)
    print(f"wrote {path.relative_to(ROOT)} ({path.stat().st_size / 1024:.1f} KB)")


def hex_rgb(value: str) -> tuple[int, int, int]:
    value = value.lstrip("#")
    return tuple(int(value[i : i + 2], 16) for i in (0, 2, 4))  # type: ignore[return-value]


def diagonal_gradient(size: tuple[int, int], start: str, end: str) -> Image.Image:
    w, h = size
    a = np.array(hex_rgb(start), dtype=float)
    b = np.array(hex_rgb(end), dtype=float)
    yy, xx = np.mgrid[0:h, 0:w]
    t = ((xx / max(w - 1, 1)) + (yy / max(h - 1, 1))) / 2
    arr = a + (b - a) * t[..., None]
    return Image.fromarray(arr.clip(0, 255).astype("uint8"), "RGB")


# --------------------------------------------------------------------------
# avatar
# --------------------------------------------------------------------------
def make_avatar(path: Path) -> None:
    scale = 4  # supersample for smooth edges
    size = 256 * scale
    grad = diagonal_gradient((size, size), "#7c3aed", "#06b6d4").convert("RGBA")

    mask = Image.new("L", (size, size), 0)
    ImageDraw.Draw(mask).ellipse((0, 0, size - 1, size - 1), fill=255)

    # soft highlight in the upper-left corner
    glow = Image.new("L", (size, size), 0)
    ImageDraw.Draw(glow).ellipse((-size * 0.2, -size * 0.3, size * 0.7, size * 0.55), fill=70)
    glow = glow.filter(ImageFilter.GaussianBlur(size // 10))
    white = Image.new("RGBA", (size, size), (255, 255, 255, 255))
    grad = Image.composite(white, grad, glow)

    draw = ImageDraw.Draw(grad)
    f = font(int(size * 0.38), bold=True)
    text = "AE"
    box = draw.textbbox((0, 0), text, font=f)
    tw, th = box[2] - box[0], box[3] - box[1]
    pos = ((size - tw) / 2 - box[0], (size - th) / 2 - box[1])
    draw.text((pos[0] + scale * 3, pos[1] + scale * 4), text, font=f, fill=(30, 16, 80, 90))
    draw.text(pos, text, font=f, fill=(255, 255, 255, 255))

    out = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    out.paste(grad, (0, 0), mask)
    out = out.resize((256, 256), Image.LANCZOS)
    save_png(out, path)


# --------------------------------------------------------------------------
# sentiment-api project card
# --------------------------------------------------------------------------
def make_sentiment_card(path: Path) -> None:
    W, H = 800, 450
    s = 2
    img = diagonal_gradient((W * s, H * s), "#0f172a", "#312e81").convert("RGBA")
    draw = ImageDraw.Draw(img)

    # faint dot grid
    for x in range(0, W * s, 28 * s):
        for y in range(0, H * s, 28 * s):
            draw.ellipse((x, y, x + 2 * s, y + 2 * s), fill=(255, 255, 255, 28))

    # title block
    draw.text((48 * s, 46 * s), "Sentiment API", font=font(44 * s, bold=True), fill="white")
    draw.text(
        (50 * s, 104 * s),
        "FastAPI  +  DistilBERT  +  Docker",
        font=font(19 * s),
        fill=(196, 181, 253),
    )

    # request "terminal" card
    card = (48 * s, 160 * s, 468 * s, 400 * s)
    draw.rounded_rectangle(card, radius=14 * s, fill=(15, 23, 42, 235), outline=(99, 102, 241), width=2 * s)
    for i, c in enumerate(["#ef4444", "#f59e0b", "#22c55e"]):
        cx = card[0] + (22 + i * 18) * s
        draw.ellipse((cx, card[1] + 16 * s, cx + 10 * s, card[1] + 26 * s), fill=c)
    mono = font(15 * s, mono=True)
    lines = [
        ("$ curl -X POST /predict \\", "#e2e8f0"),
        ("    -d '{\"text\": \"I love this", "#e2e8f0"),
        ("         course!\"}'", "#e2e8f0"),
        ("", "#e2e8f0"),
        ("{", "#94a3b8"),
        ('  "label": "POSITIVE",', "#86efac"),
        ('  "score": 0.9987,', "#7dd3fc"),
        ('  "latency_ms": 41', "#fcd34d"),
        ("}", "#94a3b8"),
    ]
    y = card[1] + 44 * s
    for text, colour in lines:
        draw.text((card[0] + 22 * s, y), text, font=mono, fill=colour)
        y += 20 * s

    # score bars on the right
    bx = 510 * s
    draw.text((bx, 168 * s), "Confidence", font=font(17 * s, bold=True), fill="white")
    bars = [("positive", 0.9987, "#22c55e"), ("negative", 0.0013, "#ef4444")]
    y = 204 * s
    for label, value, colour in bars:
        draw.text((bx, y), label, font=font(14 * s), fill=(203, 213, 225))
        draw.rounded_rectangle((bx, y + 24 * s, bx + 240 * s, y + 40 * s), radius=8 * s, fill=(51, 65, 85))
        draw.rounded_rectangle(
            (bx, y + 24 * s, bx + max(int(240 * s * value), 16 * s), y + 40 * s), radius=8 * s, fill=colour
        )
        draw.text((bx + 182 * s, y), f"{value:.2%}", font=font(14 * s, mono=True), fill="white")
        y += 62 * s

    # little stats chips
    chips = ["91.3% acc (SST-2)", "66M params"]
    y = 340 * s
    x = bx
    for chip in chips:
        f = font(13 * s, bold=True)
        tb = draw.textbbox((0, 0), chip, font=f)
        cw = tb[2] - tb[0] + 24 * s
        draw.rounded_rectangle((x, y, x + cw, y + 30 * s), radius=15 * s, fill=(109, 40, 217))
        draw.text((x + 12 * s, y + 7 * s), chip, font=f, fill="white")
        y += 40 * s

    img = img.resize((W, H), Image.LANCZOS).convert("RGB")
    save_png(img, path)


# --------------------------------------------------------------------------
# iris pipeline diagram
# --------------------------------------------------------------------------
def make_pipeline(path: Path) -> None:
    steps = [
        ("Load", "sklearn.datasets\nload_iris()"),
        ("Inspect", "head(), describe()\nduplicates"),
        ("Visualise", "histograms\nscatter plots"),
        ("Summarise", "correlations\nPCA"),
    ]
    colours = ["#ede9fe", "#e0f2fe", "#dcfce7", "#fef3c7"]
    edges = ["#7c3aed", "#0284c7", "#16a34a", "#d97706"]
    fig, ax = plt.subplots(figsize=(9, 1.9))
    ax.set_xlim(0, 9)
    ax.set_ylim(0, 1.9)
    ax.axis("off")
    for i, ((title, sub), fc, ec) in enumerate(zip(steps, colours, edges, strict=False)):
        x = 0.1 + i * 2.25
        ax.add_patch(
            FancyBboxPatch((x, 0.25), 1.8, 1.4, boxstyle="round,pad=0.02,rounding_size=0.15", fc=fc, ec=ec, lw=2)
        )
        ax.text(x + 0.9, 1.28, title, ha="center", va="center", fontsize=13, weight="bold", color=INK)
        ax.text(x + 0.9, 0.72, sub, ha="center", va="center", fontsize=8.5, color=MUTED, family="DejaVu Sans Mono")
        if i < len(steps) - 1:
            ax.add_patch(
                FancyArrowPatch((x + 1.85, 0.95), (x + 2.2, 0.95), arrowstyle="-|>", mutation_scale=16, color=INK, lw=1.6)
            )
    save_fig(fig, path, dpi=100)


# --------------------------------------------------------------------------
# blog post figures
# --------------------------------------------------------------------------
def make_learning_rates(path: Path) -> None:
    """Gradient descent on a 1-D least-squares problem with several step sizes."""
    rng = np.random.default_rng(7)
    x = rng.uniform(-2, 2, 100)
    y = 3 * x + rng.normal(0, 0.5, 100)
    # loss(w) = mean((w x - y)^2) / 2, curvature L = mean(x^2)
    L = np.mean(x**2)
    fig, ax = plt.subplots(figsize=(7, 4))
    for factor, colour in [(0.05, ACCENT_2), (0.3, "#16a34a"), (1.0, ACCENT), (1.8, "#d97706"), (2.05, "#dc2626")]:
        lr = factor / L
        w = 0.0
        losses = []
        for _ in range(40):
            r = w * x - y
            losses.append(0.5 * np.mean(r**2))
            w -= lr * np.mean(r * x)
        ax.plot(losses, color=colour, lw=2, label=rf"$\alpha = {factor:g}/L$")
    ax.set_yscale("log")
    ax.set_ylim(0.05, 50)
    ax.set_xlabel("iteration")
    ax.set_ylabel(r"loss $J(w)$ (log scale)")
    ax.set_title("Same problem, five learning rates")
    ax.legend(frameon=False, ncol=2)
    ax.grid(alpha=0.3)
    save_fig(fig, path, dpi=90)


def make_bias_variance(path: Path) -> None:
    rng = np.random.default_rng(3)
    n = 18
    x = np.sort(rng.uniform(0, 1, n))
    f = lambda t: np.sin(2 * np.pi * t)  # noqa: E731
    y = f(x) + rng.normal(0, 0.25, n)
    grid = np.linspace(0, 1, 300)
    fig, axes = plt.subplots(1, 3, figsize=(10, 3.2), sharey=True)
    for ax, degree, title in zip(axes, [1, 4, 15], ["degree 1: underfits", "degree 4: about right", "degree 15: overfits"], strict=False):
        coefs = np.polynomial.polynomial.Polynomial.fit(x, y, degree)
        ax.plot(grid, f(grid), color=MUTED, ls="--", lw=1.5, label="true function")
        ax.plot(grid, coefs(grid), color=ACCENT, lw=2.2, label="fitted model")
        ax.scatter(x, y, s=22, color=INK, zorder=3, label="training data")
        ax.set_title(title)
        ax.set_ylim(-1.8, 1.8)
        ax.set_xticks([])
    axes[0].set_yticks([])
    axes[0].legend(frameon=False, fontsize=8, loc="lower left")
    fig.tight_layout()
    save_fig(fig, path, dpi=90)


def main() -> None:
    make_avatar(ROOT / "content" / "images" / "avatar.png")
    make_sentiment_card(ROOT / "projects" / "images" / "sentiment-api.png")
    make_pipeline(ROOT / "projects" / "iris-eda" / "images" / "pipeline.png")
    make_learning_rates(ROOT / "content" / "posts" / "images" / "learning-rates.png")
    make_bias_variance(ROOT / "content" / "posts" / "images" / "bias-variance.png")


if __name__ == "__main__":
    main()
