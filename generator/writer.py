"""The only module that writes the site: stage everything, then swap it in atomically.

The live output folder is always either the complete old site or the complete new one. Only
files our own previous build wrote (listed in its marker) are ever removed; anything else found
in the output folder (`.git`, `CNAME`, a README) is carried over untouched.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path, PurePosixPath

from .documents import Output
from .errors import OutputError

MARKER = ".portfolio-build"
STAGING_MARKER = ".portfolio-staging"
_MESSAGES = {errno.ENOSPC: "disk full while writing", errno.EDQUOT: "disk quota exceeded "
             "while writing", errno.EACCES: "permission denied while writing",
             errno.EPERM: "permission denied while writing", errno.EROFS: "read-only file system "
             "while writing"}


def check_output_dir(out: Path, root: Path) -> None:
    """Refuse output folders whose replacement could destroy the user's work."""
    real_out = Path(os.path.realpath(out))
    real_root = Path(os.path.realpath(root))
    home = Path(os.path.realpath(Path.home()))
    why = None
    if real_out == Path(real_out.anchor):
        why = "it is the file-system root"
    elif real_out == home:
        why = "it is your home folder"
    elif real_out == real_root:
        why = "it is the site's own folder"
    elif real_root.is_relative_to(real_out):
        why = "it contains the site's sources"
    else:
        for name in ("content", "projects", "themes", ".git", ".portfolio"):
            if real_out.is_relative_to(real_root / name):
                why = f"it is inside the site's {name}/ folder"
    if why:
        raise OutputError(f"refusing to use {out} ({real_out}) as the output folder: {why} "
                          f"(site folder: {real_root})", hint="set 'output: _site' in "
                          "portfolio.yml or pass --out to a new folder")


def previous_files(out: Path, force: bool) -> set[str] | None:
    """Files our last build wrote, from its marker; None if the folder is new or empty."""
    if out.is_symlink() or (out.exists() and not out.is_dir()):
        raise OutputError(f"{out} exists and is not a folder", str(out))
    if not out.exists() or not any(out.iterdir()):
        return None
    marker = out / MARKER
    if not marker.is_file():
        if force:
            return set()
        raise OutputError(f"{out} is not empty and was not built by portfolio; refusing to "
                          "replace it", str(out), hint="choose another output folder, empty "
                          "this one yourself, or pass --force to keep its files and add the site")
    try:
        data = json.loads(marker.read_text("utf-8"))
        return set(data.get("files", []))
    except (OSError, ValueError, AttributeError):
        return set()


def clean_stale(out: Path) -> int:
    """Remove staging folders left by a killed build (only those that carry our marker)."""
    count = 0
    for candidate in out.parent.glob(f".{out.name}.staging-*"):
        if candidate.is_dir() and not candidate.is_symlink() and \
                (candidate / STAGING_MARKER).is_file():
            shutil.rmtree(candidate, ignore_errors=True)
            count += 1
    for candidate in out.parent.glob(f".{out.name}.old-*"):
        if candidate.is_dir() and not candidate.is_symlink() and (candidate / MARKER).is_file():
            shutil.rmtree(candidate, ignore_errors=True)
            count += 1
    return count


def _safe_rel(path: str) -> str:
    posix = PurePosixPath(path)
    if posix.is_absolute() or ".." in posix.parts or "\\" in path or "\0" in path or not path:
        raise OutputError(f"refusing to write outside the output folder: {path!r}")
    return posix.as_posix()


def _os_error(exc: OSError, path: str) -> OutputError:
    prefix = _MESSAGES.get(exc.errno or 0, "could not write")
    return OutputError(f"{prefix} {path}: {exc.strerror or exc}", path)


def write_tree(staging: Path, outputs: Iterable[Output]) -> list[str]:
    """Write every output below `staging`; return the sorted relative paths."""
    written: dict[str, None] = {}
    made: set[Path] = set()
    for output in outputs:
        rel = _safe_rel(output.path)
        if rel in written:
            raise OutputError(f"two outputs would be written to {rel}", rel,
                              hint="rename one of the files, or give a document another slug")
        written[rel] = None
        target = staging / rel
        parent = target.parent
        if parent not in made:
            parent.mkdir(parents=True, exist_ok=True)
            made.add(parent)
        if output.data is not None:
            with open(target, "wb") as handle:
                handle.write(output.data)
        elif output.src is not None:
            if not (output.immutable and _link(output.src, target)):
                shutil.copyfile(output.src, target, follow_symlinks=True)
        else:
            target.touch()
    return sorted(written)


def _link(src: Path, target: Path) -> bool:
    """Hard-link an immutable cache blob (no bytes copied); False where links are not possible."""
    try:
        os.link(src, target)
        return True
    except OSError:
        return False


def _carry_over(old: Path, staging: Path, ours: set[str], new: set[str]) -> list[str]:
    """Move files we did not write from the old output into the new one, unaltered."""
    kept = []
    for dirpath, dirnames, filenames in os.walk(old):
        here = Path(dirpath)
        rel_dir = here.relative_to(old)
        for name in list(dirnames):
            rel = (rel_dir / name).as_posix()
            full = here / name
            if full.is_symlink() or name == ".git":
                dirnames.remove(name)
                if (rel not in ours) and not (staging / rel).exists():
                    (staging / rel).parent.mkdir(parents=True, exist_ok=True)
                    os.rename(full, staging / rel)
                    kept.append(rel)
        for name in filenames:
            rel = (rel_dir / name).as_posix()
            if rel in ours or rel == MARKER:
                continue
            if rel in new:
                kept.append(rel + " (ours skipped: a file of yours is there)")
                (staging / rel).unlink()
            (staging / rel).parent.mkdir(parents=True, exist_ok=True)
            os.rename(here / name, staging / rel)
            kept.append(rel)
    return kept


def publish(out: Path, outputs: Iterable[Output], *, root: Path, force: bool = False) -> list[str]:
    """Stage `outputs` beside `out`, then swap them in. Returns the written paths."""
    check_output_dir(out, root)
    ours = previous_files(out, force)
    out.parent.mkdir(parents=True, exist_ok=True)
    clean_stale(out)
    try:
        staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.staging-", dir=out.parent))
    except OSError as exc:
        raise _os_error(exc, str(out.parent)) from None
    try:
        (staging / STAGING_MARKER).touch()
        current = "(staging)"
        try:
            written = write_tree(staging, outputs)
        except OSError as exc:
            current = exc.filename or current
            raise _os_error(exc, _display(current, staging, out)) from None
        marker = {"generator": "portfolio", "files": written}
        (staging / MARKER).write_text(json.dumps(marker, indent=0, sort_keys=True) + "\n", "utf-8")
        if ours is not None and out.exists():
            _carry_over(out, staging, ours, set(written))
        (staging / STAGING_MARKER).unlink()
        _swap(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return written


def _display(path: str, staging: Path, out: Path) -> str:
    try:
        return str(out.name / Path(path).relative_to(staging))
    except ValueError:
        return path


def _swap(staging: Path, out: Path) -> None:
    if not out.exists():
        os.rename(staging, out)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
    old.rmdir()
    os.rename(out, old)
    try:
        os.rename(staging, out)
    except OSError:
        os.rename(old, out)
        raise
    shutil.rmtree(old, ignore_errors=True)
