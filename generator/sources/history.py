"""Dates from git history: when each source file was first committed, following renames.

A post copied from another tool often has no `date:` and no dated file name; the date of the
commit that added it is the date its author would give. One `git log` over the whole history
answers for every file at once, and only when some post needs it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from typing import TypeVar

from ..model.documents import Meta, Source
from ..model.errors import Diagnostic
from ..util.git import GitMissing, run_git

R = TypeVar("R")  # what the reader made of the source: carried through untouched


def added_dates(root: Path) -> dict[str, dt.date]:
    """`{path relative to root: date of the commit that added it}`; {} outside a repository.

    Renames are followed (`-M`): a post moved from `_posts/` to `content/posts/` keeps the
    date it was first added. Dates are the author's, in the author's own time zone.
    """
    try:
        done = run_git(root, "-c", "core.quotePath=false", "log", "--reverse", "-z", "-M",
                       "--date=short", "--format=%x01%ad", "--name-status",
                       "--diff-filter=AR", "--relative", timeout=60)
    except GitMissing:
        return {}
    if done.returncode:
        return {}
    return parse_log(done.stdout)


def parse_log(text: str) -> dict[str, dt.date]:
    """Read `git log --reverse -z --format=%x01%ad --name-status`, oldest commit first."""
    added: dict[str, dt.date] = {}
    for chunk in text.split("\x01")[1:]:
        fields = chunk.split("\x00")
        try:
            day = dt.date.fromisoformat(fields[0].strip())
        except ValueError:
            continue
        rest = [f.lstrip("\n") for f in fields[1:]]
        index = 0
        while index < len(rest):
            status = rest[index]
            if status.startswith("R") and index + 2 < len(rest):
                old, new = rest[index + 1], rest[index + 2]
                added[new] = added.get(old, day)
                index += 3
            elif status == "A" and index + 1 < len(rest):
                added.setdefault(rest[index + 1], day)
                index += 2
            else:
                index += 1
    return added


def date_undated_posts(reads: list[tuple[Source, Meta, R]], root: Path, today: dt.date
                       ) -> tuple[list[tuple[Source, Meta, R]], list[Diagnostic]]:
    """Give every post without a date the date of the commit that added it (else `today`,
    for a post not committed yet), each with a warning naming the file, so `--strict` fails.

    Runs after reading, on what was read: the cache keeps a document's bytes, not its
    history, and git is asked only when some post has no date."""
    undated = [i for i, (source, meta, _) in enumerate(reads)
               if source.kind == "post" and meta.date is None]
    if not undated:
        return reads, []
    history = added_dates(root)
    out = list(reads)
    notes: list[Diagnostic] = []
    fix = "add 'date: YYYY-MM-DD' to the front matter, or name the file YYYY-MM-DD-title"
    for index in undated:
        source, meta, rendered = out[index]
        day = history.get(source.rel_path)
        if day is not None:
            notes.append(Diagnostic(f"no date: using {day.isoformat()}, when git first saw the "
                                    f"file ({fix})", source.rel_path, 1))
        else:
            day = today
            notes.append(Diagnostic(f"no date and not committed to git: using today, "
                                    f"{day.isoformat()} ({fix})", source.rel_path, 1))
        out[index] = (source, dataclasses.replace(meta, date=day), rendered)
    return out, notes
