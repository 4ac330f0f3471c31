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
from collections.abc import Callable, Iterable
from pathlib import Path, PurePosixPath

from ..model.documents import Output
from ..model.errors import OutputError
from .spare import exchange, prune, same_file, spare_dir, usable

MARKER = ".portfolio-build"
WRITE_THREADS_FROM = 32  # new files in one build before they are written by several threads
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


def clean_stale(out: Path) -> list[str]:
    """Tidy up after a killed build: restore a lost site, remove our own leftover folders.

    Only folders that carry one of our markers are touched. Returns what was done, for the report.
    """
    notes: list[str] = []
    olds = sorted((p for p in out.parent.glob(f".{out.name}.old-*") if _ours(p)),
                  key=lambda p: p.stat().st_mtime_ns)
    if olds and not os.path.lexists(out):  # killed between the two renames of a swap
        os.rename(olds.pop(), out)
        notes.append(f"restored {out.name}/ from an interrupted build")
    count = 0
    for candidate in [*out.parent.glob(f".{out.name}.staging-*"), *olds]:
        if _ours(candidate):
            shutil.rmtree(candidate, ignore_errors=True)
            count += 1
    if count:
        notes.append(f"removed {count} temporary folder(s) left by an interrupted build")
    return notes


def _ours(path: Path) -> bool:
    return path.is_dir() and not path.is_symlink() and \
        ((path / STAGING_MARKER).is_file() or (path / MARKER).is_file())


def _safe_rel(path: str) -> str:
    posix = PurePosixPath(path)
    if posix.is_absolute() or ".." in posix.parts or "\\" in path or "\0" in path or not path:
        raise OutputError(f"refusing to write outside the output folder: {path!r}")
    return posix.as_posix()


def _os_error(exc: OSError, path: str, src: Path | None = None) -> OutputError:
    if src is not None and (exc.filename == str(src) or  # the file to copy, not the site
                            isinstance(exc, shutil.SpecialFileError)):  # e.g. a named pipe
        return OutputError(f"cannot read {src}: {exc.strerror or exc}", str(src))
    prefix = _MESSAGES.get(exc.errno or 0, "could not write")
    return OutputError(f"{prefix} {path}: {exc.strerror or exc}", path)


def write_tree(staging: Path, outputs: Iterable[Output], allowed: tuple[Path, ...] = (),
               label: str = "", inodes: dict[str, int] | None = None,
               made: set[Path] | None = None) -> list[str]:
    """Write every output below `staging`; return the sorted relative paths.

    Copied files must live inside one of `allowed` (after resolving symlinks), so a symlink in
    a theme or content folder can never publish `~/.ssh/id_rsa` (RELIABILITY S7). Pages kept
    from the last build are exempt: `reuse.py` proved each is the very file (inode) we wrote.
    """
    written: dict[str, None] = {}
    jobs: list[tuple[str, Output]] = []
    made = set() if made is None else made  # folders known to exist
    inodes = inodes or {}  # files a spare tree already holds (spare.py)
    for output in outputs:
        rel = _safe_rel(output.path)
        if rel in written:
            raise OutputError(f"two outputs would be written to {rel}", rel,
                              hint="rename one of the files, or give a document another slug")
        written[rel] = None
        if output.src is not None and allowed and not output.kept:
            _check_src(rel, output.src, allowed)
        try:
            if rel in inodes:
                if output.kept and output.src is not None and same_file(output.src, inodes[rel]):
                    continue  # the spare holds this very page already
                (staging / rel).unlink()  # never write into it: it may be a live page's inode
            if output.kept:
                _write_one(staging, rel, output, made)  # a hard link: quicker than a thread
            else:
                jobs.append((rel, output))
        except OSError as exc:
            raise _os_error(exc, f"{label}/{rel}" if label else rel) from None
    _write_all(staging, jobs, made, label)
    return sorted(written)


def _write_all(staging: Path, jobs: list[tuple[str, Output]], made: set[Path],
               label: str) -> None:
    """Write new files, several at once: creating a file or folder mostly waits for the file
    system (about 1 ms each on some virtual disks), and threads overlap those waits."""
    def write(job: tuple[str, Output]) -> None:
        rel, output = job
        try:
            _write_one(staging, rel, output, made)
        except OSError as exc:
            raise _os_error(exc, f"{label}/{rel}" if label else rel, output.src) from None

    if len(jobs) < WRITE_THREADS_FROM:
        for job in jobs:
            write(job)
        return
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=4, thread_name_prefix="portfolio-write") as pool:
        futures = [pool.submit(write, job) for job in jobs]
        try:
            for future in futures:
                future.result()  # the first error, in output order
        except BaseException:
            pool.shutdown(wait=True, cancel_futures=True)  # nothing writes after we return
            raise


