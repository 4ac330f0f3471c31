"""Build and execute the example notebooks that live in ``projects/``.

The ``portfolio`` build tool never executes notebooks: it renders whatever
outputs are saved in the ``.ipynb`` files.  This script is how the example
site's notebooks were produced.  It assembles each notebook cell by cell with
``nbformat``, executes it once, for real, with ``nbclient`` and the ``python3``
(ipykernel) kernel, tidies the result and writes it with its outputs.

Dev requirements (NOT runtime dependencies of ``portfolio`` - do not add them
to ``pyproject.toml``)::

    pip install nbformat nbclient ipykernel matplotlib numpy pandas scikit-learn plotly

Usage, from the repository root::

    python scripts/make_example_notebooks.py            # build all notebooks
    python scripts/make_example_notebooks.py iris-eda   # build only some
    python scripts/make_example_notebooks.py --list

The output is deterministic-ish: RNGs are seeded, cell ids are fixed
("cell-00", "cell-01", ...), execution timing metadata is stripped,
matplotlib renders PNGs with a fixed dpi through the inline (Agg) backend and
``svg.hashsalt`` / ``SOURCE_DATE_EPOCH`` are set, plotly's random div ids are
replaced by stable ones, and machine-specific paths (temporary ipykernel cell
files, site-packages, the home directory, the repository) are scrubbed from
every text output.  PNG bytes can still differ between matplotlib/freetype
versions.

Feature map (useful when writing tests against the example site):

=====================================  ===========================================
notebook                               exercises
=====================================  ===========================================
projects/iris-eda/iris-eda.ipynb       raw-cell YAML front matter (Quarto style),
                                       relative image link, inline/display/align
                                       math, HTML tables, PNG figures, stderr
                                       UserWarning stream
projects/linear-regression-from-       fastpages front matter (first Markdown
scratch.ipynb                          cell), ``#| code-fold: true``,
                                       ``#hide_input``, ANSI error traceback
                                       (``raises-exception`` tag), math, figures
projects/digits-knn.ipynb              ``metadata.portfolio`` front matter,
                                       plotly (application/vnd.plotly.v1+json +
                                       text/html), stdout classification report,
                                       confusion-matrix figure
=====================================  ===========================================
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import re
import site
import sys
import tempfile
import textwrap
import uuid
from collections.abc import Callable
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_raw_cell

ROOT = Path(__file__).resolve().parent.parent
PROJECTS = ROOT / "projects"

KERNEL_NAME = "python3"
KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
MAX_NOTEBOOK_BYTES = 600 * 1024

# Environment for the kernel process (inherited from this process).
KERNEL_ENV = {
    "PYTHONHASHSEED": "0",
    "SOURCE_DATE_EPOCH": "1788739200",  # fixed date for any SVG/PDF metadata
    "PYDEVD_DISABLE_FILE_VALIDATION": "1",  # silence the debugger's frozen-modules note
    "PYTHONWARNINGS": "default",
    "OMP_NUM_THREADS": "1",  # stable floating-point reductions in BLAS
    "OPENBLAS_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
}


# --------------------------------------------------------------------------
# small helpers to write cells
# --------------------------------------------------------------------------
def _src(text: str) -> str:
    return textwrap.dedent(text).strip("\n")


def md(text: str) -> nbformat.NotebookNode:
    return new_markdown_cell(_src(text))


def code(text: str, tags: list[str] | None = None) -> nbformat.NotebookNode:
    cell = new_code_cell(_src(text))
    if tags:
        cell.metadata["tags"] = list(tags)
    return cell


def raw(text: str) -> nbformat.NotebookNode:
    return new_raw_cell(_src(text))


def notebook(cells: list[nbformat.NotebookNode], **metadata) -> nbformat.NotebookNode:
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = dict(KERNELSPEC)
    nb.metadata["language_info"] = {"name": "python"}
    nb.metadata.update(metadata)
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{i:02d}"
    return nb


# Shared first code cell: deterministic plotting setup.
def setup_cell(salt: str, extra_imports: str = "", extra_setup: str = "") -> nbformat.NotebookNode:
    config = _src(
        """
        %matplotlib inline
        %config InlineBackend.figure_formats = ['png']
        plt.rcParams.update({
            "figure.dpi": 90,  # ~20-60 KB PNGs
            "svg.hashsalt": "SALT",  # stable ids if anyone switches to SVG
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.titleweight": "bold",
        })
        """
    ).replace("SALT", salt)
    parts = [_src(extra_imports), "", config, _src(extra_setup)]
    return code("\n".join(parts).strip("\n"))


# --------------------------------------------------------------------------
# Notebook 1: iris EDA  (raw-cell front matter, relative image, math, stderr)
# --------------------------------------------------------------------------
def build_iris() -> nbformat.NotebookNode:
    cells = [
        raw(
            """
            ---
            title: Exploring the Iris data set
            date: 2026-09-14
            updated: 2026-09-21
            summary: A tidy exploratory analysis of Fisher's Iris data with pandas and matplotlib - summary statistics, class-wise distributions, correlations and a PCA done by hand with NumPy.
            tags: [pandas, eda, visualisation, pca]
            results: [{label: Variance in 2 components, value: 95.8%}, {label: Flowers, value: 150}]
            featured: true
            toc: true
            badges: true
            ---
            """
        ),
        md(
            """
            Iris is the "hello world" of tabular data: 150 flowers, four measurements each, three
            species. Because it is so small I can look at *every* number, which makes it the perfect
            place to practise an exploratory-analysis routine I can reuse on messier data later.

            ![Pipeline](images/pipeline.png)

            The plan is the pipeline above: **load** the data, **inspect** it for obvious problems,
            **visualise** each feature, then **summarise** the structure with correlations and a
            principal component analysis written from scratch.
            """
        ),
        setup_cell(
            "iris-eda",
            extra_imports="""
            import warnings

            import matplotlib.pyplot as plt
            import numpy as np
            import pandas as pd
            from sklearn.datasets import load_iris

            """,
            extra_setup="""
            pd.set_option("display.precision", 2)
            rng = np.random.default_rng(42)
            PALETTE = {"setosa": "#7c3aed", "versicolor": "#0ea5e9", "virginica": "#f59e0b"}
            """,
        ),
        md(
            """
            ## Loading the data

            scikit-learn ships a copy of the data set, so no download is needed. I rename the columns
            to `snake_case` and turn the integer target into a categorical `species` column.
            """
        ),
        code(
            """
            iris = load_iris(as_frame=True)
            df = (
                iris.frame
                .rename(columns=lambda c: c.replace(" (cm)", "").replace(" ", "_"))
                .assign(species=lambda d: pd.Categorical.from_codes(d.target, iris.target_names))
                .drop(columns="target")
            )
            FEATURES = ["sepal_length", "sepal_width", "petal_length", "petal_width"]
            print(f"{df.shape[0]} rows x {df.shape[1]} columns, "
                  f"{df.isna().sum().sum()} missing values")
            df.head()
            """
        ),
        md(
            r"""
            ## Summary statistics

            For feature $j$ with observations $x_{1j}, \dots, x_{nj}$ the sample mean is
            $\bar{x}_j = \frac{1}{n}\sum_{i} x_{ij}$ and the (Bessel-corrected) standard deviation is

            $$
            s_j = \sqrt{\frac{1}{n-1}\sum_{i=1}^{n} \left(x_{ij} - \bar{x}_j\right)^2}.
            $$

            `describe()` reports exactly these (its `std` uses $n-1$, i.e. `ddof=1`) together with the
            quartiles. Later I will also use the standardised values $z_{ij} = (x_{ij} - \bar{x}_j) / s_j$,
            which have mean 0 and standard deviation 1 in every column.
            """
        ),
        code(
            """
            df.describe().T
            """
        ),
        md(
            """
            The petal measurements have a much larger spread than the sepal ones. Grouping by species
            shows why: setosa has tiny petals, virginica large ones.
            """
        ),
        code(
            """
            df.groupby("species", observed=True)[FEATURES].agg(["mean", "std"])
            """
        ),
        md(
            """
            ## Data quality checks

            No missing values, but it is worth checking for exact duplicate rows. I don't want to drop
            them silently - two flowers *can* have identical measurements at 0.1 cm resolution - so the
            helper below raises a `UserWarning` and returns the offending rows for inspection.
            """
        ),
        code(
            """
            def check_duplicates(frame: pd.DataFrame) -> pd.DataFrame:
                \"\"\"Warn (but do not drop) when the data contain exact duplicate rows.\"\"\"
                dupes = frame[frame.duplicated(keep=False)]
                if not dupes.empty:
                    warnings.warn(
                        f"{frame.duplicated().sum()} exact duplicate row(s) found; keeping them "
                        "because they are plausible repeat measurements.",
                        UserWarning,
                        stacklevel=2,
                    )
                return dupes


            check_duplicates(df)
            """
        ),
        md(
            """
            ## Distributions by species

            Overlaid histograms make the story obvious: petal length and width separate setosa
            perfectly, while versicolor and virginica overlap a little.
            """
        ),
        code(
            """
            fig, axes = plt.subplots(2, 2, figsize=(8, 5.5))
            for ax, feature in zip(axes.flat, FEATURES):
                bins = np.linspace(df[feature].min(), df[feature].max(), 20)
                for species, colour in PALETTE.items():
                    values = df.loc[df.species == species, feature]
                    ax.hist(values, bins=bins, alpha=0.6, color=colour, label=species)
                ax.set_title(feature.replace("_", " ") + " (cm)")
            axes[0, 0].legend(frameon=False)
            fig.tight_layout()
            plt.show()
            """
        ),
        code(
            """
            fig, axes = plt.subplots(1, 2, figsize=(9, 3.8))
            for ax, (x, y) in zip(axes, [("sepal_length", "sepal_width"), ("petal_length", "petal_width")]):
                for species, colour in PALETTE.items():
                    part = df[df.species == species]
                    ax.scatter(part[x], part[y], s=18, alpha=0.8, color=colour, label=species)
                ax.set_xlabel(x.replace("_", " ") + " (cm)")
                ax.set_ylabel(y.replace("_", " ") + " (cm)")
            axes[1].legend(frameon=False, loc="upper left")
            fig.suptitle("Sepals overlap, petals separate")
            fig.tight_layout()
            plt.show()
            """
        ),
        md(
            r"""
            ## Correlations

            Pearson's correlation between features $j$ and $k$ is just the average product of
            standardised values:

            \begin{align}
            r_{jk} &= \frac{\sum_{i=1}^{n} (x_{ij} - \bar{x}_j)(x_{ik} - \bar{x}_k)}{(n-1)\, s_j\, s_k} \\
                   &= \frac{1}{n-1} \sum_{i=1}^{n} z_{ij}\, z_{ik}.
            \end{align}

            I compute it both ways to convince myself the formula is right.
            """
        ),
        code(
            """
            Z = (df[FEATURES] - df[FEATURES].mean()) / df[FEATURES].std(ddof=1)
            corr_by_hand = Z.T @ Z / (len(Z) - 1)
            corr = df[FEATURES].corr()
            print("max |difference| vs pandas:", float(np.abs(corr_by_hand - corr).to_numpy().max()))

            fig, ax = plt.subplots(figsize=(5.2, 4.4))
            im = ax.imshow(corr, cmap="RdBu_r", vmin=-1, vmax=1)
            labels = [f.replace("_", "\\n") for f in FEATURES]
            ax.set_xticks(range(4), labels, fontsize=8)
            ax.set_yticks(range(4), labels, fontsize=8)
            for i in range(4):
                for j in range(4):
                    ax.text(j, i, f"{corr.iloc[i, j]:.2f}", ha="center", va="center",
                            color="white" if abs(corr.iloc[i, j]) > 0.6 else "black")
            fig.colorbar(im, ax=ax, shrink=0.8)
            ax.set_title("Pearson correlation")
            plt.show()
            """
        ),
        md(
            r"""
            ## PCA from scratch

            Petal length and petal width are correlated at $r \approx 0.96$, so the four columns carry
            fewer than four "directions" of information. Principal component analysis finds them: with
            the standardised matrix $Z = U \Sigma V^\top$ (a thin SVD), the principal directions are the
            rows of $V^\top$ and the share of variance explained by component $k$ is

            $$
            \text{EVR}_k = \frac{\sigma_k^2}{\sum_{l} \sigma_l^2}.
            $$

            SVD signs are arbitrary, so I flip each direction to make its largest loading positive
            (the same convention scikit-learn uses) to keep the plot stable between runs.
            """
        ),
        code(
            """
            U, S, Vt = np.linalg.svd(Z.to_numpy(), full_matrices=False)
            signs = np.sign(Vt[np.arange(len(Vt)), np.abs(Vt).argmax(axis=1)])
            Vt = Vt * signs[:, None]
            explained = S**2 / np.sum(S**2)
            scores = Z.to_numpy() @ Vt[:2].T

            print("explained variance ratio:", np.round(explained, 3))
            print(f"first two components keep {explained[:2].sum():.1%} of the variance")

            fig, ax = plt.subplots(figsize=(6.5, 4.8))
            for species, colour in PALETTE.items():
                mask = (df.species == species).to_numpy()
                ax.scatter(scores[mask, 0], scores[mask, 1], s=18, alpha=0.75, color=colour, label=species)
            nudge = {"petal_length": -0.15, "petal_width": 0.15}  # these two arrows almost coincide
            for feature, (dx, dy) in zip(FEATURES, Vt[:2].T):
                ax.annotate("", xy=(2.5 * dx, 2.5 * dy), xytext=(0, 0),
                            arrowprops=dict(arrowstyle="->", color="#334155", lw=1.4))
                ax.text(2.6 * dx + 0.05, 2.6 * dy + nudge.get(feature, 0.12), feature.replace("_", " "),
                        fontsize=8, color="#334155", ha="left", va="center")
            ax.axhline(0, color="#cbd5e1", lw=0.8, zorder=0)
            ax.axvline(0, color="#cbd5e1", lw=0.8, zorder=0)
            ax.set_xlabel(f"PC1 ({explained[0]:.0%} of variance)")
            ax.set_ylabel(f"PC2 ({explained[1]:.0%} of variance)")
            ax.set_title("Biplot of the standardised features")
            ax.legend(frameon=False)
            plt.show()
            """
        ),
        md(
            r"""
            ## How sure am I about the difference between versicolor and virginica?

            Their petal lengths overlap, so I bootstrap the difference in means: resample each group
            with replacement $B = 5000$ times, compute
            $\hat{\theta}^*_b = \bar{x}^*_{\text{virginica},b} - \bar{x}^*_{\text{versicolor},b}$
            for each resample $b$, and read off the 2.5th and 97.5th percentiles of the
            $\hat{\theta}^*_b$ values. The generator is seeded, so the interval is reproducible.
            """
        ),
        code(
            """
            versicolor = df.loc[df.species == "versicolor", "petal_length"].to_numpy()
            virginica = df.loc[df.species == "virginica", "petal_length"].to_numpy()

            B = 5000
            boot = (
                rng.choice(virginica, size=(B, virginica.size)).mean(axis=1)
                - rng.choice(versicolor, size=(B, versicolor.size)).mean(axis=1)
            )
            low, high = np.percentile(boot, [2.5, 97.5])
            print(f"observed difference: {virginica.mean() - versicolor.mean():.3f} cm")
            print(f"95% bootstrap CI:    [{low:.3f}, {high:.3f}] cm")
            """
        ),
        md(
            """
            ## Takeaways

            - The data are clean: no missing values and a single duplicated row, which I kept.
            - **Petal** measurements carry almost all of the class signal; setosa is linearly separable
              from the other two species with a single threshold on petal length.
            - Two principal components keep about 96% of the variance, so a 2-D picture is honest here.
            - Virginica petals are longer than versicolor petals by roughly 1.3 cm, and the bootstrap
              interval is far from zero.

            Next step: fit a classifier and check whether the versicolor/virginica overlap is where
            it makes its mistakes.
            """
        ),
    ]
    return notebook(cells)


# --------------------------------------------------------------------------
# Notebook 2: linear regression  (fastpages front matter, fold, hide_input, error)
# --------------------------------------------------------------------------
def build_linear_regression() -> nbformat.NotebookNode:
    cells = [
        md(
            """
            # Linear regression from scratch
            > Fitting a plane with nothing but NumPy and gradient descent - plus the shape bug that cost me an evening.

            - toc: true
            - badges: true
            - comments: false
            - date: 2026-08-20
            - categories: [numpy, optimisation, regression]
            """
        ),
        md(
            r"""
            After the first weeks of Andrew Ng's course I wanted to check that I could write linear
            regression without `sklearn`. The model predicts $\hat{y}_i = \mathbf{w}^\top \mathbf{x}_i + b$
            and is trained by minimising the mean squared error

            $$
            J(\mathbf{w}, b) = \frac{1}{2n} \sum_{i=1}^{n} \left(\hat{y}_i - y_i\right)^2 .
            $$

            Its gradients are short enough to vectorise in one line each:

            $$
            \nabla_{\mathbf{w}} J = \frac{1}{n} X^\top (\hat{\mathbf{y}} - \mathbf{y}), \qquad
            \frac{\partial J}{\partial b} = \frac{1}{n} \sum_{i=1}^{n} (\hat{y}_i - y_i).
            $$

            Gradient descent then repeats $\mathbf{w} \leftarrow \mathbf{w} - \alpha \nabla_{\mathbf{w}} J$
            and $b \leftarrow b - \alpha\, \partial J / \partial b$ with learning rate $\alpha$.
            """
        ),
        setup_cell(
            "linear-regression",
            extra_imports="""
            import matplotlib.pyplot as plt
            import numpy as np

            """,
            extra_setup="""
            rng = np.random.default_rng(42)
            """,
        ),
        md(
            r"""
            ## Synthetic data

            Using synthetic data means I know the right answer:
            $y = 3x_1 - 2x_2 + 4 + \varepsilon$ with noise $\varepsilon \sim \mathcal{N}(0, 0.5^2)$.
            """
        ),
        code(
            """
            n = 200
            true_w = np.array([3.0, -2.0])
            true_b = 4.0
            noise_std = 0.5

            X = rng.normal(size=(n, 2))
            y = X @ true_w + true_b + rng.normal(scale=noise_std, size=n)
            X.shape, y.shape
            """
        ),
        code(
            """
            #hide_input
            print(f"samples: {n}, features: {X.shape[1]}")
            print(f"true weights: {true_w}, true bias: {true_b}")
            print(f"irreducible loss J = noise_std**2 / 2 = {noise_std**2 / 2:.3f}")
            """
        ),
        md(
            """
            A small plotting helper that I reuse below (folded, because it is just matplotlib
            boilerplate):
            """
        ),
        code(
            """
            #| code-fold: true
            def plot_losses(histories, title="Training loss", logy=True, ax=None):
                \"\"\"Plot several loss curves; `histories` maps a label to a list of losses.\"\"\"
                if ax is None:
                    _, ax = plt.subplots(figsize=(7, 4))
                for label, losses in histories.items():
                    ax.plot(np.arange(len(losses)), losses, lw=2, label=label)
                if logy:
                    ax.set_yscale("log")
                ax.set_xlabel("iteration")
                ax.set_ylabel(r"$J(\\mathbf{w}, b)$")
                ax.set_title(title)
                ax.grid(alpha=0.3)
                ax.legend(frameon=False)
                return ax
            """
        ),
        md(
            """
            ## The model, the loss and the gradients

            Everything is vectorised: no Python loop over samples. The comments record the shape of
            every array, which turned out to be the most useful habit I picked up this week.
            """
        ),
        code(
            """
            def predict(X, w, b):
                return X @ w + b                     # (n, d) @ (d,) -> (n,)


            def loss(X, y, w, b):
                residual = predict(X, w, b) - y      # (n,)
                return 0.5 * np.mean(residual**2)


            def gradients(X, y, w, b):
                residual = predict(X, w, b) - y      # (n,)
                grad_w = X.T @ residual / len(y)     # (d,)
                grad_b = residual.mean()             # scalar
                return grad_w, grad_b


            def fit_gd(X, y, lr=0.1, n_iter=200):
                w, b = np.zeros(X.shape[1]), 0.0
                history = []
                for _ in range(n_iter):
                    history.append(loss(X, y, w, b))
                    grad_w, grad_b = gradients(X, y, w, b)
                    w = w - lr * grad_w
                    b = b - lr * grad_b
                return w, b, history
            """
        ),
        md(
            """
            ## My first attempt (it crashes)

            My first version folded the bias into the weight vector, `w = [w1, w2, b]`, which is a
            common trick - but I forgot the other half of the trick, adding a column of ones to `X`.
            I kept the failing cell because the error message is actually helpful:
            """
        ),
        code(
            """
            w_first_try = np.zeros(3)   # [w1, w2, b] ... but X still has only 2 columns
            predict(X, w_first_try, 0.0)
            """,
            tags=["raises-exception"],
        ),
        md(
            r"""
            `matmul` says *size 3 is different from 2*: the inner dimensions of $X \in \mathbb{R}^{200 \times 2}$
            and $\mathbf{w} \in \mathbb{R}^{3}$ don't match. Either keep $b$ separate (what `fit_gd` does) or
            build the augmented matrix $\tilde{X} = [X \;\, \mathbf{1}]$.

            The crash was the *good* bug. The bad one doesn't raise at all: if `y` arrives as a column
            vector of shape `(200, 1)` - for example from `df[["y"]]` - then `predictions - y` broadcasts to
            a `(200, 200)` matrix and the loss is silently wrong.
            """
        ),
        code(
            """
            y_column = y.reshape(-1, 1)                        # (200, 1), e.g. from df[["y"]]
            residual = predict(X, true_w, true_b) - y_column    # (200,) - (200, 1) -> (200, 200) !
            print("residual shape:        ", residual.shape)
            print("loss with the bug:     ", round(0.5 * np.mean(residual**2), 3))
            print("loss with correct shape:", round(loss(X, y, true_w, true_b), 3))
            """
        ),
        md(
            """
            Since then every function that takes `y` starts with `assert y.ndim == 1`.

            ## Training

            With the shapes right, 300 iterations at $\\alpha = 0.1$ land within about 0.04 of the true
            parameters. The remaining gap comes from the noise, not the optimiser: the closed-form
            solution further down lands in exactly the same place.
            """
        ),
        code(
            """
            w_hat, b_hat, history = fit_gd(X, y, lr=0.1, n_iter=300)
            print("learned w:", np.round(w_hat, 3), "  true w:", true_w)
            print("learned b:", np.round(b_hat, 3), "     true b:", true_b)
            print(f"final loss: {history[-1]:.4f}")
            """
        ),
        md(
            r"""
            ## How big can the learning rate be?

            For a quadratic loss, gradient descent converges if and only if $0 < \alpha < 2/L$, where
            $L = \lambda_{\max}\!\left(\tfrac{1}{n}\tilde{X}^\top \tilde{X}\right)$ is the largest curvature
            of $J$. So I express learning rates as multiples of $1/L$:
            """
        ),
        code(
            """
            X_tilde = np.column_stack([X, np.ones(n)])
            L = np.linalg.eigvalsh(X_tilde.T @ X_tilde / n).max()
            print(f"largest curvature L = {L:.3f}  ->  diverges for lr > 2/L = {2 / L:.3f}")

            histories = {}
            for factor in [0.05, 0.5, 1.0, 1.9, 2.05]:
                *_, hist = fit_gd(X, y, lr=factor / L, n_iter=100)
                histories[f"lr = {factor}/L"] = hist
            plot_losses(histories, title="Gradient descent with five learning rates")
            plt.show()
            """
        ),
        md(
            r"""
            ## Checking against the closed form

            Least squares also has an exact solution, the normal equation
            $\hat{\boldsymbol\theta} = (\tilde{X}^\top \tilde{X})^{-1} \tilde{X}^\top \mathbf{y}$. In practice
            `np.linalg.lstsq` solves it more stably than an explicit inverse.
            """
        ),
        code(
            """
            theta, *_ = np.linalg.lstsq(X_tilde, y, rcond=None)
            print("closed form : w =", np.round(theta[:2], 4), " b =", np.round(theta[2], 4))
            print("grad descent: w =", np.round(w_hat, 4), " b =", np.round(b_hat, 4))
            print(f"max |difference| = {np.abs(theta - np.r_[w_hat, b_hat]).max():.2e}")
            """
        ),
        md(
            """
            ## Why everyone tells you to scale your features

            Same data, but the second feature is now recorded in centimetres instead of metres (×100).
            The curvature along that axis explodes, the safe learning rate shrinks with it, and the other
            directions barely move. Standardising fixes the condition number.
            """
        ),
        code(
            """
            def curvature(X):
                Xt = np.column_stack([X, np.ones(len(X))])
                eig = np.linalg.eigvalsh(Xt.T @ Xt / len(X))
                return eig.max(), eig.max() / eig.min()


            X_raw = X * np.array([1.0, 100.0])
            X_std = (X_raw - X_raw.mean(axis=0)) / X_raw.std(axis=0)

            scaled_histories = {}
            for name, data in [("raw units", X_raw), ("standardised", X_std)]:
                L_data, kappa = curvature(data)
                print(f"{name:>12}: L = {L_data:9.2f}, condition number = {kappa:9.1f}")
                *_, hist = fit_gd(data, y, lr=1.0 / L_data, n_iter=300)
                scaled_histories[name] = hist

            plot_losses(scaled_histories, title="Same algorithm, different units")
            plt.show()
            """
        ),
        md(
            """
            ## What I learned

            1. Write the shape of every array in a comment; assert on `ndim` at function boundaries.
            2. The usable learning rate is set by the curvature $L$, so "0.01" means nothing on its own.
            3. Feature scaling is not cosmetic: it changes the condition number and therefore the
               number of iterations by orders of magnitude.
            4. Always compare against a closed form or a trusted library when one exists.
            """
        ),
    ]
    return notebook(cells)


# --------------------------------------------------------------------------
# Notebook 3: digits kNN  (metadata.portfolio front matter, plotly, report)
# --------------------------------------------------------------------------
def build_digits() -> nbformat.NotebookNode:
    cells = [
        md(
            """
            # Handwritten digits with k-nearest neighbours

            The scikit-learn `digits` data set is MNIST's little sibling: 1,797 greyscale images of
            8×8 pixels, bundled with the library so no download is needed. k-nearest neighbours has
            no training step at all, which makes it a great baseline - and a good excuse to practise
            cross-validation, confusion matrices and interactive plots.
            """
        ),
        setup_cell(
            "digits-knn",
            extra_imports="""
            import matplotlib.pyplot as plt
            import numpy as np
            import pandas as pd
            import plotly.express as px
            import plotly.io as pio
            from sklearn.datasets import load_digits
            from sklearn.decomposition import PCA
            from sklearn.metrics import ConfusionMatrixDisplay, accuracy_score, classification_report
            from sklearn.model_selection import StratifiedKFold, cross_val_score, train_test_split
            from sklearn.neighbors import KNeighborsClassifier

            """,
            extra_setup="""
            pio.renderers.default = "plotly_mimetype+notebook_connected"
            pio.templates.default = "plotly_white"
            SEED = 42
            """,
        ),
        code(
            """
            digits = load_digits()
            X, y = digits.data, digits.target
            print(f"X: {X.shape} - 8x8 images flattened, pixel values {X.min():.0f}..{X.max():.0f}")
            print(f"y: {y.shape} - classes {np.unique(y).tolist()}")
            pd.Series(y, name="count").value_counts().sort_index().to_frame().T
            """
        ),
        code(
            """
            fig, axes = plt.subplots(2, 10, figsize=(9, 2.3))
            for digit in range(10):
                for row, i in enumerate(np.flatnonzero(y == digit)[:2]):
                    axes[row, digit].imshow(digits.images[i], cmap="gray_r", interpolation="nearest")
                    axes[row, digit].set_axis_off()
                axes[0, digit].set_title(str(digit))
            fig.suptitle("Two examples of each class", y=1.04)
            plt.show()
            """
        ),
        md(
            r"""
            ## How k-NN decides

            Each image is a point $\mathbf{x} \in \mathbb{R}^{64}$. To classify a new image, k-NN finds the
            set $N_k(\mathbf{x})$ of its $k$ closest training images under the Euclidean distance
            $d(\mathbf{x}, \mathbf{x}') = \lVert \mathbf{x} - \mathbf{x}' \rVert_2$ and takes a vote:

            $$
            \hat{y}(\mathbf{x}) = \arg\max_{c} \sum_{i \in N_k(\mathbf{x})} w_i \, \mathbb{1}[y_i = c],
            $$

            with $w_i = 1$ for `weights="uniform"` and $w_i = 1 / d(\mathbf{x}, \mathbf{x}_i)$ for
            `weights="distance"`. The only real decisions are $k$ and the weighting, so I pick them with
            5-fold cross-validation on the training split and keep the test split untouched.
            """
        ),
        code(
            """
            X_train, X_test, y_train, y_test = train_test_split(
                X, y, test_size=0.25, stratify=y, random_state=SEED
            )
            print(f"{len(X_train)} training images, {len(X_test)} test images")
            """
        ),
        code(
            """
            cv = StratifiedKFold(n_splits=5, shuffle=True, random_state=SEED)
            rows = []
            for k in range(1, 16):
                for weights in ["uniform", "distance"]:
                    model = KNeighborsClassifier(n_neighbors=k, weights=weights)
                    scores = cross_val_score(model, X_train, y_train, cv=cv)
                    rows.append({"k": k, "weights": weights,
                                 "accuracy": scores.mean().round(4), "std": scores.std().round(4)})
            cv_results = pd.DataFrame(rows)
            cv_results.sort_values(["accuracy", "k"], ascending=[False, True]).head()
            """
        ),
        md(
            """
            The interactive chart below (hover for exact values) shows the usual k-NN pattern: small $k$
            is best on a data set this clean, and accuracy decays slowly as the vote gets smoothed over
            more distant neighbours. Distance weighting softens that decay.
            """
        ),
        code(
            """
            fig = px.line(
                cv_results, x="k", y="accuracy", color="weights", error_y="std", markers=True,
                labels={"k": "number of neighbours k", "accuracy": "mean CV accuracy"},
                title="5-fold cross-validated accuracy",
            )
            fig.update_layout(width=700, height=380, legend_title_text="weights")
            fig.show()
            """
        ),
        md(
            """
            ## Test-set evaluation

            I refit the best configuration on the whole training split and evaluate it exactly once on
            the test split.
            """
        ),
        code(
            """
            best = cv_results.sort_values(["accuracy", "k"], ascending=[False, True]).iloc[0]
            knn = KNeighborsClassifier(n_neighbors=int(best.k), weights=best.weights).fit(X_train, y_train)
            y_pred = knn.predict(X_test)

            print(f"k = {int(best.k)}, weights = {best.weights!r}")
            print(f"test accuracy = {accuracy_score(y_test, y_pred):.3f}\\n")
            print(classification_report(y_test, y_pred, digits=3))
            """
        ),
        code(
            """
            fig, ax = plt.subplots(figsize=(5.2, 4.8))
            ConfusionMatrixDisplay.from_predictions(y_test, y_pred, ax=ax, cmap="Purples", colorbar=False)
            ax.set_title("Confusion matrix (test set)")
            plt.show()
            """
        ),
        md(
            """
            ## Looking at the mistakes

            Aggregate numbers hide *which* images fail. Plotting them is humbling - several are
            ambiguous even to a human at 8×8 resolution.
            """
        ),
        code(
            """
            wrong = np.flatnonzero(y_pred != y_test)
            print(f"{len(wrong)} of {len(y_test)} test images misclassified")
            shown = wrong[:8]
            fig, axes = plt.subplots(1, len(shown), figsize=(1.2 * len(shown), 1.8), squeeze=False)
            for ax, i in zip(axes[0], shown):
                ax.imshow(X_test[i].reshape(8, 8), cmap="gray_r", interpolation="nearest")
                ax.set_title(f"true {y_test[i]}\\npred {y_pred[i]}", fontsize=9)
                ax.set_axis_off()
            plt.show()
            """
        ),
        md(
            """
            ## Why does such a simple method work?

            A 2-D PCA projection of all 1,797 images gives some intuition. Even with only two of the 64
            dimensions, several digits (0, 4 and 6 in particular) sit in fairly compact clusters near the
            edge, while others (5, 7 and 8) pile up in the middle of the plot. k-NN does not need global separation, only *local*
            neighbourhoods that are mostly pure - and in the full 64-dimensional space they are.
            Hover over the points to see the labels, and double-click a legend entry to isolate a digit.
            """
        ),
        code(
            """
            embedding = PCA(n_components=2, random_state=SEED).fit_transform(X).round(2)
            points = pd.DataFrame({"PC1": embedding[:, 0], "PC2": embedding[:, 1], "digit": y.astype(str)})
            fig = px.scatter(
                points, x="PC1", y="PC2", color="digit", opacity=0.7,
                category_orders={"digit": [str(d) for d in range(10)]},
                title="Digits projected onto the first two principal components",
            )
            fig.update_traces(marker_size=5)
            fig.update_layout(width=700, height=480)
            fig.show()
            """
        ),
        md(
            """
            ## Takeaways

            - k-NN with a cross-validated $k$ reaches about 98-99% test accuracy on `digits` with zero
              feature engineering - a strong baseline that any fancier model has to beat.
            - Model selection happened only on the training split; the test split was used once.
            - The confusion matrix and the misclassified images are more informative than the accuracy.
            - k-NN stores the whole training set and compares every query with it, so it will not
              scale gracefully to full MNIST without approximate nearest-neighbour search.
            """
        ),
    ]
    return notebook(
        cells,
        portfolio={
            "title": "Handwritten digits with k-nearest neighbours",
            "date": "2026-10-05",
            "summary": "A cross-validated k-NN classifier for scikit-learn's 8x8 digits: about 98% test accuracy, a confusion matrix and interactive plotly charts.",
            "tags": ["scikit-learn", "classification", "knn", "plotly"],
            "results": [{"label": "Test accuracy", "value": "98.4%"},
                        {"label": "CV accuracy", "value": "98.8%"},
                        {"label": "Images", "value": "1,797"}],
            "toc": False,
            "badges": True,
        },
    )


NOTEBOOKS: dict[str, tuple[Path, Callable[[], nbformat.NotebookNode]]] = {
    "iris-eda": (PROJECTS / "iris-eda" / "iris-eda.ipynb", build_iris),
    "linear-regression-from-scratch": (PROJECTS / "linear-regression-from-scratch.ipynb", build_linear_regression),
    "digits-knn": (PROJECTS / "digits-knn.ipynb", build_digits),
}


# --------------------------------------------------------------------------
# execution and clean-up
# --------------------------------------------------------------------------
def execute(nb: nbformat.NotebookNode, cwd: Path) -> nbformat.NotebookNode:
    nb = copy.deepcopy(nb)
    os.environ.update(KERNEL_ENV)
    client = NotebookClient(
        nb,
        kernel_name=KERNEL_NAME,
        timeout=600,
        allow_errors=False,  # only cells tagged "raises-exception" may fail
        record_timing=False,
        resources={"metadata": {"path": str(cwd)}},
    )
    client.execute()
    return nb


def _path_replacements() -> list[tuple[str, str]]:
    """Absolute path prefixes of this machine, longest first, with neutral replacements."""
    pairs: list[tuple[str, str]] = []
    site_dirs = set(site.getsitepackages() + [site.getusersitepackages()])
    for d in site_dirs:
        pairs.append((d.rstrip("/") + "/", ".../site-packages/"))
    for prefix in {sys.prefix, sys.base_prefix, sys.exec_prefix}:
        pairs.append((prefix.rstrip("/") + "/", ".../python/"))
    pairs.append((str(ROOT).rstrip("/") + "/", "./"))
    pairs.append((str(Path.home()).rstrip("/") + "/", "~/"))
    pairs.append((tempfile.gettempdir().rstrip("/") + "/", ".../tmp/"))
    return sorted(pairs, key=lambda p: len(p[0]), reverse=True)


# /tmp/ipykernel_12345/123456789.py  (or the macOS equivalent)
IPYKERNEL_FILE = re.compile(r"(?:/private)?(?:/[\w.-]+)*/ipykernel_\d+/\d+\.py")
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
TEXT_MIMES = ("text/plain", "text/html", "text/markdown", "text/latex", "application/javascript")


def scrub_text(text: str, execution_count: int | None, replacements: list[tuple[str, str]]) -> str:
    label = f"<ipython-input-{execution_count}>" if execution_count else "<ipython-input>"
    text = IPYKERNEL_FILE.sub(label, text)
    for old, new in replacements:
        text = text.replace(old, new)
    return text


def stable_uuids(text: str, name: str, mapping: dict[str, str]) -> str:
    def repl(m: re.Match[str]) -> str:
        old = m.group(0)
        if old not in mapping:
            mapping[old] = str(uuid.uuid5(uuid.NAMESPACE_URL, f"portfolio-example/{name}/{len(mapping)}"))
        return mapping[old]

    return UUID.sub(repl, text)


def _join(value) -> str:
    return "".join(value) if isinstance(value, list) else value


def clean(nb: nbformat.NotebookNode, name: str) -> nbformat.NotebookNode:
    replacements = _path_replacements()
    uuids: dict[str, str] = {}
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        cell.metadata.pop("collapsed", None)
        if cell.cell_type != "code":
            continue
        count = cell.get("execution_count")
        for out in cell.outputs:
            if out.output_type == "stream":
                out.text = scrub_text(_join(out.text), count, replacements)
            elif out.output_type == "error":
                out.traceback = [scrub_text(line, count, replacements) for line in out.traceback]
                out.evalue = scrub_text(out.evalue, count, replacements)
            elif out.output_type in ("display_data", "execute_result"):
                out.metadata.pop("execution", None)
                for mime in list(out.data):
                    value = out.data[mime]
                    if mime in TEXT_MIMES:
                        value = scrub_text(_join(value), count, replacements)
                        if mime == "text/html":
                            value = stable_uuids(value, name, uuids)
                        out.data[mime] = value
                    elif mime.endswith("+json") or mime == "application/json":
                        dumped = json.dumps(value, sort_keys=True)
                        dumped = stable_uuids(scrub_text(dumped, count, replacements), name, uuids)
                        out.data[mime] = json.loads(dumped)
    # kernel metadata: keep the portable bits only
    nb.metadata["kernelspec"] = dict(KERNELSPEC)
    info = nb.metadata.get("language_info", {})
    nb.metadata["language_info"] = {
        k: info[k]
        for k in ("name", "version", "mimetype", "file_extension", "pygments_lexer", "codemirror_mode", "nbconvert_exporter")
        if k in info
    }
    for key in ("papermill", "widgets", "vscode", "interpreter"):
        nb.metadata.pop(key, None)
    return nb


# --------------------------------------------------------------------------
# checks
# --------------------------------------------------------------------------
LOCAL_PATH = re.compile(r"(/work\b|/root\b|/tmp/|/home/|/Users/|/private/var|\.pyenv|ipykernel_\d+)")


def check(nb: nbformat.NotebookNode, path: Path) -> list[str]:
    problems: list[str] = []
    nbformat.validate(nb)
    size = len(nbformat.writes(nb).encode())
    if size > MAX_NOTEBOOK_BYTES:
        problems.append(f"{path.name}: {size / 1024:.0f} KB is larger than {MAX_NOTEBOOK_BYTES // 1024} KB")
    # search all text except base64 images (which can contain '/tmp' by chance)
    stripped = copy.deepcopy(nb)
    for cell in stripped.cells:
        for out in cell.get("outputs", []):
            for mime in list(out.get("data", {})):
                if mime.startswith("image/") and mime != "image/svg+xml":
                    del out.data[mime]
    text = nbformat.writes(stripped)
    for m in LOCAL_PATH.finditer(text):
        problems.append(f"{path.name}: local path fragment {m.group(0)!r} near {text[max(0, m.start() - 60):m.end() + 60]!r}")
    # relative image links used in Markdown cells must exist
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for target in re.findall(r"!\[[^\]]*\]\(([^)\s]+)\)", cell.source):
                if "://" not in target and not (path.parent / target).exists():
                    problems.append(f"{path.name}: missing image {target}")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", help="notebooks to build (default: all)")
    parser.add_argument("--list", action="store_true", help="list the notebook names and exit")
    args = parser.parse_args(argv)
    if args.list:
        for name, (path, _) in NOTEBOOKS.items():
            print(f"{name:35} {path.relative_to(ROOT)}")
        return 0
    names = args.names or list(NOTEBOOKS)
    unknown = [n for n in names if n not in NOTEBOOKS]
    if unknown:
        parser.error(f"unknown notebook(s): {', '.join(unknown)}")

    problems: list[str] = []
    for name in names:
        path, builder = NOTEBOOKS[name]
        path.parent.mkdir(parents=True, exist_ok=True)
        print(f"executing {path.relative_to(ROOT)} ...", flush=True)
        nb = clean(execute(builder(), cwd=path.parent), name)
        nbformat.validate(nb)
        nbformat.write(nb, path)
        found = check(nbformat.read(path, as_version=4), path)
        problems += found
        print(f"  wrote {path.stat().st_size / 1024:.0f} KB, {len(nb.cells)} cells"
              + (f", {len(found)} problem(s)" if found else ""))
    for p in problems:
        print("PROBLEM:", p, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
