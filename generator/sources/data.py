"""The site's data files (`content/resume.yml`, `content/learning.yml`): each found file read
by its own reader, and problems collected so that `--keep-going` still builds everything else.
The peers' copies (`content/peers/*.json`) are read as `data["peers"]`; a bad one is the site
stage's warning, not an error (it is someone else's file).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import Any

from ..model.errors import BuildFailed, PortfolioError
from .learning import load_learning
from .peers import is_peer_file, read_copies
from .resume import load_resume

# data name -> reader(root, rel) -> value; a name's first file in yml/yaml/json order is read
READERS: dict[str, Callable[[Path, str], Any]] = {"resume": load_resume,
                                                  "learning": load_learning}
_ORDER = {".yml": 0, ".yaml": 1, ".json": 2}


def read_data(root: Path, files: list[str]) -> tuple[dict[str, Any], list[PortfolioError]]:
    """`{name: value}` for every data file found (by `sources.discover`), and the errors."""
    chosen: dict[str, str] = {}
    peers = [rel for rel in files if is_peer_file(rel)]
    files = [rel for rel in files if not is_peer_file(rel)]
    for rel in sorted(files, key=lambda r: _ORDER.get(PurePosixPath(r).suffix.lower(), 9)):
        chosen.setdefault(PurePosixPath(rel).stem.lower(), rel)
    data: dict[str, Any] = {"peers": read_copies(root, peers)} if peers else {}
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
