"""The `portfolio` command: a thin Click layer over the library.

It parses options, finds the site, calls the API with a reporter, and turns `PortfolioError`s
into one clear message each (exit 1; usage errors exit 2; Ctrl-C exits 130). Heavy modules are
imported inside the commands so that `portfolio --help` answers at once.
"""

from __future__ import annotations

import sys
import traceback
from collections.abc import Callable
from enum import IntEnum
from functools import wraps
from pathlib import Path
from typing import Any

import click

from . import __version__


class Exit(IntEnum):
    OK = 0
    FAILED = 1
    USAGE = 2
    INTERRUPTED = 130


def _fail(message: str, code: Exit = Exit.FAILED) -> None:
    click.secho(message, err=True, fg="red" if code else None)
    sys.exit(int(code))


def handle_errors(func: Callable[..., Any]) -> Callable[..., Any]:
    """Map library errors to messages and exit codes; `--debug` shows the traceback."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from .model.errors import BuildFailed, PortfolioError, UsageError, format_error

        debug = bool(click.get_current_context().find_root().params.get("debug"))
        try:
            return func(*args, **kwargs)
        except BuildFailed as exc:
            if debug:
                traceback.print_exc()
                for error in exc.errors:  # each document's own traceback, with its cause
                    if error.__traceback__ is not None or error.__cause__ is not None:
                        traceback.print_exception(error)
            for error in exc.errors:
                click.secho(format_error(error), err=True, fg="red")
            more = exc.total - len(exc.errors)
            tail = f" ({more} not shown)" if more > 0 else ""
            count = f"{exc.total} error{'s' * (exc.total != 1)}"
            _fail(f"Build failed: {count}{tail}. {exc.outcome()}")
        except UsageError as exc:
            _fail(format_error(exc), Exit.USAGE)
        except PortfolioError as exc:
            if debug:
                traceback.print_exc()
            _fail(format_error(exc))
        except KeyboardInterrupt:
            _fail("Aborted! The previous site was left as it was.", Exit.INTERRUPTED)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except Exception as exc:  # a bug of ours: still one message, the traceback on --debug
            if debug:
                raise
            _fail(f"internal error: {type(exc).__name__}: {exc}\n  hint: this is a bug in "
                  "portfolio; run again with --debug and report the traceback")

    return wrapper


def site_root(path: str | None) -> Path:
    """The site folder: --site, else the nearest folder above the CWD with portfolio.yml."""
    from .model.config import CONFIG_NAME, find_root
    from .model.errors import ConfigError

    if path:
        return Path(path).absolute()
    root = find_root(Path.cwd())
    if root is None:
        raise ConfigError(f"no {CONFIG_NAME} found in this folder or any folder above it",
                          hint="cd into your site's folder, or run 'portfolio init' to start one")
    return root


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", "-V", prog_name="portfolio")
@click.option("--debug", is_flag=True, help="Show full tracebacks for errors.")
def cli(debug: bool) -> None:
    """Turn Markdown posts and Jupyter notebooks into a portfolio site for GitHub Pages.

    Run `portfolio build` in your site's folder; the site is written to _site/.
    """


@cli.command()
@click.option("--site", "site", type=click.Path(file_okay=False),
              help="The site folder (default: the nearest folder with portfolio.yml).")
@click.option("--out", "out", type=click.Path(), help="Output folder (default: _site).")
@click.option("--drafts", is_flag=True, help="Include drafts (never use this for publishing).")
@click.option("--strict", is_flag=True, help="Treat warnings (broken links, ...) as errors.")
@click.option("--keep-going", is_flag=True,
              help="Build every valid document even if some fail (still exits 1).")
@click.option("--base-url", help="Override 'url' from portfolio.yml, e.g. "
                                 "https://USER.github.io/REPO/.")
@click.option("--force", is_flag=True,
              help="Write into a non-empty output folder not made by portfolio (keeps its files).")
@click.option("-q", "--quiet", is_flag=True, help="Print only warnings and errors.")
@click.option("-v", "--verbose", is_flag=True, help="Print every warning, not only the first "
              "30 (all of them are also in .portfolio/warnings.txt).")
@handle_errors
def build(site: str | None, out: str | None, drafts: bool, strict: bool, keep_going: bool,
          base_url: str | None, force: bool, quiet: bool, verbose: bool) -> None:
    """Build the site into its output folder."""
    from .build import build as run_build
    from .console import ConsoleReporter
    from .model.errors import PortfolioError

    root = site_root(site)
    reporter = ConsoleReporter(quiet=quiet, verbose=verbose)
    try:
        report = run_build(root, out_dir=out, drafts=drafts, strict=strict,
                           keep_going=keep_going, force=force, base_url=base_url,
                           reporter=reporter)
    except PortfolioError:
        if not strict:  # warnings matter most when the build failed (under --strict: errors)
            reporter.warnings()
        raise
    finally:
        reporter.close()
    reporter.summary(report, root)


@cli.command()
@click.option("--site", "site", type=click.Path(file_okay=False),
              help="The site folder (default: the nearest folder with portfolio.yml).")
@click.option("--workflow", is_flag=True,
              help="(Re)write .github/workflows/pages.yml instead of pushing a branch.")
@click.option("--branch", default="gh-pages", show_default=True, help="Branch to publish to.")
@click.option("--remote", default="origin", show_default=True, help="Remote to push to.")
@click.option("-m", "--message", help="Commit message (default names the source commit).")
@click.option("--force", is_flag=True, help="Overwrite a remote branch that has moved on; "
                                            "with --workflow, replace an edited workflow.")
@click.option("--dry-run", is_flag=True, help="List what would be published; push nothing.")
@click.option("--no-build", is_flag=True, help="Publish the existing output folder as it is.")
@click.option("--no-push", is_flag=True, help="Commit to the local branch only.")
@click.option("--strict", is_flag=True, help="Refuse to deploy when the build has warnings.")
@click.option("--ignore-version", is_flag=True,
              help="Deploy even if a newer portfolio made the last deploy.")
@click.option("--install", help="With --workflow: the command that installs portfolio in CI "
                               "(default: the way it is installed here).")
@handle_errors
def deploy(site: str | None, workflow: bool, branch: str, remote: str, message: str | None,
           force: bool, dry_run: bool, no_build: bool, no_push: bool, strict: bool,
           ignore_version: bool, install: str | None) -> None:
    """Publish the site to GitHub Pages (a gh-pages branch, or an Actions workflow)."""
    from .model.config import load_config

    root = site_root(site)
    config = load_config(root)
    if workflow:
        from .commands.workflow import default_install, write_workflow

        if install is None:
            install, note = default_install(root)
            if note:
                click.secho(f"note: {note}", fg="yellow", err=True)
        path = write_workflow(root, force=force, output_dir=config.output,
                              base_url_in_config=bool(config.url), install=install,
                              branch=config.github.branch)
        click.echo(f"Wrote {path.relative_to(root)}. On GitHub, set Settings → Pages → Source "
                   "to 'GitHub Actions', then push.")
        return
    from .commands.deploy import publish

    out = config.output_dir
    if not no_build:
        from .build import build as run_build

        run_build(root, strict=strict)
    result = publish(out, root, branch=branch, remote=remote, message=message,
                     cname=config.cname, force=force, dry_run=dry_run, push=not no_push,
                     ignore_version=ignore_version,
                     badges_branch=config.github.branch if config.github.configured else None)
    for warning in result.warnings:
        click.secho(f"warning: {warning}", fg="yellow", err=True)
    if dry_run:
        for published in result.paths:
            click.echo(published)
        click.echo(f"Would publish {result.files} files ({result.bytes / 1e6:.1f} MB) to "
                   f"{branch}.")
    elif not result.changed:
        click.echo(f"{branch} is up to date; nothing to publish.")
    else:
        where = f"pushed to {remote}/{branch}" if result.pushed else f"committed to {branch}"
        click.echo(f"Published {result.files} files ({result.bytes / 1e6:.1f} MB): "
                   f"{(result.commit or '')[:12]} {where}.")


@cli.command()
@click.argument("directory", default=".", type=click.Path(file_okay=False))
@click.option("--force", is_flag=True, help="Overwrite starter files that already exist.")
@handle_errors
def init(directory: str, force: bool) -> None:
    """Create a ready-to-build site in DIRECTORY (default: this folder)."""
    from .commands.scaffold import init_site

    result = init_site(Path(directory), force=force)
    for rel in result.created:
        click.echo(f"  created {rel}")
    if result.github:
        click.echo(f"GitHub repository {result.github.owner}/{result.github.repo} "
                   f"(branch {result.github.branch}); the site will be at {result.github.url}")
    else:
        click.echo("No GitHub remote found: set 'url' and 'github' in portfolio.yml later.")
    for note in result.notes:
        click.secho(f"note: {note}", fg="yellow", err=True)
    from .model.config import repo_prefix

    prefix = repo_prefix(result.root)
    if prefix:
        click.secho(f"warning: this site is the folder '{prefix}' of a git repository. GitHub "
                    "runs workflows only from the repository's top-level .github/workflows/: "
                    f"move {prefix}.github there and add 'working-directory: {prefix.rstrip('/')}"
                    "' to its build steps, or use 'portfolio deploy'.", fg="yellow", err=True)
    where = "" if Path(directory).absolute() == Path.cwd() else f"cd {directory} && "
    click.echo(f"Next: {where}portfolio serve")


@cli.group()
def new() -> None:
    """Create a new post or project from a template."""


@new.command("post")
@click.argument("title")
@click.option("--open", "open_", is_flag=True, help="Open the new file in $EDITOR.")
@handle_errors
def new_post(title: str, open_: bool) -> None:
    """Create content/posts/YYYY-MM-DD-TITLE.md (a draft)."""
    from .commands.scaffold import new_post as create

    _created(create(site_root(None), title), open_)


@new.command("project")
@click.argument("name")
@click.option("--markdown", is_flag=True, help="A Markdown project page instead of a notebook.")
@click.option("--open", "open_", is_flag=True, help="Open the new file in $EDITOR.")
@handle_errors
def new_project(name: str, markdown: bool, open_: bool) -> None:
    """Create projects/NAME.ipynb (or projects/NAME.md with --markdown)."""
    from .commands.scaffold import new_project as create

    _created(create(site_root(None), name, markdown=markdown), open_)


def _created(path: Path, open_: bool) -> None:
    try:
        shown = path.relative_to(Path.cwd())
    except ValueError:
        shown = path
    click.echo(f"Created {shown}")
    if open_:
        click.edit(filename=str(path))


@cli.command()
@click.option("--site", "site", type=click.Path(file_okay=False),
              help="The site folder (default: the nearest folder with portfolio.yml).")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535),
              help="Port to listen on (0 picks a free one).")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; 0.0.0.0 shows the site to your whole network.")
@click.option("--drafts/--no-drafts", default=True, show_default=True,
              help="Show draft posts and projects (with a draft banner).")
@click.option("--open", "open_", is_flag=True, help="Open the site in your web browser.")
@handle_errors
def serve(site: str | None, port: int, host: str, drafts: bool, open_: bool) -> None:
    """Preview the site, rebuilding and reloading the browser on every save."""
    from .commands.serve import serve as run_serve

    def info(text: str) -> None:
        click.echo(text)
        sys.stdout.flush()  # a parent process (or a test) reads the URL line at once

    def warn(text: str) -> None:
        click.secho(text, fg="yellow", err=True)

    run_serve(site_root(site), host=host, port=port, drafts=drafts, open_browser=open_,
              info=info, warn=warn)


@cli.command()
@click.option("--site", "site", type=click.Path(file_okay=False),
              help="The site folder (default: the nearest folder with portfolio.yml).")
@click.option("--base-url", help="Check as if served from this URL, e.g. "
                                 "https://USER.github.io/REPO/.")
@click.option("--strict", is_flag=True, help="Exit with status 1 if anything is found.")
@click.option("--no-git", is_flag=True, help="Skip the check that notebooks are pushed.")
@handle_errors
def check(site: str | None, base_url: str | None, strict: bool, no_git: bool) -> None:
    """Check the site as a visitor would: links, anchors, alt text, sizes, and notebooks
    that will not run in Colab (not pushed, local paths, unexecuted cells, errors)."""
    from .commands.check import check_site

    findings = check_site(site_root(site), base_url=base_url, git=not no_git)
    for finding in findings:  # the report is the command's output: stdout, for a pipe or file
        click.secho(str(finding), fg="yellow")
    if not findings:
        click.echo("No problems found.")
        return
    click.echo(f"{len(findings)} problem{'s' * (len(findings) != 1)} found.")
    if strict:
        sys.exit(int(Exit.FAILED))


@cli.group()
def learn() -> None:
    """Your learning path (content/learning.yml, published at /learning/)."""


@learn.command("fork")
@click.argument("source")
@click.option("--site", "site", type=click.Path(file_okay=False),
              help="The site folder (default: the nearest folder with portfolio.yml).")
@click.option("--force", is_flag=True, help="Replace the site's existing learning path.")
@handle_errors
def learn_fork(source: str, site: str | None, force: bool) -> None:
    """Start your learning path from someone else's: SOURCE is their learning.json or
    learning.yml, as a URL (https://USER.github.io/REPO/learning.json) or a file."""
    from .commands.learn import TARGET, fork_learning

    result = fork_learning(site_root(site), source, force=force)
    verb = "Replaced" if result.replaced == TARGET else "Wrote"
    click.echo(f"{verb} {TARGET}: {result.tracks} track{'s' * (result.tracks != 1)}, "
               f"{result.items} item{'s' * (result.items != 1)}, every one planned.")
    for note in result.notes:
        click.secho(f"note: {note}", fg="yellow", err=True)
    click.echo("Next: set each item's status: and started: as you go, then portfolio build")


@cli.group()
def peers() -> None:
    """Learning with others: the sites listed under peers: in portfolio.yml."""


@peers.command("pull")
@click.option("--site", "site", type=click.Path(file_okay=False),
              help="The site folder (default: the nearest folder with portfolio.yml).")
@click.option("--timeout", type=click.FloatRange(min=0.1), default=15.0, show_default=True,
              metavar="S", help="Seconds to wait for each peer.")
@handle_errors
def peers_pull(site: str | None, timeout: float) -> None:
    """Download each peer's learning.json into content/peers/ (commit it: builds never use
    the network). A peer that cannot be reached, or sends a bad file, keeps its last copy.

    Exit status 0 when every peer has a copy (updated, unchanged or kept); 1 when a peer has
    no copy at all."""
    from .commands.peers import pull_peers

    report = pull_peers(site_root(site), timeout=timeout)
    colours = {"kept": "yellow", "missing": "red"}
    for pulled in report.pulled:
        click.secho(pulled.line, fg=colours.get(pulled.state))
    for stray in report.strays:
        click.secho(f"note: {stray} is not a peer in portfolio.yml any more: the build ignores "
                    "it; delete it", fg="yellow", err=True)
    updated = sum(1 for p in report.pulled if p.state == "updated")
    if updated:
        click.echo(f"Next: commit content/peers/ ({updated} updated), then portfolio build")
    if not report.ok:
        sys.exit(int(Exit.FAILED))


def main() -> None:
    cli(prog_name="portfolio")
