"""What portfolio is called where it is published, and which release this is.

On PyPI the name `portfolio` belongs to an unrelated project, so the distribution is
`notebook-portfolio`; the command stays `portfolio` and the import package `generator`.
"""

__version__ = "0.1.0"  # read by hatch ([tool.hatch.version] in pyproject.toml)
DISTRIBUTION = "notebook-portfolio"
HOMEPAGE = "https://pypi.org/project/notebook-portfolio/"  # [project.urls] Homepage
