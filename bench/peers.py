"""Install the peer static-site generators into isolated venvs under ``bench/.venvs/``.

Each peer gets its own virtual environment so that none of them ever becomes a
dependency of ``portfolio`` itself. The outcome of every install (success with
a version, or failure with the first line of the error) is stored next to the
venv in ``status.json`` so that ``run.py`` can report it without reinstalling.

Usage::

    python bench/peers.py                 # install every peer that is missing
    python bench/peers.py --only hugo     # just one
    python bench/peers.py --force         # reinstall from scratch
    python bench/peers.py --status        # print what is recorded
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time
import venv
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
VENVS_DIR = BENCH_DIR / ".venvs"
INSTALL_TIMEOUT_S = 45 * 60
CHECK_TIMEOUT_S = 300


@dataclass(frozen=True)
class PeerSpec:
    """How to install one peer and how to tell that the install works.

    Attributes:
        name: Short name used on the command line and in results.
        packages: Requirement strings handed to ``pip install``.
        dist: Distribution whose version is reported.
        check: Console script (in the venv's ``bin``) and arguments run after
            installing; it must exit 0 for the peer to count as installed.
        needs: External programs that must be on ``PATH`` (e.g. ``node``).
        markdown: Whether the peer builds the Markdown posts.
        notebooks: Whether the peer builds the notebooks.
        components: Further distributions whose versions are worth recording.
    """

    name: str
    packages: tuple[str, ...]
    dist: str
    check: tuple[str, ...]
    needs: tuple[str, ...] = ()
    markdown: bool = True
    notebooks: bool = False
    components: tuple[str, ...] = ()


PEERS: dict[str, PeerSpec] = {
    spec.name: spec
    for spec in (
        PeerSpec(
            name="pelican",
            packages=("pelican[markdown]",),
            dist="pelican",
            check=("pelican", "--version"),
            components=("Markdown",),
        ),
        PeerSpec(
            name="nikola",
            packages=("Nikola[extras]", "nbconvert", "nbformat", "ipykernel"),
            dist="Nikola",
            check=("nikola", "version"),
            notebooks=True,
            components=("Markdown", "nbconvert"),
        ),
        PeerSpec(
            name="mkdocs",
            packages=("mkdocs", "mkdocs-jupyter"),
            dist="mkdocs",
            check=("mkdocs", "--version"),
            notebooks=True,
            components=("mkdocs-jupyter", "nbconvert"),
        ),
        PeerSpec(
            name="hugo",
            packages=("hugo",),
            dist="hugo",
            check=("hugo", "version"),
        ),
        PeerSpec(
            name="quarto",
            packages=("quarto-cli", "jupyter", "nbformat", "nbclient", "pyyaml"),
            dist="quarto-cli",
            check=("quarto", "--version"),
            notebooks=True,
        ),
        PeerSpec(
            name="jupyter-book",
            packages=("jupyter-book>=2",),
            dist="jupyter-book",
            check=("jupyter-book", "--version"),
            needs=("node",),
            notebooks=True,
        ),
    )
}


@dataclass
class PeerStatus:
    """Recorded outcome of installing one peer."""

    name: str
    installed: bool
    version: str | None = None
    error: str | None = None
    venv: str = ""
    installed_at: float = field(default_factory=time.time)
    install_seconds: float | None = None
    components: dict[str, str] = field(default_factory=dict)

    @property
    def bin_dir(self) -> Path:
        """Directory with the venv's console scripts."""
        return Path(self.venv) / "bin"


def venv_dir(name: str) -> Path:
    """Return the venv directory of peer ``name``."""
    return VENVS_DIR / name


def status_path(name: str) -> Path:
    """Return the path of the recorded install status of peer ``name``."""
    return venv_dir(name) / "status.json"


def load_status(name: str) -> PeerStatus | None:
    """Return the recorded status of ``name``, or ``None`` if never installed."""
    path = status_path(name)
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return PeerStatus(**data)
    except (OSError, ValueError, TypeError):
        return None


def _save_status(status: PeerStatus) -> None:
    path = status_path(status.name)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(asdict(status), indent=2) + "\n", encoding="utf-8")


