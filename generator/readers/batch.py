"""Read every source into a `Document`, from the cache where possible, in parallel where it pays.

Errors are collected, not raised at the first one. Cache misses are converted in worker
processes when there are enough of them to repay the workers' start-up (each worker imports
nbconvert once and keeps one exporter).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from typing import TYPE_CHECKING

from ..incremental.cache import Cache
from ..incremental.keys import BuildKeys
from ..model.documents import Meta, Rendered, Source
from ..model.errors import Diagnostic, PortfolioError, SourceError
from ..model.report import Reporter
from ..util.orphans import die_with_parent
from . import Result, read_source

if TYPE_CHECKING:
    from ..model.config import Config

# Parallel conversion pays when the work clearly exceeds the pool's start-up: measured in bench/.
MIN_NOTEBOOKS_FOR_POOL = 4  # in a process that has imported nbconvert already
MIN_MARKDOWN_FOR_POOL = 120

Read = tuple[Source, Meta, Rendered]  # a document read, before the site gives it a URL


def _read_bytes(source: Source) -> bytes:
    try:
        return source.abs_path.read_bytes()
    except OSError as exc:
        raise SourceError(f"cannot read the file: {exc.strerror}", source.rel_path) from None


def _safe_read(args: tuple[Config, Source, tuple[str, ...], bytes, str, bool]
               ) -> Result | PortfolioError:
    """Worker entry point: read one source and store it in the cache (so the build process
    need not write every entry itself); never lets an exception escape as a traceback."""
    config, source, template_dirs, data, key, cached = args
    try:
        result = read_source(config, source, data, template_dirs)
    except PortfolioError as exc:
        return exc
    except RecursionError:
        return SourceError("too deeply nested to render", source.rel_path)
    except Exception as exc:  # a reader bug or a library crash: name the file, keep going
        return SourceError(f"could not convert this file: {type(exc).__name__}: {exc}",
                           source.rel_path, hint="check the file opens in its editor; if it "
                           "does, this is a bug in portfolio (run with --debug)")
    if result is not None and cached:
        meta, rendered = result
        result = (meta, Cache(config.root).put(key, meta, rendered))
    return result


def _warm_up(template_dirs: tuple[str, ...], notebooks: bool, build_pid: int) -> None:
    """Pool initializer: die with the build, and import nbconvert and build the exporter once
    per worker (when there are notebooks)."""
    die_with_parent(build_pid)
    if notebooks:
        from .notebook import _exporter

        _exporter(template_dirs)


def cache_key(source: Source, data: bytes, keys: BuildKeys) -> str:
    """A reader result is a function of the source's bytes and place, the readers' part of
    the config and portfolio's code; a notebook's also of the theme's nbconvert templates."""
    parts = [source.rel_path, source.kind, source.format, keys.readers, keys.code]
    if source.format == "notebook":
        parts.append(keys.theme)
    return Cache.key(data, *parts)


