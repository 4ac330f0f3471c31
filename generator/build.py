"""The orchestrator and public API: config -> sources -> documents -> site -> outputs -> writer.

`build()` reads as the pipeline: load the config, find the sources, compute this build's keys
(portfolio's code, the theme, the config), stop early when nothing changed, read every source
(from the cache where it can), assemble the site, render it, check it, and publish it with the
atomic writer. Errors from every document are collected and reported together; the writer
runs only when there are none (or, with `keep_going`, for the documents that were fine).
"""

from __future__ import annotations

import datetime as dt
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .incremental.keys import BuildKeys
from .incremental.lock import build_lock
from .incremental.manifest import Manifest, build_inputs, marker_digest, today_key
from .incremental.store import State, atomic_write
from .model.config import Config, load_config
from .model.documents import Output
from .model.errors import MAX_ERRORS, BuildFailed, CacheDamaged, Diagnostic, SourceError
from .model.report import BuildReport, NullReporter, RecordingReporter, Reporter
from .output.writer import MARKER, check_output_dir, publish
from .readers import FORMATS
from .site import themes
from .sources.discover import Inventory, discover

if TYPE_CHECKING:
    from collections.abc import Callable

    import jinja2

    from .incremental.cache import Cache
    from .incremental.reuse import PreviousOutputs
    from .util.background import Forked

# Imported where they are used: a build that finds nothing changed stops before it needs
# Jinja, the reader pool or the checks, and those imports are most of its time.

__all__ = ["BuildReport", "NullReporter", "RecordingReporter", "Reporter", "build",
           "render_in_memory", "render_outputs"]


@dataclass
class SiteOutputs:
    """Everything up to the writer: the files of the site, the report, and the build's keys."""

    outputs: list[Output]
    report: BuildReport
    keys: BuildKeys
    cache: Cache


