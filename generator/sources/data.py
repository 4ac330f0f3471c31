"""The site's data files (`content/resume.yml`, `content/learning.yml`): each found file read
by its own reader, and problems collected so that `--keep-going` still builds everything else.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import Any

from ..model.errors import BuildFailed, PortfolioError
from .learning import load_learning
from .resume import load_resume

# data name -> reader(root, rel) -> value; a name's first file in yml/yaml/json order is read
READERS: dict[str, Callable[[Path, str], Any]] = {"resume": load_resume,
                                                  "learning": load_learning}
_ORDER = {".yml": 0, ".yaml": 1, ".json": 2}


def read_data(root: Path, files: list[str]) -> tuple[dict[str, Any], list[PortfolioError]]:
    """`{name: value}` for every data file found (by `sources.discover`), and the errors."""
    chosen: dict[str, str] = {}
    for rel in sorted(files, key=lambda r: _ORDER.get(PurePosixPath(r).suffix.lower(), 9)):
        chosen.setdefault(PurePosixPath(rel).stem.lower(), rel)
    data: dict[str, Any] = {}
    errors: list[PortfolioError] = []
    for name, rel in sorted(chosen.items()):
        reader = READERS.get(name)
        if reader is None:
            continue
        try:
            data[name] = reader(root, rel)
        except BuildFailed as exc:
            errors += exc.errors
        except PortfolioError as exc:
            errors.append(exc)
    return data, errors
