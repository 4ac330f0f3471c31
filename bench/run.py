"""Benchmark ``portfolio`` against peer static-site generators on one generated corpus.

One command does everything: it writes a seeded corpus to a temp dir, installs
the peers into ``bench/.venvs/`` if they are not there yet, lays the corpus out
for every tool, then measures in alternating rounds (the tool order rotates
every round; the median over rounds is reported):

* cold build: output and every cache removed first;
* no-op rebuild: the same command again, nothing changed;
* rebuild after appending a paragraph to one post;
* rebuild after editing one notebook (tools that build notebooks);
* peak memory (max RSS of the build's process tree, from ``wait4``);
* size of one notebook's HTML page with inline images removed;
* "Markdown only" cold build: the same posts without any notebook.

Usage::

    python bench/run.py                         # small corpus, every tool
    python bench/run.py --size large --rounds 1
    python bench/run.py --only portfolio,hugo --json out.json
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.metadata
import json
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import layouts  # noqa: E402
import make_corpus  # noqa: E402
import peers  # noqa: E402

BENCH_DIR = Path(__file__).resolve().parent
RESULTS_DIR = BENCH_DIR / "results"
TOOLS = ("portfolio", "pelican", "nikola", "mkdocs", "hugo", "quarto", "jupyter-book", "nbconvert")
NOTEBOOK_TOOLS = frozenset({"portfolio", "nikola", "mkdocs", "quarto", "jupyter-book", "nbconvert"})
METRICS = (
    ("cold_s", "cold"),
    ("cold_cpu_s", "cold CPU"),
    ("md_cold_s", "md-only cold"),
    ("noop_s", "no-op"),
    ("post_s", "1 post"),
    ("notebook_s", "1 notebook"),
    ("peak_mb", "peak MB"),
    ("nb_page_kb", "nb page KB"),
)
DATA_URI = re.compile(rb"data:image/[a-zA-Z0-9.+-]+;base64,[A-Za-z0-9+/=\s]+")


class BenchError(Exception):
    """A problem reported as one clear line instead of a traceback."""


@dataclass
class Measurement:
    """One timed command."""

    ok: bool
    seconds: float
    peak_mb: float
    returncode: int
    error: str | None = None
    cpu_seconds: float = 0.0


@dataclass
class ToolResult:
    """Everything measured (or the reason nothing was) for one tool."""

    tool: str
    status: str = "pending"  # ok | failed | not installed | missing
    version: str | None = None
    error: str | None = None
    notes: list[str] = field(default_factory=list)
    runs: dict[str, list[float]] = field(default_factory=dict)

    def add(self, metric: str, value: float) -> None:
        """Record one value of ``metric``."""
        self.runs.setdefault(metric, []).append(round(value, 4))

    def median(self, metric: str) -> float | None:
        """Median of ``metric`` over the rounds, or None if never measured."""
        values = self.runs.get(metric)
        return statistics.median(values) if values else None


# --------------------------------------------------------------------------- measuring


def _kill_group(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def measure(
    cmd: Sequence[str], cwd: Path, env: dict[str, str], timeout: float, log: Path
) -> Measurement:
    """Run ``cmd``; return its wall time and the peak RSS of its process tree.

    The child is reaped with ``os.wait4``, whose ``ru_maxrss`` covers the child
    and every descendant it waited for (the same figure as
    ``getrusage(RUSAGE_CHILDREN)`` in a wrapper process, or ``/usr/bin/time -v``).
    Output goes to ``log``.
    """
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as fh:
        fh.write(f"$ (cd {cwd} && {' '.join(cmd)})\n".encode())
        fh.flush()
        start = time.perf_counter()
        try:
            proc = subprocess.Popen(
                list(cmd),
                cwd=cwd,
                env=env,
                stdout=fh,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        except OSError as exc:
            return Measurement(False, 0.0, 0.0, 127, f"cannot run {cmd[0]}: {exc}")
        timer = threading.Timer(timeout, _kill_group, (proc.pid,))
        timer.start()
        try:
            _, wait_status, usage = os.wait4(proc.pid, 0)
        except BaseException:  # Ctrl-C: take the build down with us
            _kill_group(proc.pid)
            raise
        finally:
            timer.cancel()
        seconds = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(wait_status)
    proc.returncode = code  # reaped by wait4 already
    peak_mb = usage.ru_maxrss / 1024  # Linux reports KiB
    cpu = usage.ru_utime + usage.ru_stime
    if code == 0:
        return Measurement(True, seconds, peak_mb, code, cpu_seconds=cpu)
    if seconds >= timeout:
        error = f"timed out after {timeout:.0f}s"
    else:
        error = peers.first_error_line(
            log.read_text(encoding="utf-8", errors="replace").split("\n", 1)[-1]
        )
    return Measurement(False, seconds, peak_mb, code, error, cpu)


def notebook_page(out_dir: Path, stem: str) -> Path | None:
    """Find the HTML page of notebook ``stem`` in a build's output."""
    if not out_dir.is_dir():
        return None
    found = [p for p in out_dir.rglob("*.html") if stem in p.relative_to(out_dir).as_posix()]
    return (
        min(found, key=lambda p: (len(p.relative_to(out_dir).parts), len(str(p))))
        if found
        else None
    )