def first_error_line(text: str) -> str:
    """Pick the most informative single line out of a tool's error output.

    Prefers the first line that starts with ``ERROR``/``error``, then the first
    line mentioning an error, then the last non-empty line.
    """
    if "Traceback (most recent call last)" in text:
        # A Python crash: the exception line (the last one that names one) says it all.
        for line in reversed(text.splitlines()):
            if _EXCEPTION_LINE.match(line.strip()):
                return line.strip()[:300]
    lines = [
        line.strip()
        for line in text.splitlines()
        if line.strip() and not line.strip().startswith("WARNING") and not _is_pip_wrapper(line)
    ]
    if not lines:
        return "failed without any output"
    for line in lines:
        if line.lower().startswith(("error", "fatal")):
            return line[:300]
    for line in lines:
        low = line.lower()
        if "error" in low or "not found" in low or "failed" in low:
            return line[:300]
    return lines[-1][:300]


_EXCEPTION_LINE = re.compile(r"^[A-Za-z_][\w.]*(Error|Exception|Exit|Interrupt|Warning)\b(:|$)")

_PIP_WRAPPER_PHRASES = (
    "subprocess-exited-with-error",
    "metadata-generation-failed",
    "failed-wheel-build-for-install",
    "did not run successfully",
    "exit code:",
    "lines of output]",
    "this error originates from a subprocess",
    "failed building wheel",
    "running bdist_wheel",
    "traceback (most recent call last)",
)


def _is_pip_wrapper(line: str) -> bool:
    """Whether ``line`` is pip's generic wrapping around a build backend's real error."""
    low = line.lower()
    return any(phrase in low for phrase in _PIP_WRAPPER_PHRASES)


def _run_logged(
    cmd: Sequence[str], log: Path, timeout: float, env: dict[str, str] | None = None
) -> tuple[int, str]:
    """Run ``cmd``, append its combined output to ``log``; return (code, output)."""
    try:
        proc = subprocess.run(
            list(cmd),
            capture_output=True,
            text=True,
            timeout=timeout,
            env=env,
            check=False,
        )
        out = (proc.stdout or "") + (proc.stderr or "")
        code = proc.returncode
    except subprocess.TimeoutExpired:
        out, code = f"error: timed out after {timeout:.0f}s: {' '.join(cmd)}", 124
    except OSError as exc:
        out, code = f"error: {exc}", 127
    with log.open("a", encoding="utf-8") as fh:
        fh.write(f"$ {' '.join(cmd)}\n{out}\n[exit {code}]\n")
    return code, out


def peer_env(status: PeerStatus) -> dict[str, str]:
    """Environment that runs a peer from its own venv (bin first on PATH)."""
    env = dict(os.environ)
    env["PATH"] = f"{status.bin_dir}{os.pathsep}{env.get('PATH', '')}"
    env["VIRTUAL_ENV"] = status.venv
    env.pop("PYTHONPATH", None)
    env.pop("PYTHONHOME", None)
    # Quarto uses this to find the Python that has jupyter/nbformat.
    env["QUARTO_PYTHON"] = str(status.bin_dir / "python")
    return env