def read_documents(config: Config, sources: list[Source], template_dirs: tuple[str, ...],
                   reporter: Reporter, keys: BuildKeys, cache: Cache | None = None,
                   idle: Callable[[], None] | None = None
                   ) -> tuple[list[Read], list[PortfolioError], list[Diagnostic], int]:
    """Read all sources. Returns what was read, errors, warnings and how many were cached.

    Misses are known from the cache's index before any entry is loaded, so converting them
    (in worker processes, when it pays) overlaps with loading the hits here, and with `idle`
    (work the caller can do early, such as compiling templates).
    """
    cache = cache or Cache(config.root, enabled=False)
    results: dict[int, Result | PortfolioError] = {}
    misses: list[tuple[int, Source, bytes, str]] = []
    hits: list[tuple[int, Source, bytes, str]] = []
    for index, source in enumerate(sources):
        try:
            data = _read_bytes(source)
        except PortfolioError as exc:
            results[index] = exc
            reporter.document(source, cached=False)
            continue
        key = cache_key(source, data, keys)
        (hits if cache.has(key) else misses).append((index, source, data, key))

    cached = 0
    with _Conversions(config, misses, template_dirs, cache.enabled) as conversions:
        if conversions.pool is not None and idle is not None:
            idle()
        for index, source, data, key in hits:
            hit = cache.get(key)
            if hit is None:  # corrupt: a miss after all
                conversions.late.append((index, source, data, key))
                continue
            results[index] = hit
            cached += 1
            reporter.document(source, cached=True)
        for (index, source, _, key), result in conversions:
            if result is not None and not isinstance(result, PortfolioError):
                cache.adopt(key, result[1])
            results[index] = result
            reporter.document(source, cached=False)

    reads: list[Read] = []
    errors: list[PortfolioError] = []
    diagnostics: list[Diagnostic] = []
    for index, source in enumerate(sources):
        result = results[index]
        if isinstance(result, PortfolioError):
            errors.append(result)
        elif result is None:
            diagnostics.append(Diagnostic("empty file; skipped", source.rel_path))
        else:
            meta, rendered = result
            reads.append((source, meta, rendered))
            diagnostics += [Diagnostic(msg, source.rel_path, line)
                            for msg, line in rendered.warnings]
    return reads, errors, diagnostics, cached


Miss = tuple[int, Source, bytes, str]


class _Conversions:
    """Converts cache misses: in a process pool started at once when it pays (any notebook,
    or many Markdown files), else in this process. Iterate it for (miss, result) pairs; misses
    found late (corrupt entries) go to `late` and are converted here."""

    def __init__(self, config: Config, misses: list[Miss], template_dirs: tuple[str, ...],
                 cached: bool = True):
        self.config, self.template_dirs, self.cached = config, template_dirs, cached
        notebooks = [m for m in misses if m[1].format == "notebook"]
        markdown = [m for m in misses if m[1].format != "notebook"]
        cpus = os.cpu_count() or 1
        self.pool: ProcessPoolExecutor | None = None
        self.late: list[Miss] = []
        self.ordered = notebooks + markdown  # the slow ones first, so both cores stay busy
        # A fresh process pays nbconvert's imports either way: in a worker, they overlap with
        # loading the cache here. A process that has them already (serve) converts a few
        # notebooks faster itself.
        warm = "nbconvert" in sys.modules
        if cpus > 1 and (len(notebooks) >= (MIN_NOTEBOOKS_FOR_POOL if warm else 1)
                         or len(markdown) >= MIN_MARKDOWN_FOR_POOL):
            self._start(min(cpus, 4, len(misses)), bool(notebooks))

    def _start(self, workers: int, notebooks: bool) -> None:
        import multiprocessing

        # fork is cheap and shares the imports, but only Linux makes it safe to use in a
        # process with threads (macOS's own frameworks are not fork-safe); elsewhere spawn
        method = "fork" if sys.platform.startswith("linux") and hasattr(os, "fork") else "spawn"
        context = multiprocessing.get_context(method)
        self.pool = ProcessPoolExecutor(max_workers=workers, mp_context=context,
                                        initializer=_warm_up,
                                        initargs=(self.template_dirs, notebooks, os.getpid()))
        jobs = (self._job(m) for m in self.ordered)
        self.futures = self.pool.map(_safe_read, jobs, chunksize=1 if notebooks else 4)

    def _job(self, miss: Miss) -> tuple[Config, Source, tuple[str, ...], bytes, str, bool]:
        return self.config, miss[1], self.template_dirs, miss[2], miss[3], self.cached

    def __enter__(self) -> _Conversions:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)

    def __iter__(self):
        if self.pool is not None:
            yield from zip(self.ordered, self.futures, strict=True)
        else:
            for miss in self.ordered:
                yield miss, _safe_read(self._job(miss))
        for miss in self.late:
            yield miss, _safe_read(self._job(miss))
