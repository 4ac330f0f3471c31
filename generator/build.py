"""The orchestrator and public API: config -> sources -> documents -> site -> outputs -> writer.

Errors from every document are collected and reported together; the writer runs only when
there are none (or, with `keep_going`, for the documents that were fine).
"""

from __future__ import annotations

import datetime as dt
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from .config import Config, load_config
from .documents import Output, Source
from .errors import MAX_ERRORS, BuildFailed, Diagnostic, PortfolioError
from .lock import build_lock


class Reporter(Protocol):
    """Where progress goes; the library never prints."""

    def start(self, total: int) -> None: ...
    def document(self, source: Source, cached: bool) -> None: ...
    def diagnostic(self, diagnostic: Diagnostic) -> None: ...
    def finish(self, report: BuildReport) -> None: ...


class NullReporter:
    def start(self, total: int) -> None:
        pass

    def document(self, source: Source, cached: bool) -> None:
        pass

    def diagnostic(self, diagnostic: Diagnostic) -> None:
        pass

    def finish(self, report: BuildReport) -> None:
        pass


class RecordingReporter(NullReporter):
    """Keeps what happened, for tests: which documents were rendered and which came cached."""

    def __init__(self) -> None:
        self.rendered: list[str] = []
        self.cached: list[str] = []
        self.diagnostics: list[Diagnostic] = []
        self.report: BuildReport | None = None

    def document(self, source: Source, cached: bool) -> None:
        (self.cached if cached else self.rendered).append(source.rel_path)

    def diagnostic(self, diagnostic: Diagnostic) -> None:
        self.diagnostics.append(diagnostic)

    def finish(self, report: BuildReport) -> None:
        self.report = report


@dataclass
class BuildReport:
    out_dir: Path
    posts: int = 0
    projects: int = 0
    pages: int = 0
    tags: int = 0
    files: int = 0
    rendered: int = 0
    cached: int = 0
    kept: int = 0  # files kept from the last build as they were (reuse.py)
    seconds: float = 0.0
    up_to_date: bool = False
    diagnostics: list[Diagnostic] = field(default_factory=list)
    failed: list[PortfolioError] = field(default_factory=list)
    site: Any = None  # the assembled Site, for the checks (generator.check)