def build_date() -> dt.datetime | None:
    """`SOURCE_DATE_EPOCH` when set (reproducible builds); otherwise no time goes in the output."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.strip().isdigit():
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.timezone.utc)
    return None


def render_outputs(config: Config, *, drafts: bool = False, reporter: Reporter | None = None,
                   keep_going: bool = False, use_cache: bool = True,
                   inventory: Inventory | None = None, dirs: list[Path] | None = None,
                   keys: BuildKeys | None = None,
                   previous: PreviousOutputs | None = None) -> SiteOutputs:
    """Read, assemble and render the site in memory (`previous`: pages it may keep)."""
    from .incremental.cache import Cache
    from .site.styles import check_styles, pygments_css

    check_styles(config)  # an unknown Pygments style is portfolio.yml's error, by its line
    reporter = reporter or NullReporter()
    inventory = inventory or discover(config.root, FORMATS, config.exclude)
    dirs = dirs or themes.theme_dirs(config.root, config.theme)
    keys = keys or BuildKeys.compute(config, dirs)
    cache = Cache(config.root, enabled=use_cache)
    env = themes.environment(dirs, State(config.root).templates if use_cache else None)
    diagnostics = [Diagnostic(msg, path) for path, msg in inventory.warnings]
    reporter.start(len(inventory.documents))

    def idle() -> None:  # while workers convert: compile templates, make the Pygments CSS
        themes.warm(env)
        pygments_css(config.pygments_style, ":root")
        pygments_css(config.pygments_dark_style, ":root")

    for attempt in range(1, _CACHE_TRIES + 1):  # a cache file found damaged while rendering:
        try:                                      # discarded, and its source converted again
            return _render(config, inventory, diagnostics, dirs, env, keys, cache, previous,
                           drafts=drafts, keep_going=keep_going, idle=idle, reporter=reporter)
        except CacheDamaged as exc:
            cache.discard(exc.file)
            if attempt == _CACHE_TRIES:
                raise
            cache.thorough = True  # check every byte read now: any other damage is a miss
            reporter = NullReporter()  # the progress was shown once
    raise AssertionError("unreachable")


_CACHE_TRIES = 3


def _render(config: Config, inventory: Inventory, warnings: list[Diagnostic],
            dirs: list[Path], env: jinja2.Environment, keys: BuildKeys, cache: Cache,
            previous: PreviousOutputs | None, *, drafts: bool, keep_going: bool,
            idle: Callable[[], None], reporter: Reporter) -> SiteOutputs:
    from .readers.batch import read_documents
    from .site.assemble import assemble, check_collisions, make_documents
    from .site.render import render_site
    from .sources.data import read_data
    from .sources.history import date_undated_posts

    report = BuildReport(out_dir=config.output_dir)
    diagnostics = list(warnings)
    reads, errors, read_diags, cached = read_documents(
        config, inventory.documents, themes.nbconvert_dirs(dirs), reporter, keys, cache, idle)
    report.cached, report.rendered = cached, len(inventory.documents) - cached
    diagnostics += read_diags
    stamp = build_date()
    today = stamp.date() if stamp else dt.datetime.now(dt.timezone.utc).date()  # not local TZ
    reads, date_notes = date_undated_posts(reads, config.root, today)
    diagnostics += date_notes
    errors = [*inventory.errors, *errors]  # unreadable folders, symlink loops
    documents, slug_errors = make_documents(reads, config.root)
    documents, collisions = check_collisions(documents, inventory.assets)
    errors += slug_errors + collisions
    site_data, data_errors = read_data(config.root, inventory.data)
    errors += data_errors
    if errors and not keep_going:
        raise BuildFailed(errors)
    report.failed = errors[:MAX_ERRORS]
    the_site = assemble(config, documents, today=today, drafts=drafts, build_date=stamp,
                        data=site_data)
    static = themes.static_files(dirs)
    static.update(themes.chart_libraries(static, any(d.rendered.has_plotly
                                                     for d in the_site.documents)))
    outputs, render_diags = render_site(the_site, env, inventory.assets, static, keys, previous)
    diagnostics += render_diags
    report.posts, report.projects = len(the_site.posts), len(the_site.projects)
    report.pages, report.tags = len(the_site.pages), len(the_site.tags)
    report.files = len(outputs)
    report.kept = sum(1 for o in outputs if o.kept)
    report.diagnostics = diagnostics
    report.site = the_site
    return SiteOutputs(outputs, report, keys, cache)


def build(root: Path | str, *, out_dir: Path | str | None = None, drafts: bool = False,
          strict: bool = False, keep_going: bool = False, force: bool = False,
          base_url: str | None = None, reporter: Reporter | None = None,
          use_cache: bool = True, search: bool | None = None) -> BuildReport:
    """Build the site in `root` into its output folder (default `_site/`).

    When nothing that matters changed since the last good build, and the output is still the
    one it wrote, nothing is rendered or written and the report says `up_to_date`.
    `search=False` overrides `search:` in portfolio.yml (`portfolio serve` builds no index).
    """
    started = time.perf_counter()
    reporter = reporter or NullReporter()
    root = Path(root).absolute()
    overrides: dict[str, str | bool] = {"url": base_url} if base_url is not None else {}
    if out_dir is not None:
        overrides["output"] = str(Path(out_dir).absolute())
    if search is not None:
        overrides["search"] = search
    config = load_config(root, overrides=overrides)
    out = config.output_dir
    check_output_dir(out, root)  # refuse before doing any work
    with build_lock(root) as interrupted:
        if interrupted:  # e.g. killed; the system released its lock, the writer tidies up
            reporter.diagnostic(Diagnostic(interrupted, f"{root.name}/.portfolio"))
        inventory = discover(root, FORMATS, config.exclude)
        dirs = themes.theme_dirs(root, config.theme)
        manifest = Manifest(root)
        # once per build, never per process: a template edited between two builds is seen
        keys = BuildKeys.compute(config, dirs, manifest.theme_files)
        inputs = build_inputs(root, config.path, [s.rel_path for s in inventory.documents],
                              [*inventory.assets, *inventory.data])
        fingerprint = manifest.compute(root, inputs, keys, {  # a file newly skipped is told
            "drafts": drafts, "strict": strict, "today": today_key(),
            "skipped": inventory.warnings})
        if use_cache and not force and fingerprint == manifest.fingerprint and \
                manifest.marker and manifest.marker == marker_digest(out / MARKER):
            listing = State(root).warnings
            report = BuildReport(out_dir=out, up_to_date=True, diagnostics=manifest.warnings,
                                 warnings_file=listing if manifest.warnings and
                                 listing.is_file() else None,
                                 seconds=time.perf_counter() - started)
            reporter.finish(report)
            return report
        from .incremental.reuse import PreviousOutputs
        from .output.search import SearchIndex, require_pagefind

        pagefind = require_pagefind() if config.search else None  # before any work, too
        previous = PreviousOutputs(root, out, keys.code, enabled=use_cache and not force)
        site = render_outputs(config, drafts=drafts, reporter=reporter, keep_going=keep_going,
                              use_cache=use_cache, inventory=inventory, dirs=dirs, keys=keys,
                              previous=previous)
        report, outputs = site.report, site.outputs
        known = list(report.diagnostics)
        from .checks.findings import site_findings
        from .util.background import Forked

        def check() -> list[Diagnostic]:
            return site_findings(config, outputs, report.site, keys.code, full=strict,
                                 known=known)

        findings: Forked[list[Diagnostic]] | None = None
        if strict:  # under --strict, a finding means nothing is published
            report.diagnostics += check()
            _report(reporter, report.diagnostics)
            if report.diagnostics:
                raise BuildFailed([SourceError(d.message, d.path, d.line)
                                   for d in report.diagnostics])
        else:  # the pages are checked (CPU) while they are written (disk)
            findings = Forked(check, lambda found: [[d.message, d.path, d.line] for d in found],
                              lambda rows: [Diagnostic(*row) for row in rows])
        notes: list[str] = []  # e.g. leftovers of a killed build, tidied up
        foreign: list[str] = []
        try:  # the search index is made on the staged site, or kept if no page changed
            index = SearchIndex(root, out, outputs, keys.code, pagefind,
                                reuse=use_cache and not force) if pagefind else None
            publish(out, outputs, root=root, force=force, notes=notes, foreign=foreign,
                    sources=(*dirs, *themes.library_dirs()), before_swap=index)
        except BaseException:
            if findings is not None:
                findings.cancel()
            raise
        if findings is not None:
            report.diagnostics += findings.result()
            _report(reporter, report.diagnostics)
        for note in notes:
            reporter.diagnostic(Diagnostic(note, out.name))
        previous.save(outputs, skip=set(foreign))  # after the swap: what the next build keeps
        if index is not None:
            index.save()
        report.warnings_file = _write_warnings(State(root).warnings, report.diagnostics)
        if not report.failed:
            manifest.save(fingerprint, marker_digest(out / MARKER), report.diagnostics)
            site.cache.prune()
    report.seconds = time.perf_counter() - started
    reporter.finish(report)
    if report.failed:
        raise BuildFailed(report.failed, published=True)
    return report


def _write_warnings(path: Path, diagnostics: list[Diagnostic]) -> Path | None:
    """List every warning in `.portfolio/warnings.txt` (the terminal shows the first few)."""
    try:
        if not diagnostics:
            path.unlink(missing_ok=True)
            return None
        atomic_write(path, "".join(f"{d}\n" for d in diagnostics).encode("utf-8",
                                                                          "surrogatepass"))
        return path
    except OSError:
        return None  # a read-only state folder: the terminal still shows them


def _report(reporter: Reporter, diagnostics: list[Diagnostic]) -> None:
    for diagnostic in diagnostics:
        reporter.diagnostic(diagnostic)


def render_in_memory(root: Path | str, *, drafts: bool = False,
                     base_url: str | None = None) -> dict[str, bytes]:
    """Render the site without writing it (and without the cache): `{path: bytes}`, for tests
    and previews."""
    overrides = {"url": base_url} if base_url is not None else {}
    config = load_config(Path(root), overrides=overrides)
    site = render_outputs(config, drafts=drafts, use_cache=False)
    return {o.path: o.data if o.data is not None else (o.src.read_bytes() if o.src else b"")
            for o in site.outputs}