def page_kb_without_images(page: Path) -> float:
    """Size of ``page`` in KiB after dropping inline ``data:image`` URIs."""
    return len(DATA_URI.sub(b"", page.read_bytes())) / 1024


def _has_output(plan: layouts.Plan) -> bool:
    if not plan.out_dir.is_dir():
        return False
    pattern = "*.html" if plan.html else "*.json"
    return next(plan.out_dir.rglob(pattern), None) is not None


# --------------------------------------------------------------------------- tools


def _portfolio_version() -> str:
    try:
        rev = subprocess.run(
            ["git", "-C", str(layouts.REPO_ROOT), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        ).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        rev = ""
    return f"git {rev}" if rev else "working tree"


def _dist_version(name: str) -> str | None:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None


def resolve_tools(
    selected: Sequence[str], install: bool, reinstall: bool
) -> tuple[dict[str, Path | None], dict[str, ToolResult]]:
    """Work out which tools can run; install missing peers.

    Returns the ``bin`` dir (or None) of every runnable tool, and a result
    record for every selected tool (with the reason for those that cannot run).
    """
    results = {tool: ToolResult(tool) for tool in selected}
    runnable: dict[str, Path | None] = {}
    peer_names = [t for t in selected if t in peers.PEERS]
    statuses: dict[str, peers.PeerStatus] = {}
    if peer_names:
        if install:
            statuses = peers.ensure_peers(peer_names, force=False, retry_failed=reinstall)
        else:
            statuses = {n: s for n in peer_names if (s := peers.load_status(n)) is not None}
    for tool in selected:
        result = results[tool]
        if tool == "portfolio":
            result.version = _portfolio_version()
            runnable[tool] = None
        elif tool == "nbconvert":
            result.version = _dist_version("nbconvert")
            if result.version is None:
                result.status, result.error = (
                    "missing",
                    f"nbconvert is not installed in {sys.executable}",
                )
            else:
                runnable[tool] = None
        else:
            status = statuses.get(tool)
            if status is None:
                result.status, result.error = (
                    "not installed",
                    "no venv yet (run: python bench/peers.py, or drop --no-install)",
                )
            elif not status.installed:
                result.status, result.error = "not installed", status.error
                result.version = status.version
            else:
                result.version = status.version
                runnable[tool] = status.bin_dir
    return runnable, results


# --------------------------------------------------------------------------- rounds


@dataclass
class Runner:
    """Runs and logs the measured commands of one benchmark."""

    timeout: float
    logs: Path

    def run(self, plan: layouts.Plan, label: str, cmd: Sequence[str], rnd: int) -> Measurement:
        """Measure ``cmd`` of ``plan`` and print one progress line."""
        log = self.logs / f"{plan.workdir.name}-{label}-r{rnd + 1}.log"
        m = measure(cmd, plan.workdir, plan.env, self.timeout, log)
        head = f"[bench]   {plan.workdir.name:<15} {label:<9}"
        if m.ok:
            print(f"{head} {m.seconds:8.2f}s {m.peak_mb:7.0f} MB", flush=True)
        else:
            print(f"{head} FAILED: {m.error}", flush=True)
        return m

    def one_round(
        self, plan: layouts.Plan, md_plan: layouts.Plan | None, result: ToolResult, rnd: int
    ) -> None:
        """Cold build, no-op, one-post and one-notebook rebuilds, Markdown-only cold build."""
        plan.reset()
        cold = self.run(plan, "cold", plan.cold_cmd, rnd)
        if cold.ok and not _has_output(plan):
            error = f"exit 0 but no output in {plan.out_dir.name}/"
            cold = Measurement(False, cold.seconds, cold.peak_mb, 0, error)
        if not cold.ok:
            missing = plan.tool == "portfolio" and "No module named" in (cold.error or "")
            result.status, result.error = ("missing" if missing else "failed"), cold.error
            return
        result.status = "ok"
        result.add("cold_s", cold.seconds)
        result.add("cold_cpu_s", cold.cpu_seconds)
        result.add("peak_mb", cold.peak_mb)
        if plan.html and plan.notebook_file is not None:
            page = notebook_page(plan.out_dir, plan.notebook_stem)
            if page is not None:
                result.add("nb_page_kb", page_kb_without_images(page))
        tag = f"round {rnd + 1}"
        if plan.tool != "nbconvert":  # converting one notebook is no no-op
            self._rebuild(plan, result, "noop_s", "no-op", rnd)
        if plan.post_file is not None:
            layouts.edit_post(plan.post_file, tag)
            self._rebuild(plan, result, "post_s", "post", rnd)
        if plan.notebook_file is not None:
            layouts.edit_notebook(plan.notebook_file, tag)
            self._rebuild(plan, result, "notebook_s", "notebook", rnd)
        if md_plan is not None:
            md_plan.reset()
            m = self.run(md_plan, "cold", md_plan.cold_cmd, rnd)
            if m.ok:
                result.add("md_cold_s", m.seconds)
            else:
                result.notes.append(f"Markdown-only build failed in {tag}: {m.error}")
        elif plan.notebook_file is None and plan.post_file is not None:
            result.add("md_cold_s", cold.seconds)  # its tree has no notebooks anyway

    def _rebuild(
        self, plan: layouts.Plan, result: ToolResult, metric: str, label: str, rnd: int
    ) -> None:
        m = self.run(plan, label, plan.rebuild_cmd, rnd)
        if m.ok:
            result.add(metric, m.seconds)
            result.add(metric.replace("_s", "_cpu_s"), m.cpu_seconds)
            result.add("rebuild_peak_mb", m.peak_mb)
        else:
            result.notes.append(f"{label} rebuild failed in round {rnd + 1}: {m.error}")


def run_rounds(
    plans: dict[str, layouts.Plan],
    md_plans: dict[str, layouts.Plan],
    results: dict[str, ToolResult],
    rounds: int,
    runner: Runner,
) -> None:
    """Measure every plan ``rounds`` times, rotating the tool order each round."""
    order = list(plans)
    for rnd in range(rounds):
        shift = rnd % len(order) if order else 0
        this_round = order[shift:] + order[:shift]
        print(f"[bench] round {rnd + 1}/{rounds}: {', '.join(this_round)}", flush=True)
        for tool in this_round:
            if results[tool].status in ("failed", "missing"):
                continue
            runner.one_round(plans[tool], md_plans.get(tool), results[tool], rnd)


# --------------------------------------------------------------------------- report


def _fmt(metric: str, value: float | None, base: float | None) -> str:
    if value is None:
        return "-"
    if metric in ("peak_mb", "nb_page_kb"):
        text = f"{value:.0f}"
    else:
        text = f"{value:.2f}s" if value < 10 else f"{value:.1f}s"
    if base:
        text += f" ({value / base:.1f}x)"
    return text


def render_table(results: dict[str, ToolResult]) -> str:
    """One table: every figure per tool, with its ratio to portfolio's."""
    base = results.get("portfolio")
    header = ["tool", "version"] + [label for _, label in METRICS]
    rows = [header]
    for tool, result in results.items():
        version = (result.version or "")[:16]
        if result.status != "ok":
            rows.append([tool, version, f"{result.status}: {result.error or ''}"[:110]])
            continue
        cells = [tool, version]
        for metric, _ in METRICS:
            ref = (
                base.median(metric)
                if base is not None and base.status == "ok" and tool != "portfolio"
                else None
            )
            cells.append(_fmt(metric, result.median(metric), ref))
        rows.append(cells)
    widths = [max(len(r[i]) for r in rows if i < len(r) and len(r) > 3) for i in range(len(header))]
    lines = []
    for row in rows:
        if len(row) <= 3:
            lines.append(f"{row[0]:<{widths[0]}}  {row[1]:<{widths[1]}}  {row[2]}")
        else:
            lines.append(
                "  ".join(
                    cell.rjust(widths[i]) if i > 1 else cell.ljust(widths[i])
                    for i, cell in enumerate(row)
                )
            )
        if row is header:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _portable(record: dict[str, object]) -> dict[str, object]:
    """Paths in published results are relative to the repository, never this machine's."""
    root = str(Path(__file__).resolve().parent.parent) + os.sep
    return {k: v.replace(root, "") if isinstance(v, str) else v for k, v in record.items()}


def to_json(results: dict[str, ToolResult], meta: dict[str, object]) -> dict[str, object]:
    """The results file: medians, every run, ratios to portfolio, install statuses."""
    base = results.get("portfolio")
    tools: dict[str, object] = {}
    for tool, result in results.items():
        medians = {metric: result.median(metric) for metric in result.runs}
        ratios = {}
        if base is not None and base.status == "ok" and tool != "portfolio":
            for metric, value in medians.items():
                ref = base.median(metric)
                if value is not None and ref:
                    ratios[metric] = round(value / ref, 3)
        tools[tool] = {
            "status": result.status,
            "version": result.version,
            "error": result.error,
            "notes": result.notes,
            "median": medians,
            "ratio_to_portfolio": ratios,
            "runs": result.runs,
        }
    return {**meta, "tools": tools}


# --------------------------------------------------------------------------- main


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--size", choices=sorted(make_corpus.SIZES), default="small")
    parser.add_argument("--posts", type=int, help="override the number of posts")
    parser.add_argument("--notebooks", type=int, help="override the number of notebooks")
    parser.add_argument(
        "--rounds", type=int, default=3, help="rounds per tool; the median is reported (default 3)"
    )
    parser.add_argument("--only", help=f"comma-separated tools (default all): {','.join(TOOLS)}")
    parser.add_argument("--skip", help="comma-separated tools to leave out")
    parser.add_argument(
        "--json", type=Path, help="results file (default bench/results/latest-<size>.json)"
    )
    parser.add_argument(
        "--timeout", type=float, default=1800, help="seconds allowed per build (default 1800)"
    )
    parser.add_argument(
        "--workdir", type=Path, help="where to put the corpus and trees (default: a temp dir)"
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the work dir (logs, outputs) afterwards"
    )
    parser.add_argument(
        "--no-install", action="store_true", help="use only peers that are installed already"
    )
    parser.add_argument(
        "--reinstall", action="store_true", help="retry peers whose install failed before"
    )
    parser.add_argument(
        "--no-markdown-only", action="store_true", help="skip the Markdown-only cold builds"
    )
    args = parser.parse_args(argv)
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")
    return args


def _split(text: str | None) -> list[str]:
    return [t.strip() for t in (text or "").split(",") if t.strip()]


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point."""
    args = parse_args(argv)
    selected = _split(args.only) or list(TOOLS)
    unknown = [t for t in selected + _split(args.skip) if t not in TOOLS]
    if unknown:
        raise BenchError(f"unknown tool(s): {', '.join(unknown)}; known: {', '.join(TOOLS)}")
    selected = [t for t in TOOLS if t in selected and t not in _split(args.skip)]
    posts, notebooks = make_corpus.SIZES[args.size]
    posts = args.posts if args.posts is not None else posts
    notebooks = args.notebooks if args.notebooks is not None else notebooks
    started = time.time()
    load_before = list(os.getloadavg())
    if load_before[0] > (os.cpu_count() or 1) * 0.5:
        print(
            f"[bench] warning: the machine is busy (load {load_before[0]:.1f}): wall times will be "
            "noisy; the cold CPU column is less sensitive to that",
            flush=True,
        )

    runnable, results = resolve_tools(
        selected, install=not args.no_install, reinstall=args.reinstall
    )
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="portfolio-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        corpus_dir = workdir / "corpus"
        info = make_corpus.make_corpus(corpus_dir, posts, notebooks)
        print(f"[bench] corpus: {posts} posts, {notebooks} notebooks in {corpus_dir}", flush=True)
        plans: dict[str, layouts.Plan] = {}
        md_plans: dict[str, layouts.Plan] = {}
        for tool, bin_dir in runnable.items():
            plan = layouts.prepare(tool, corpus_dir, workdir / "trees" / tool, bin_dir)
            plans[tool] = plan
            results[tool].notes.extend(plan.notes)
            if (
                not args.no_markdown_only
                and tool in NOTEBOOK_TOOLS
                and tool != "nbconvert"
                and notebooks
            ):
                md_plans[tool] = layouts.prepare(
                    tool, corpus_dir, workdir / "trees" / f"{tool}-md", bin_dir, notebooks=False
                )
        runner = Runner(args.timeout, workdir / "logs")
        run_rounds(plans, md_plans, results, args.rounds, runner)
        for result in results.values():
            if result.status == "pending":
                result.status = "failed"
        meta: dict[str, object] = {
            "schema": 1,
            "size": args.size,
            "corpus": info.to_json(),
            "rounds": args.rounds,
            "started": dt.datetime.fromtimestamp(started, dt.timezone.utc).isoformat(
                timespec="seconds"
            ),
            "duration_s": round(time.time() - started, 1),
            "machine": {
                "python": platform.python_version(),
                "platform": platform.platform(),
                "cpus": os.cpu_count(),
                "loadavg_before": load_before,
                "loadavg_after": list(os.getloadavg()),
            },
            "peers": {
                name: _portable(asdict(status)) for name in selected
                if (status := peers.load_status(name))
            },
            "metrics": {metric: label for metric, label in METRICS},
        }
        out = args.json or RESULTS_DIR / f"latest-{args.size}.json"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(to_json(results, meta), indent=2) + "\n", encoding="utf-8")
    finally:
        if args.keep or args.workdir:
            print(f"[bench] work dir kept: {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)

    print()
    print(
        f"{args.size} corpus ({posts} posts, {notebooks} notebooks), "
        f"median of {args.rounds} round(s); (Nx) = ratio to portfolio"
    )
    print(render_table(results))
    for tool, result in results.items():
        for note in result.notes:
            print(f"  note: {tool}: {note}")
    print(f"\nresults written to {out}")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BenchError as exc:
        print(f"bench: error: {exc}", file=sys.stderr)
        sys.exit(2)
    except KeyboardInterrupt:
        print("bench: interrupted", file=sys.stderr)
        sys.exit(130)
