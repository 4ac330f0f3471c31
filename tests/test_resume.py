"""The résumé: content/resume.yml (JSON Resume) merged with the site's projects and skills."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from bs4 import BeautifulSoup

from generator.build import build
from generator.model.errors import BuildFailed
from generator.sources.resume import resume_schema

from .helpers_reliability import assert_clean, cli, make

CONFIG = """\
title: Learning in public
url: https://learner.github.io/ml/
author:
  name: Ada Learner
  bio: Self-taught, building models in the open.
  links:
    GitHub: https://github.com/ada
github:
  owner: ada
  repo: ml
skills:
  scikit-learn: [sklearn, scikit-learn]
"""

RESUME = """\
basics:
  name: Ada Learner
  label: Machine-learning engineer in training
  email: ada@example.com
work:
  - name: Clinical Labs
    position: Technician
    startDate: 2019-09
    endDate: 2025-06
education:
  - institution: Open University
    area: Mathematics
    studyType: BSc
    startDate: 2016
    endDate: 2019
skills:
  - name: SQL
    level: Intermediate
projects:
  - name: Digits classifier
    roles: [author]
"""


def nb(title: str, tags: list[str], extra: str = "") -> str:
    front = f"---\ntitle: {title}\ntags: [{', '.join(tags)}]\ndate: 2024-03-01\n{extra}---\n"
    return json.dumps({"cells": [
        {"cell_type": "raw", "id": "r", "metadata": {}, "source": [front]},
        {"cell_type": "markdown", "id": "m", "metadata": {}, "source": [f"About {title}."]}],
        "metadata": {}, "nbformat": 4, "nbformat_minor": 5})


def site(tmp_path: Path, resume: str | None = RESUME) -> Path:
    files = {
        "projects/digits.ipynb": nb("Digits classifier", ["sklearn", "classification"],
                                    "results: [{label: Test accuracy, value: 98.4%}, "
                                    "{label: Images, value: \"1,797\"}]\n"),
        "projects/course/01-intro.ipynb": nb("Intro", ["pandas"]),
        "projects/course/02-more.ipynb": nb("More", ["pandas", "scikit-learn"]),
        "projects/course/project.yml": "title: A pandas course\ndate: 2024-01-10\n",
        "content/posts/2024-02-01-notes.md": "---\ntitle: Notes on trees\ntags: [sklearn, "
                                             "theory]\n---\n\nTrees.\n",
        "content/posts/2023-05-01-old.md": "---\ntitle: Old notes\ntags: [theory]\n---\n\nOld.\n",
        "content/posts/2024-06-01-stats.md": "---\ntitle: Stats\ntags: [statistics]\n---\n\nS.\n",
    }
    if resume is not None:
        files["content/resume.yml"] = resume
    return make(tmp_path / "s", files, CONFIG)


def test_resume_json_is_valid_json_resume_with_generated_projects_and_skills(tmp_path):
    root = site(tmp_path)
    build(root)
    doc = json.loads((root / "_site/resume.json").read_text("utf-8"))
    jsonschema.Draft7Validator(resume_schema()).validate(doc)
    assert doc["basics"]["name"] == "Ada Learner"
    assert doc["basics"]["profiles"] == [{"network": "GitHub", "url": "https://github.com/ada"}]
    assert doc["work"][0]["position"] == "Technician"
    assert doc["education"][0]["startDate"] == "2016"  # a YAML number becomes JSON text
    names = [p["name"] for p in doc["projects"]]
    # the written entry is merged with the generated one of the same name; the course once
    assert names == ["Digits classifier", "A pandas course"]
    digits = doc["projects"][0]
    assert digits["roles"] == ["author"]
    assert digits["url"] == "https://learner.github.io/ml/projects/digits/"
    assert digits["highlights"] == ["Test accuracy: 98.4%", "Images: 1,797"]
    assert digits["keywords"] == ["sklearn", "classification"]
    course = doc["projects"][1]
    assert course["keywords"] == ["pandas", "scikit-learn"] and course["startDate"] == "2024-01-10"
    skills = [s["name"] for s in doc["skills"]]
    # built (projects) first, then posts; aliases grouped by the skills: map; SQL (declared,
    # no evidence) last
    assert skills[:3] == ["scikit-learn", "classification", "pandas"]  # ties: latest use first
    assert skills.index("theory") > skills.index("classification")
    assert skills[-1] == "SQL"
    assert next(s for s in doc["skills"] if s["name"] == "scikit-learn")["keywords"] == ["sklearn"]
    assert doc["meta"]["canonical"] == "https://learner.github.io/ml/resume.json"


def test_resume_page_shows_evidence_links_results_and_header_link(tmp_path):
    root = site(tmp_path)
    build(root)
    soup = BeautifulSoup((root / "_site/resume/index.html").read_text("utf-8"), "html.parser")
    assert soup.h1.get_text() == "Ada Learner"
    nav = [a.get_text() for a in soup.select(".site-nav a")]
    assert "Résumé" in nav
    skill = next(li for li in soup.select(".resume-skill")
                 if li.select_one(".skill-name").get_text(strip=True) == "scikit-learn")
    assert skill.select_one(".skill-evidence").get_text(" ", strip=True).startswith(
        "2 projects · 1 post")
    assert {a["href"] for a in skill.select(".skill-links a")} == {
        "/ml/projects/digits/", "/ml/projects/course/", "/ml/blog/notes/"}
    studied = soup.select_one(".resume-studied")  # one post only: written about, not built
    assert "statistics" in studied.get_text()
    results = soup.select(".resume-entry .result")
    assert [(r.dt.get_text(), r.dd.get_text()) for r in results] == [
        ("Test accuracy", "98.4%"), ("Images", "1,797")]
    digits = soup.find("a", string="Digits classifier")
    assert digits["href"] == "/ml/projects/digits/"
    assert digits["data-print-url"] == "https://learner.github.io/ml/projects/digits/"
    assert soup.select_one(".resume-when").get_text() == "Sep 2019 – Jun 2025"
    # results also on the project page and its gallery card
    page = BeautifulSoup((root / "_site/projects/digits/index.html").read_text("utf-8"),
                         "html.parser")
    assert [d.get_text() for d in page.select(".doc-header .result dd")] == ["98.4%", "1,797"]
    gallery = BeautifulSoup((root / "_site/projects/index.html").read_text("utf-8"),
                            "html.parser")
    assert gallery.select(".card .result dd")[0].get_text() == "98.4%"


def test_no_resume_yml_still_gives_a_useful_resume(tmp_path):
    root = site(tmp_path, resume=None)
    build(root)
    doc = json.loads((root / "_site/resume.json").read_text("utf-8"))
    jsonschema.Draft7Validator(resume_schema()).validate(doc)
    assert doc["basics"] == {"name": "Ada Learner", "summary": "Self-taught, building models "
                             "in the open.", "url": "https://learner.github.io/ml/",
                             "profiles": [{"network": "GitHub", "url": "https://github.com/ada"}]}
    assert [p["name"] for p in doc["projects"]] == ["Digits classifier", "A pandas course"]
    assert doc["skills"][0]["name"] == "scikit-learn"
    page = (root / "_site/resume/index.html").read_text("utf-8")
    assert "Experience" not in page and "Projects" in page and "Skills" in page


@pytest.mark.parametrize("text, expected", [
    ("basics:\n  name: A\n  email: nope\n", "content/resume.yml:3: basics.email: 'nope' is not "
                                             "a valid email"),
    ("work:\n  - name: X\n    startDate: 2020-13\n", "content/resume.yml:3: work[0].startDate: "
                                                      "'2020-13' is not a date"),
    ("work:\n  - name: X\n    highlights: just one\n", "content/resume.yml:3: "
                                                        "work[0].highlights: must be a list"),
    ("basics: [a, b]\n", "content/resume.yml:1: basics: must be a mapping"),
    ("- a\n- b\n", "content/resume.yml:1: must be a mapping of résumé sections"),
    ("basics:\n  name: 'open\n", "content/resume.yml:2: "),
])
def test_a_bad_resume_is_one_clear_error_naming_file_field_and_line(tmp_path, text, expected):
    root = site(tmp_path, resume=text)
    with pytest.raises(BuildFailed) as failed:
        build(root)
    assert any(str(e).startswith(expected) for e in failed.value.errors), \
        [str(e) for e in failed.value.errors]
    out = assert_clean(cli("build", cwd=root), 1)
    assert expected.split(": ")[0] in out
    assert not (root / "_site").exists()


def test_keep_going_builds_the_rest_when_the_resume_is_bad(tmp_path):
    root = site(tmp_path, resume="basics:\n  email: nope\n")
    text = assert_clean(cli("build", "--keep-going", cwd=root), 1)
    assert "content/resume.yml:2" in text
    assert (root / "_site/projects/digits/index.html").is_file()
    assert json.loads((root / "_site/resume.json").read_text())["basics"]["name"] == \
        "Ada Learner"  # from portfolio.yml


def test_editing_resume_yml_rebuilds(tmp_path):
    root = site(tmp_path)
    build(root)
    assert build(root).up_to_date
    (root / "content/resume.yml").write_text(RESUME.replace("Technician", "Lead technician"))
    report = build(root)
    assert not report.up_to_date
    assert "Lead technician" in (root / "_site/resume/index.html").read_text("utf-8")


def test_resume_json_is_accepted_as_the_data_file(tmp_path):
    root = site(tmp_path, resume=None)
    (root / "content/resume.json").write_text(json.dumps(
        {"basics": {"name": "Ada J. Learner"}, "languages": [{"language": "English"}]}))
    build(root)
    doc = json.loads((root / "_site/resume.json").read_text("utf-8"))
    assert doc["basics"]["name"] == "Ada J. Learner" and doc["languages"][0]["language"] == \
        "English"
