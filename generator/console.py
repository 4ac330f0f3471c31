"""The CLI's reporter: a progress bar on a terminal, plain lines elsewhere, a summary at the end."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

import click

from .model.documents import Source
from .model.errors import Diagnostic
from .model.report import BuildReport

if TYPE_CHECKING:
    from click._termui_impl import ProgressBar  # click exports the class only from here

MAX_WARNINGS = 30  # a corpus-wide problem should not scroll the summary off the screen


class ConsoleReporter:
    """Shows progress for builds with more than a handful of documents to render."""

    def __init__(self, quiet: bool = False, stream: TextIO | None = None,
                 verbose: bool = False) -> None:
        self.quiet, self.verbose = quiet, verbose
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty() and not os.environ.get("CI")
        self.total = 0
        self.done = 0
        self.rendered = 0
        self.cached = 0
        self.diagnostics: list[Diagnostic] = []
        self._bar: ProgressBar[int] | None = None

    def start(self, total: int) -> None:
        self.total = total
        if self.tty and not self.quiet and total >= 8:
            self._bar = click.progressbar(length=total, label="Reading", file=self.stream,
                                          show_pos=True, width=30)
            self._bar.__enter__()

    def document(self, source: Source, cached: bool) -> None:
        self.done += 1
        if cached:
            self.cached += 1
        else:
            self.rendered += 1
        if self._bar is not None:
            self._bar.label = f"Reading ({self.cached} cached)" if self.cached else "Reading"
            self._bar.update(1)
        elif not self.quiet and not self.tty and not cached and source.format == "notebook":
            click.echo(f"  converted {source.rel_path}", file=self.stream)

    def diagnostic(self, diagnostic: Diagnostic) -> None:
        self.diagnostics.append(diagnostic)

    def finish(self, report: BuildReport) -> None:
        self.close()

    def close(self) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)
            self._bar = None

    def warnings(self, limit: int = MAX_WARNINGS, listing: Path | None = None) -> None:
        """Print the warnings (all of them with --verbose, else the first `limit`), then
        how many were not printed and where they all are."""
        shown = self.diagnostics if self.verbose else self.diagnostics[:limit]
        for diag in shown:
            click.secho(f"warning: {diag}", fg="yellow", err=True)
        hidden = len(self.diagnostics) - len(shown)
        if hidden:
            where = f"all of them are in {_display(listing)}, or " if listing else ""
            click.secho(f"... {hidden} more warning{'s' * (hidden != 1)} not shown ({where}"
                        "run with -v to print them all)", fg="yellow", err=True)

    def summary(self, report: BuildReport, root: Path) -> None:
        if report.up_to_date and not self.verbose:
            count = len(report.diagnostics)
            if count:  # nothing was built: say there are warnings, do not repeat them all
                click.secho(f"{count} warning{'s' * (count != 1)} from the last build (run "
                            "with -v to see them)", fg="yellow", err=True)
        else:
            self.diagnostics = self.diagnostics or list(report.diagnostics)
            self.warnings(listing=report.warnings_file)
        if self.quiet:
            return
        try:
            where = report.out_dir.relative_to(Path.cwd())
        except ValueError:
            where = report.out_dir
        if report.up_to_date:
            click.echo(f"Site is up to date ({where}/, {report.seconds:.2f} s).")
            return
        parts = [f"{report.posts} post{'s' * (report.posts != 1)}",
                 f"{report.projects} project{'s' * (report.projects != 1)}",
                 f"{report.pages} page{'s' * (report.pages != 1)}",
                 f"{report.tags} tag{'s' * (report.tags != 1)}"]
        cache = f", {report.kept} unchanged" if report.kept else ""
        cache += f"; {report.rendered} document{'s' * (report.rendered != 1)} converted, " \
            f"{report.cached} from cache" if report.cached else ""
        click.echo(f"Built {', '.join(parts)} ({report.files} files{cache}) in "
                   f"{report.seconds:.1f} s")
        click.echo(f"Site written to {where}/ - preview it with 'portfolio serve'.")


def _display(path: Path) -> str:
    """A path as the user typed it: relative to the current folder when it is below it."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)