def build_date() -> dt.datetime | None:
    """`SOURCE_DATE_EPOCH` when set (reproducible builds); otherwise no time goes in the output."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.strip().isdigit():
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.timezone.utc)
    return None


def render_outputs(config: Config, *, drafts: bool = False, reporter: Reporter | None = None,
                   keep_going: bool = False, cache=None, inventory=None,
                   dirs: list[Path] | None = None,
                   previous=None) -> tuple[list[Output], BuildReport]:
    """Everything up to the writer: the list of files of the site, and the report."""
    from . import render, site, sources, themes
    from .reading import read_documents

    reporter = reporter or NullReporter()
    report = BuildReport(out_dir=config.output_dir)
    inventory = inventory or sources.discover(config.root, config.exclude)
    dirs = dirs or themes.theme_dirs(config.root, config.theme)
    env = themes.environment(dirs, config.root / ".portfolio" / "jinja"
                             if cache is not None and cache.enabled else None)
    diagnostics = [Diagnostic(msg, path) for path, msg in inventory.warnings]
    reporter.start(len(inventory.documents))
    def idle() -> None:  # while workers convert: compile templates, make the Pygments CSS
        from .readers.highlight import pygments_css

        themes.warm(env)
        pygments_css(config.pygments_style, ":root")
        pygments_css(config.pygments_dark_style, ":root")

    documents, errors, read_diags, cached = read_documents(
        config, inventory.documents, themes.nbconvert_dirs(dirs), reporter, cache,
        themes.fingerprint(tuple(dirs)), idle)
    report.cached, report.rendered = cached, len(inventory.documents) - cached
    diagnostics += read_diags
    errors += site.check_collisions(documents)
    if errors and not keep_going:
        raise BuildFailed(errors)
    report.failed = errors[:MAX_ERRORS]
    stamp = build_date()
    today = stamp.date() if stamp else dt.datetime.now(dt.timezone.utc).date()  # not local TZ
    the_site = site.assemble(config, documents, today=today, drafts=drafts, build_date=stamp)
    outputs, render_diags = render.render_site(the_site, env, inventory.assets,
                                               themes.static_files(dirs), previous,
                                               themes.fingerprint(tuple(dirs)))
    diagnostics += render_diags
    report.posts, report.projects = len(the_site.posts), len(the_site.projects)
    report.pages, report.tags = len(the_site.pages), len(the_site.tags)
    report.files = len(outputs)
    report.kept = sum(1 for o in outputs if o.kept)
    report.diagnostics = diagnostics
    report.site = the_site
    return outputs, report


def build(root: Path | str, *, out_dir: Path | str | None = None, drafts: bool = False,
          strict: bool = False, keep_going: bool = False, force: bool = False,
          base_url: str | None = None, reporter: Reporter | None = None,
          use_cache: bool = True) -> BuildReport:
    """Build the site in `root` into its output folder (default `_site/`).

    When nothing that matters changed since the last good build, and the output is still the
    one it wrote, nothing is rendered or written and the report says `up_to_date`.
    """
    from . import sources, themes
    from .cache import Cache
    from .manifest import Manifest, build_inputs, marker_digest, today_key
    from .reuse import PreviousOutputs
    from .writer import check_output_dir, publish

    started = time.perf_counter()
    reporter = reporter or NullReporter()
    root = Path(root).absolute()
    overrides: dict[str, str] = {"url": base_url} if base_url is not None else {}
    if out_dir is not None:
        overrides["output"] = str(Path(out_dir).absolute())
    config = load_config(root, overrides=overrides)
    out = config.output_dir
    check_output_dir(out, root)  # refuse before doing any work
    with build_lock(root):
        inventory = sources.discover(root, config.exclude)
        dirs = themes.theme_dirs(root, config.theme)
        manifest = Manifest(root)
        inputs = build_inputs(root, config.path, [s.rel_path for s in inventory.documents],
                              inventory.assets)
        fingerprint = manifest.compute(root, inputs, {
            "config": config.digest(), "drafts": drafts, "strict": strict,
            "theme": themes.fingerprint(tuple(dirs)), "today": today_key()})
        if use_cache and not force and fingerprint == manifest.fingerprint and \
                manifest.marker and manifest.marker == marker_digest(out):
            report = BuildReport(out_dir=out, up_to_date=True,
                                 seconds=time.perf_counter() - started)
            reporter.finish(report)
            return report
        cache = Cache(root, enabled=use_cache)
        previous = PreviousOutputs(root, out, enabled=use_cache and not force)
        outputs, report = render_outputs(config, drafts=drafts, reporter=reporter,
                                         keep_going=keep_going, cache=cache,
                                         inventory=inventory, dirs=dirs, previous=previous)
        from .background import Forked
        from .check import site_findings

        known = list(report.diagnostics)

        def check() -> list[Diagnostic]:
            return site_findings(config, outputs, report.site, full=strict, known=known)

        findings: Forked[list[Diagnostic]] | None = None
        if strict:  # under --strict, a finding means nothing is published
            report.diagnostics += check()
            _report(reporter, report.diagnostics)
            if report.diagnostics:
                from .errors import SourceError
                raise BuildFailed([SourceError(d.message, d.path, d.line)
                                   for d in report.diagnostics])
        else:  # the pages are checked (CPU) while they are written (disk)
            findings = Forked(check, lambda found: [[d.message, d.path, d.line] for d in found],
                              lambda rows: [Diagnostic(*row) for row in rows])
        notes: list[str] = []  # e.g. leftovers of a killed build, tidied up
        foreign: list[str] = []
        try:
            publish(out, outputs, root=root, force=force, notes=notes, foreign=foreign)
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
        if not report.failed:
            manifest.save(fingerprint, marker_digest(out))
            cache.prune()
    report.seconds = time.perf_counter() - started
    reporter.finish(report)
    if report.failed:
        raise BuildFailed(report.failed, published=True)
    return report


def _report(reporter: Reporter, diagnostics: list[Diagnostic]) -> None:
    for diagnostic in diagnostics:
        reporter.diagnostic(diagnostic)


def render_in_memory(root: Path | str, *, drafts: bool = False,
                     base_url: str | None = None) -> dict[str, bytes]:
    """Render the site without writing it: `{path: bytes}`, for tests and previews."""
    overrides = {"url": base_url} if base_url is not None else {}
    config = load_config(Path(root), overrides=overrides)
    outputs, _ = render_outputs(config, drafts=drafts)
    return {o.path: o.data if o.data is not None else (o.src.read_bytes() if o.src else b"")
            for o in outputs}