def _write_one(staging: Path, rel: str, output: Output, made: set[Path]) -> None:
    target = staging / rel
    parent = target.parent
    if parent not in made:
        parent.mkdir(parents=True, exist_ok=True)
        made.add(parent)
    if output.data is not None:
        with open(target, "wb") as handle:
            handle.write(output.data)
    elif output.src is not None and output.kept:
        # The same page in the live site: a hard link costs no copy, and the old tree is
        # deleted after the swap, so the published file ends with one link.
        try:
            os.link(output.src, target, follow_symlinks=False)
        except OSError:
            shutil.copyfile(output.src, target, follow_symlinks=False)
    elif output.src is not None:
        # Always a copy, never a hard link to the cache: editing a file in the output must not
        # change the cached copy, and a published tree holds no hard links (RELIABILITY D5).
        shutil.copyfile(output.src, target, follow_symlinks=True)
    else:
        target.touch()


def _check_src(rel: str, src: Path, allowed: tuple[Path, ...]) -> None:
    real = Path(os.path.realpath(src))
    if not any(real.is_relative_to(base) for base in allowed):
        raise OutputError(f"refusing to publish {rel}: {src} points to {real}, outside the site",
                          str(src), hint="copy the file into the site instead of linking to it")


def _contained(staging: Path) -> None:
    """Every written file resolves inside the staging folder (RELIABILITY S1).

    The folder is new and paths were checked by `_safe_rel`, so only a symlink could point
    out of it, and none should exist before foreign files are carried over: refuse any."""
    pending = [staging]
    while pending:
        with os.scandir(pending.pop()) as entries:
            for entry in entries:
                if entry.is_symlink():
                    rel = os.path.relpath(entry.path, staging)
                    raise OutputError(f"refusing to publish: {rel} resolves outside the output "
                                      "folder")
                if entry.is_dir(follow_symlinks=False):
                    pending.append(Path(entry.path))


def _carry_over(old: Path, staging: Path, ours: set[str], new: set[str]) -> list[str]:
    """Bring files we did not write from the old output into the new one, unaltered.

    They are hard-linked (or copied), never moved: until the swap, the old output stays whole,
    so a build killed at any point loses none of them. Symlinks are carried as symlinks.
    """
    kept = []
    pending = [""]
    while pending:  # os.scandir with plain strings: this visits every folder of the site
        rel_dir = pending.pop()
        with os.scandir(os.path.join(old, rel_dir)) as entries:
            for entry in entries:
                rel = f"{rel_dir}/{entry.name}" if rel_dir else entry.name
                if entry.is_dir(follow_symlinks=False):
                    if entry.name != ".git":
                        pending.append(rel)
                    elif rel not in ours and not os.path.lexists(staging / rel):
                        (staging / rel).parent.mkdir(parents=True, exist_ok=True)
                        shutil.copytree(entry.path, staging / rel, symlinks=True,
                                        copy_function=_clone)
                        kept.append(rel)
                    continue
                if rel in ours or rel == MARKER:
                    continue
                target = staging / rel
                if rel in new:  # a file of the user's is where we would write: theirs wins
                    target.unlink()
                target.parent.mkdir(parents=True, exist_ok=True)
                if os.path.isdir(target) and not os.path.islink(target):
                    raise OutputError(f"{rel} in the output folder is yours, but the new site "
                                      "needs a folder there", rel, hint="move or rename that "
                                      "file")
                if entry.is_symlink():
                    os.symlink(os.readlink(entry.path), target)
                else:
                    _clone(entry.path, target)
                kept.append(rel)
    return sorted(kept)


def _clone(src: str | Path, dst: str | Path) -> None:
    """A hard link where possible (instant, no extra space), else a copy with metadata."""
    try:
        os.link(src, dst, follow_symlinks=False)
    except OSError:
        shutil.copy2(src, dst, follow_symlinks=False)


