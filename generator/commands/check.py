"""`portfolio check`: render the site exactly as `build` would, without writing it, and run
every check on it (the build itself runs only the cheap ones)."""

from __future__ import annotations

from pathlib import Path

from ..build import render_outputs
from ..checks.findings import site_findings
from ..model.config import load_config
from ..model.errors import Diagnostic


def check_site(root: Path, *, base_url: str | None = None, drafts: bool = False,
               git: bool = True) -> list[Diagnostic]:
    """Every finding of the site in `root`; `git=False` skips the committed-notebook check."""
    config = load_config(root, overrides={"url": base_url} if base_url else {})
    rendered = render_outputs(config, drafts=drafts)
    findings = list(rendered.report.diagnostics)
    findings += site_findings(config, rendered.outputs, rendered.report.site,
                              rendered.keys.code, full=True, known=findings, git=git)
    return findings
