"""What portfolio is called where it is published, and which release this is.

On PyPI the name `portfolio` belongs to an unrelated project, so the distribution is
`notebook-portfolio`; the command stays `portfolio` and the import package `generator`.
"""

from pathlib import Path

__version__ = "0.1.0"  # read by hatch ([tool.hatch.version] in pyproject.toml)
DISTRIBUTION = "notebook-portfolio"
HOMEPAGE = "https://pypi.org/project/notebook-portfolio/"  # [project.urls] Homepage


def default_theme_dir() -> Path:
    """The packaged default theme (in the wheel), or the repository's when installed editable."""
    package = Path(__file__).resolve().parent.parent
    packaged = package / "themes" / "default"
    if (packaged / "templates").is_dir():
        return packaged
    return package.parent / "themes" / "default"