def publish(out: Path, outputs: Iterable[Output], *, root: Path, force: bool = False,
            notes: list[str] | None = None, foreign: list[str] | None = None,
            sources: tuple[Path, ...] = (),
            before_swap: Callable[[Path], list[str]] | None = None) -> list[str]:
    """Stage `outputs` beside `out`, then swap them in. Returns the written paths.

    Files are copied only from inside `root` or one of `sources` (the theme folders).

    `notes` collects what was tidied up after an earlier interrupted build, for the report;
    `foreign` the files found in the output folder that we did not write (carried over).
    `before_swap(staging)` runs on the complete staged site and returns the files it added
    (the search index): they are ours, listed in the marker like the rest.
    """
    check_output_dir(out, root)
    try:  # an unreadable output folder, or one in a read-only folder: nothing changed yet
        out.parent.mkdir(parents=True, exist_ok=True)
        done = clean_stale(out)
        ours = previous_files(out, force)
    except OSError as exc:
        raise OutputError(f"could not use {out}: {exc.strerror or exc}", str(out)) from None
    if notes is not None:
        notes.extend(done)
    outputs = list(outputs)
    staging, spare = _staging(root, out)
    allowed = tuple(Path(os.path.realpath(d)) for d in (root, *sources))
    try:
        try:
            (staging / STAGING_MARKER).touch()
            inodes: dict[str, int] = {}
            made: set[Path] = set()
            if spare:  # bring the site before last up to date instead of writing it all
                wanted = {_safe_rel(o.path) for o in outputs} | {STAGING_MARKER}
                inodes, folders = prune(staging, wanted)
                made = {staging, *(staging / rel for rel in folders)}
            written = write_tree(staging, outputs, allowed, out.name, inodes, made)
            _contained(staging)
            if before_swap is not None:
                written = sorted({*written, *before_swap(staging)})
            marker = {"generator": "portfolio", "files": written}
            (staging / MARKER).unlink(missing_ok=True)
            (staging / MARKER).write_text(json.dumps(marker, indent=0, sort_keys=True) + "\n",
                                          "utf-8")
            if ours is not None and out.exists():
                carried = _carry_over(out, staging, ours, set(written))
                if foreign is not None:
                    foreign.extend(carried)
            (staging / STAGING_MARKER).unlink()
        except OSError as exc:
            raise _os_error(exc, _display(exc.filename or str(staging), staging, out)) from None
        try:  # the old site becomes the next spare tree, if it is all ours (a marker says so)
            _swap(staging, out, keep_old=spare and (out / MARKER).is_file())
        except OSError as exc:  # a read-only output folder, or the folder it is in
            raise OutputError(f"could not replace {out}: {exc.strerror or exc}", str(out),
                              hint="make it and the folder it is in writable") from None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return written


def _staging(root: Path, out: Path) -> tuple[Path, bool]:
    """The folder to stage the new site in, and whether it is the spare tree (spare.py)."""
    spare = spare_dir(root, out)
    if spare is not None:
        if usable(spare, (MARKER, STAGING_MARKER)):
            return spare, True
        if not os.path.lexists(spare):
            try:
                spare.mkdir()
                return spare, True
            except OSError:
                pass
    try:
        return Path(tempfile.mkdtemp(prefix=f".{out.name}.staging-", dir=out.parent)), False
    except OSError as exc:
        raise _os_error(exc, str(out.parent)) from None


def _display(path: str, staging: Path, out: Path) -> str:
    try:
        return str(out.name / Path(path).relative_to(staging))
    except ValueError:
        return path


def _swap(staging: Path, out: Path, keep_old: bool = False) -> None:
    """Put the staged site in place: there is never a moment without a complete site.

    With `keep_old`, the old site stays where the staging folder was (the next spare tree)."""
    if not out.exists():
        os.rename(staging, out)
        return
    if exchange(staging, out):  # the staging path now holds the old site
        if not keep_old:
            _remove(staging)
        return
    # Elsewhere: two renames; a build killed between them is repaired by `clean_stale`.
    old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
    old.rmdir()
    os.rename(out, old)
    try:
        os.rename(staging, out)
    except OSError:
        os.rename(old, out)
        raise
    _remove(old)


def _remove(folder: Path) -> None:
    """Delete one of our folders, its markers last, so a kill midway leaves it recognisable."""
    for child in folder.iterdir():
        if child.name not in (MARKER, STAGING_MARKER):
            if child.is_dir() and not child.is_symlink():
                shutil.rmtree(child, ignore_errors=True)
            else:
                child.unlink(missing_ok=True)
    shutil.rmtree(folder, ignore_errors=True)