def install_peer(spec: PeerSpec, force: bool = False, retry_failed: bool = True) -> PeerStatus:
    """Create the venv of ``spec`` and pip-install it; record and return the outcome.

    A previous successful install is reused unless ``force`` is set; a
    previous failure is reused unless ``retry_failed`` (or ``force``) is set.
    """
    previous = load_status(spec.name)
    if (
        previous is not None
        and previous.installed
        and not (previous.bin_dir / spec.check[0]).exists()
    ):
        previous = None  # the venv was removed or broken since: install again
    if previous is not None and not force and (previous.installed or not retry_failed):
        return previous
    target = venv_dir(spec.name)
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    log = VENVS_DIR / f"{spec.name}.log"
    log.write_text("", encoding="utf-8")
    started = time.monotonic()
    status = PeerStatus(name=spec.name, installed=False, venv=str(target))

    missing = [tool for tool in spec.needs if shutil.which(tool) is None]
    if missing:
        status.error = f"required program not on PATH: {', '.join(missing)}"
        _save_status(status)
        return status
    try:
        venv.EnvBuilder(with_pip=True, clear=True).create(target)
    except (OSError, subprocess.CalledProcessError) as exc:
        status.error = f"could not create venv: {exc}"
        _save_status(status)
        return status
    py = str(target / "bin" / "python")
    pip = [py, "-m", "pip", "--disable-pip-version-check", "--no-input"]
    code, out = _run_logged([*pip, "install", "-q", "--upgrade", "pip"], log, INSTALL_TIMEOUT_S)
    code, out = _run_logged([*pip, "install", *spec.packages], log, INSTALL_TIMEOUT_S)
    if code != 0:
        status.error = first_error_line(out)
    else:
        status.version = installed_version(py, spec.dist)
        status.installed = True
        env = peer_env(status)
        code, out = _run_logged(
            [str(target / "bin" / spec.check[0]), *spec.check[1:]], log, CHECK_TIMEOUT_S, env=env
        )
        if code != 0:
            status.installed = False
            status.error = f"installed but `{' '.join(spec.check)}` fails: {first_error_line(out)}"
        status.components = {d: v for d in spec.components if (v := installed_version(py, d))}
    status.install_seconds = round(time.monotonic() - started, 1)
    _save_status(status)
    return status


def installed_version(python: str, dist: str) -> str | None:
    """Return the installed version of ``dist`` in the interpreter ``python``."""
    code = f"import importlib.metadata as m; print(m.version({dist!r}))"
    try:
        proc = subprocess.run(
            [python, "-c", code], capture_output=True, text=True, timeout=60, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    if proc.returncode != 0:
        return None
    return proc.stdout.strip() or None


def ensure_peers(
    names: Iterable[str],
    force: bool = False,
    retry_failed: bool = True,
    jobs: int = 2,
    quiet: bool = False,
) -> dict[str, PeerStatus]:
    """Install (if needed) every peer in ``names`` and return their statuses.

    Args:
        names: Keys of :data:`PEERS`.
        force: Reinstall even peers that installed fine.
        retry_failed: Try again peers whose last install failed.
        jobs: Installs run in parallel.
        quiet: Print nothing.
    """
    specs = [PEERS[name] for name in names]
    VENVS_DIR.mkdir(parents=True, exist_ok=True)

    def one(spec: PeerSpec) -> PeerStatus:
        previous = load_status(spec.name)
        attempt = force or previous is None or (not previous.installed and retry_failed)
        if not quiet and attempt:
            print(f"[peers] installing {spec.name} ({' '.join(spec.packages)}) ...", flush=True)
        status = install_peer(spec, force=force, retry_failed=retry_failed)
        if not quiet:
            print(f"[peers] {describe(status)}", flush=True)
        return status

    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        results = list(pool.map(one, specs))
    return {status.name: status for status in results}


def describe(status: PeerStatus) -> str:
    """One-line human description of an install status."""
    if status.installed:
        return f"{status.name}: installed {status.version}"
    return f"{status.name}: NOT installed: {status.error}"


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--only", help="comma-separated peers (default: all): " + ",".join(PEERS))
    parser.add_argument("--force", action="store_true", help="reinstall even if installed")
    parser.add_argument("--status", action="store_true", help="only print recorded statuses")
    parser.add_argument("--jobs", type=int, default=2, help="parallel installs (default 2)")
    args = parser.parse_args(argv)
    names = list(PEERS) if not args.only else [n.strip() for n in args.only.split(",") if n.strip()]
    unknown = [n for n in names if n not in PEERS]
    if unknown:
        parser.error(f"unknown peer(s): {', '.join(unknown)}; known: {', '.join(PEERS)}")
    if args.status:
        for name in names:
            status = load_status(name)
            print(describe(status) if status else f"{name}: never installed")
        return 0
    statuses = ensure_peers(names, force=args.force, jobs=args.jobs)
    return 0 if all(s.installed for s in statuses.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
