"""What a build tells its caller: the progress protocol (the library never prints) and the
report it returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from .documents import Site, Source
from .errors import Diagnostic, PortfolioError


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
    kept: int = 0  # files kept from the last build as they were (incremental/reuse.py)
    seconds: float = 0.0
    up_to_date: bool = False
    diagnostics: list[Diagnostic] = field(default_factory=list)
    failed: list[PortfolioError] = field(default_factory=list)
    site: Site | None = None  # the assembled site, for the checks
    warnings_file: Path | None = None  # where every warning is listed, when there are any


class Reporter(Protocol):
    """Where progress goes; the CLI turns it into output."""

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
