"""Real folders: a folder of notebooks under projects/ is one project with chapters, files
written for other tools are skipped with a word, and summaries read as sentences."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from generator.build import RecordingReporter, build
from generator.model.errors import BuildFailed

from .helpers_reliability import make

CONFIG = """\
title: Learning in public
url: https://learner.github.io/ml/
author:
  name: A Learner
github:
  owner: learner
  repo: ml
  branch: main
"""


def notebook(title: str, text: str, **metadata: object) -> str:
    """A small nbformat 4.5 notebook: a heading and a paragraph, one code cell with output."""
    return json.dumps({
        "cells": [
            {"cell_type": "markdown", "id": "m1", "metadata": {}, "source": [f"# {title}\n\n",
                                                                           text]},
            {"cell_type": "code", "id": "c1", "metadata": {}, "execution_count": 1,
             "outputs": [{"output_type": "stream", "name": "stdout", "text": ["42\n"]}],
             "source": ["print(42)"]},
        ],
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3",
                                    "language": "python"}, **metadata},
        "nbformat": 4, "nbformat_minor": 5})


def write(root: Path, files: dict[str, str]) -> Path:
    """The site in `files`, its portfolio.yml included (helpers_reliability.make)."""
    return make(root, files, None)


def page(out: Path, url: str) -> BeautifulSoup:
    return BeautifulSoup((out / url / "index.html").read_text("utf-8"), "html.parser")


def two_courses(root: Path) -> Path:
    """Two course folders whose notebooks share names, and a single-notebook folder."""
    return write(root, {
        "portfolio.yml": CONFIG,
        "projects/course-a/01-intro.ipynb": notebook("Intro to A", "Why this course.\n"
                                                     "What it covers."),
        "projects/course-a/02-data.ipynb": notebook("Data", "Loading the data."),
        "projects/course-a/9-nine.ipynb": notebook("Nine", "The ninth lesson."),
        "projects/course-a/10-ten.ipynb": notebook("Ten", "The tenth lesson."),
        "projects/course-b/README.md": "---\ntitle: The B Book\nsummary: A whole book of "
                                       "notebooks.\ntags: [book]\n---\nRead it in order.\n",
        "projects/course-b/01-intro.ipynb": notebook("Intro to B", "Start here."),
        "projects/course-b/part-2/01.02-deeper.ipynb": notebook("Deeper", "Going on."),
        "projects/iris/iris-eda.ipynb": notebook("Iris EDA", "Looking at flowers."),
    })


def test_a_folder_of_notebooks_is_one_project_with_chapters_in_order(tmp_path: Path) -> None:
    root = two_courses(tmp_path / "site")
    out = tmp_path / "out"
    report = build(root, out_dir=out)
    assert report.projects == 3  # course-a, course-b, iris: a folder counts once
    assert not [d for d in report.diagnostics if "broken" in d.message], report.diagnostics

    gallery = page(out, "projects")
    cards = [a.get_text(strip=True) for a in gallery.select(".card-title a")]
    assert sorted(cards) == ["Course A", "Iris EDA", "The B Book"]
    course_a_card = next(c for c in gallery.select(".card") if "Course A" in c.get_text())
    assert "4 notebooks" in course_a_card.get_text()

    overview = page(out, "projects/course-a")
    assert overview.h1.get_text(strip=True) == "Course A"  # the folder's name
    listed = [li.a.get_text(strip=True) for li in overview.select(".chapter-list li")]
    assert listed == ["Intro to A", "Data", "Nine", "Ten"]  # 9 before 10, as a reader counts
    hrefs = [li.a["href"] for li in overview.select(".chapter-list li")]
    assert hrefs == ["/ml/projects/course-a/01-intro/", "/ml/projects/course-a/02-data/",
                     "/ml/projects/course-a/9-nine/", "/ml/projects/course-a/10-ten/"]
    first = overview.select(".chapter-list li")[0].select_one(".summary").get_text()
    assert first == "Why this course. What it covers."  # the lines joined by a space
    assert overview.select_one(".lede").get_text() == first  # the first chapter's summary

    chapter = page(out, "projects/course-a/02-data")
    crumbs = [a.get_text(strip=True) for a in chapter.select(".eyebrow a")]
    assert crumbs == ["Projects", "Course A"]
    assert "Chapter 2 of 4" in chapter.select_one(".meta").get_text()
    assert chapter.select_one("a[rel=prev]")["href"] == "/ml/projects/course-a/01-intro/"
    assert chapter.select_one("a[rel=next]")["href"] == "/ml/projects/course-a/9-nine/"
    current = chapter.select_one(".project-toc a[aria-current=page]")
    assert current.get_text(strip=True) == "Data"
    colab = chapter.select_one("a.badge-colab")["href"]
    assert colab.endswith("/github/learner/ml/blob/main/projects/course-a/02-data.ipynb")
    assert (out / "projects/course-a/02-data/02-data.ipynb").is_file()  # Download .ipynb
    assert page(out, "projects/course-a/01-intro").select_one("a[rel=prev]") is None

    # the same file name in another course is another page
    assert page(out, "projects/course-b/01-intro").h1.get_text(strip=True) == "Intro to B"
    book = page(out, "projects/course-b")
    assert book.h1.get_text(strip=True) == "The B Book"  # from the README's front matter
    assert "Read it in order." in book.select_one(".prose").get_text()
    assert [li.a["href"] for li in book.select(".chapter-list li")] == [
        "/ml/projects/course-b/01-intro/", "/ml/projects/course-b/part-2/01-02-deeper/"]
    # a folder with one notebook is a project of its own, as always
    assert page(out, "projects/iris-eda").h1.get_text(strip=True) == "Iris EDA"
    home = page(out, "")
    assert len(home.select(".card")) == 3  # chapters are not cards of their own


def test_a_featured_chapter_is_shown_on_the_home_page(tmp_path: Path) -> None:
    root = two_courses(tmp_path / "site")
    (root / "projects/course-a/02-data.ipynb").write_text(notebook(
        "Data", "Loading the data.", portfolio={"featured": True}), "utf-8")
    out = tmp_path / "out"
    build(root, out_dir=out)
    titles = [a.get_text(strip=True) for a in page(out, "").select(".card-title a")]
    assert "Data" in titles


def test_readmes_and_other_formats_are_skipped_with_a_word(tmp_path: Path) -> None:
    root = write(tmp_path / "site", {
        "portfolio.yml": CONFIG,
        "content/posts/README.md": "# My posts\n\nWritten for another tool.\n",
        "content/posts/2024-03-01-hello.md": "---\ntitle: Hello\n---\nHi.\n",
        "content/posts/2024-03-02-notes.rst": "Notes\n=====\n",
        "content/posts/2024-03-03-draft.qmd": "---\ntitle: Q\n---\n",
        "projects/README.md": "# All my projects\n",
        "projects/solo/README.md": "# Solo\n",
        "projects/solo/solo.ipynb": notebook("Solo", "Alone."),
    })
    out = tmp_path / "out"
    reporter = RecordingReporter()
    report = build(root, out_dir=out, reporter=reporter)
    assert report.posts == 1 and report.projects == 1
    messages = {d.path: d.message for d in report.diagnostics}
    assert "not a post" in messages["content/posts/README.md"]
    assert "not a project" in messages["projects/README.md"]
    assert "describes the folder" in messages["projects/solo/README.md"]
    assert ".rst" in messages["content/posts/2024-03-02-notes.rst"]
    assert ".qmd" in messages["content/posts/2024-03-03-draft.qmd"]
    assert not (out / "blog/readme").exists()


def test_a_real_collision_names_both_and_keep_going_builds_the_rest(tmp_path: Path) -> None:
    root = write(tmp_path / "site", {
        "portfolio.yml": CONFIG,
        "projects/knn.ipynb": notebook("KNN", "One."),
        "projects/other/knn.ipynb": notebook("KNN again", "Two."),
        "projects/trees.ipynb": notebook("Trees", "Three."),
    })
    with pytest.raises(BuildFailed) as failed:
        build(root, out_dir=tmp_path / "out")
    text = str(failed.value.errors[0])
    assert "projects/knn.ipynb" in text and "projects/other/knn.ipynb" in text
    assert not (tmp_path / "out").exists()  # nothing published without --keep-going

    with pytest.raises(BuildFailed) as kept:
        build(root, out_dir=tmp_path / "out", keep_going=True)
    assert kept.value.published
    assert page(tmp_path / "out", "projects/trees").h1.get_text(strip=True) == "Trees"
    assert page(tmp_path / "out", "projects/knn").h1.get_text(strip=True) == "KNN"


def test_an_automatic_summary_is_not_repeated_as_the_lede(tmp_path: Path) -> None:
    root = write(tmp_path / "site", {
        "portfolio.yml": CONFIG,
        "content/posts/2024-05-01-auto.md": "---\ntitle: Auto\n---\nThe first paragraph,\n"
                                             "on two lines.\n\nThe second.\n",
        "content/posts/2024-05-02-given.md": "---\ntitle: Given\nsummary: Written by hand.\n"
                                              "---\nThe body.\n",
    })
    out = tmp_path / "out"
    build(root, out_dir=out)
    auto = page(out, "blog/auto")
    assert auto.select_one(".lede") is None  # the body starts with it already
    assert auto.find("meta", attrs={"name": "description"})["content"] == \
        "The first paragraph, on two lines."
    blog = BeautifulSoup((out / "blog/index.html").read_text("utf-8"), "html.parser")
    assert "The first paragraph, on two lines." in blog.get_text(" ")  # cards keep it
    assert page(out, "blog/given").select_one(".lede").get_text() == "Written by hand."


def test_a_project_page_shows_the_cover_image_its_author_chose(tmp_path: Path) -> None:
    import base64

    pixel = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9Q"
                             "DwADhgGAWjR9awAAAABJRU5ErkJggg==")
    root = write(tmp_path / "site", {
        "portfolio.yml": CONFIG,
        "projects/churn/churn.ipynb": notebook("Churn", "Who leaves.",
                                               portfolio={"image": "cover.png"}),
        "projects/plain.ipynb": notebook("Plain", "No cover."),
    })
    (root / "projects/churn/cover.png").write_bytes(pixel)
    out = tmp_path / "out"
    report = build(root, out_dir=out)
    cover = page(out, "projects/churn").select_one(".doc-cover img")
    assert cover["src"] == "/ml/projects/churn/cover.png"
    assert cover["alt"] == "Cover image of Churn"
    assert (out / "projects/churn/cover.png").is_file()
    assert page(out, "projects/plain").select_one(".doc-cover") is None
    assert not [d for d in report.diagnostics if "broken" in d.message or "alt" in d.message]


def test_section_links_written_in_jupyter_keep_working(tmp_path: Path) -> None:
    root = write(tmp_path / "site", {
        "portfolio.yml": CONFIG,
        "projects/book/01-intro.ipynb": notebook(
            "Intro", "Next, see [the representation](02-sklearn.ipynb#Data-Representation-in-"
            "Scikit-Learn) and [below](#Why-it-matters).\n\n## Why it matters\n\nBecause."),
        "projects/book/02-sklearn.ipynb": notebook(
            "Scikit-Learn", "## Data Representation in Scikit-Learn\n\nTables."),
        "content/posts/2024-01-01-p.md": "---\ntitle: P\n---\n## Some Section\n\nText.\n",
    })
    out = tmp_path / "out"
    report = build(root, out_dir=out)
    assert [d for d in report.diagnostics if "anchor" in d.message or "broken" in d.message] \
        == [], report.diagnostics
    intro = page(out, "projects/book/01-intro")
    hrefs = [a["href"] for a in intro.select(".prose p a")]
    assert hrefs == ["/ml/projects/book/02-sklearn/#Data-Representation-in-Scikit-Learn",
                     "#Why-it-matters"]
    target = page(out, "projects/book/02-sklearn")
    assert target.select_one("#Data-Representation-in-Scikit-Learn").name == "h2"
    assert page(out, "blog/p").select_one("h2")["id"] == "some-section"  # posts keep theirs


def test_a_project_yml_describes_a_folder_of_notebooks(tmp_path: Path) -> None:
    root = write(tmp_path / "site", {
        "portfolio.yml": CONFIG,
        "projects/kaggle-titanic/project.yml": "title: Titanic, start to finish\n"
                                               "summary: EDA, features and a model.\n"
                                               "tags: [kaggle, classification]\n",
        "projects/kaggle-titanic/1-eda.ipynb": notebook("EDA", "Looking."),
        "projects/kaggle-titanic/2-model.ipynb": notebook("Model", "Fitting."),
        "projects/solo/project.yml": "title: Ignored\n",
        "projects/solo/solo.ipynb": notebook("Solo", "Alone."),
        "projects/broken/project.yml": "title: [unclosed\n",
        "projects/broken/a.ipynb": notebook("A", "a"),
        "projects/broken/b.ipynb": notebook("B", "b"),
    })
    with pytest.raises(BuildFailed) as failed:  # bad YAML: one clear error naming the file
        build(root, out_dir=tmp_path / "out")
    assert [e.path for e in failed.value.errors] == ["projects/broken/project.yml"]
    assert failed.value.errors[0].line == 1
    (root / "projects/broken/project.yml").write_text("title: Fixed\n", "utf-8")
    out = tmp_path / "out"
    report = build(root, out_dir=out)
    overview = page(out, "projects/kaggle-titanic")
    assert overview.h1.get_text(strip=True) == "Titanic, start to finish"
    assert overview.select_one(".lede").get_text() == "EDA, features and a model."
    assert [a.get_text(strip=True) for a in overview.select(".doc-header a.tag")] == \
        ["kaggle", "classification"]
    assert [li.a.get_text(strip=True) for li in overview.select(".chapter-list li")] == \
        ["EDA", "Model"]
    assert page(out, "projects/solo").h1.get_text(strip=True) == "Solo"
    skipped = {d.path: d.message for d in report.diagnostics}
    assert "one notebook" in skipped["projects/solo/project.yml"]


def test_gallery_order_is_order_then_newest_date_then_path(tmp_path: Path) -> None:
    md = "---\ntitle: {t}\n{extra}---\n\nAbout {t}.\n"
    root = make(tmp_path / "s", {
        "projects/zeta.md": md.format(t="Zeta pinned second", extra="order: 2\n"),
        "projects/alpha.md": md.format(t="Alpha pinned first", extra="order: 1\n"),
        "projects/old.md": md.format(t="Old", extra="date: 2022-01-01\n"),
        "projects/new.md": md.format(t="New", extra="date: 2024-06-01\n"),
        "projects/p10.md": md.format(t="Undated ten", extra=""),
        "projects/p9.md": md.format(t="Undated nine", extra=""),
        "projects/course/01-a.ipynb": notebook("Course A", "First."),
        "projects/course/02-b.ipynb": notebook("Course B", "Second."),
        "projects/course/project.yml": "title: A course\norder: 3\n",
    }, CONFIG)
    build(root)
    soup = BeautifulSoup((root / "_site/projects/index.html").read_text("utf-8"), "html.parser")
    titles = [a.get_text(strip=True) for a in soup.select(".card-title a")]
    assert titles == ["Alpha pinned first", "Zeta pinned second", "A course", "New", "Old",
                      "Undated nine", "Undated ten"]  # p9 before p10: numbers as numbers


def test_a_book_in_sub_folders_shows_its_parts_in_order(tmp_path: Path) -> None:
    root = make(tmp_path / "s", {
        "projects/book/index.md": "---\ntitle: The book\n---\n\nA book in two parts.\n",
        "projects/book/01-basics/01-intro.ipynb": notebook("Intro", "Start here."),
        "projects/book/01-basics/02-numpy.ipynb": notebook("NumPy", "Arrays."),
        "projects/book/10-supervised_learning/01-linear.ipynb": notebook("Linear", "Lines."),
        "projects/book/2-tools/01-pandas.ipynb": notebook("Pandas", "Frames."),
    }, CONFIG)
    build(root)
    site = root / "_site/projects/book"
    soup = BeautifulSoup((site / "index.html").read_text("utf-8"), "html.parser")
    section = soup.select_one(".chapters")
    assert [h.get_text() for h in section.select("h3.chapter-part")] == [
        "Basics", "Tools", "Supervised learning"]  # 2 before 10
    assert [[a.get_text() for a in ol.select("a")] for ol in section.select("ol")] == [
        ["Intro", "NumPy"], ["Pandas"], ["Linear"]]
    page = BeautifulSoup((site / "2-tools/01-pandas/index.html").read_text("utf-8"),
                         "html.parser")
    toc = page.select_one(".project-toc")
    assert [s.get_text() for s in toc.select(".toc-part")] == ["Basics", "Tools",
                                                               "Supervised learning"]
    assert toc.select_one('[aria-current="page"]').get_text() == "Pandas"
    # previous/next run across parts
    assert page.select_one('a[rel="prev"]')["href"].endswith("/book/01-basics/02-numpy/")
    assert page.select_one('a[rel="next"]')["href"].endswith(
        "/book/10-supervised-learning/01-linear/")  # URL slugs use -


def test_a_page_bundle_takes_its_date_from_its_folder_name(tmp_path: Path) -> None:
    root = make(tmp_path / "s", {
        "content/posts/2024-05-01-my-post/index.md": "# My post\n\nWords.\n",
        "content/posts/2024-05-01-my-post/figure.png": b"\x89PNG\r\n\x1a\n",
    }, CONFIG)
    report = build(root)
    page = (root / "_site/blog/my-post/index.html").read_text("utf-8")
    assert 'datetime="2024-05-01' in page
    assert not [d for d in report.diagnostics if "date" in d.message]


def test_raw_html_images_and_links_in_a_chapter_resolve_from_its_folder(tmp_path: Path) -> None:
    """Real notebooks write `<img src="images/dag.png" width="250">` in Markdown cells."""
    cell = ("# Causal graph\n\nThe DAG:\n\n<img src=\"./images/dag.png\" width=\"250\" "
            "style=\"margin:auto\"/>\n\nAnd <a href='02-next.ipynb#Next-Steps'>the next "
            "chapter</a>, <img src=\"missing.png\" alt=\"gone\">.\n")
    first = json.loads(notebook("Causal graph", "x"))
    first["cells"][0]["source"] = [cell]
    root = make(tmp_path / "s", {
        "projects/causal/01-graph.ipynb": json.dumps(first),
        "projects/causal/02-next.ipynb": notebook("Next", "## Next Steps\n\nMore."),
        "projects/causal/images/dag.png": b"\x89PNG\r\n\x1a\n" + b"\0" * 16,
    }, CONFIG)
    report = build(root)
    page = root / "_site/projects/causal/01-graph/index.html"
    soup = BeautifulSoup(page.read_text("utf-8"), "html.parser")
    img = soup.select_one('img[width="250"]')
    assert img["src"] == "/ml/projects/causal/images/dag.png"
    assert (root / "_site/projects/causal/images/dag.png").is_file()
    link = soup.find("a", string="the next chapter")
    assert link["href"] == "/ml/projects/causal/02-next/#Next-Steps"
    nxt = BeautifulSoup((root / "_site/projects/causal/02-next/index.html").read_text("utf-8"),
                        "html.parser")
    assert nxt.find(id="Next-Steps") is not None  # the section link lands
    broken = [d for d in report.diagnostics if "broken link" in d.message]
    assert [(d.path, "missing.png" in d.message) for d in broken] == [
        ("projects/causal/01-graph.ipynb", True)]


def test_tex_braces_in_math_are_not_reported_as_template_syntax(tmp_path: Path) -> None:
    root = make(tmp_path / "s", {
        "content/posts/2024-01-01-stats.md": (
            "# Robust scale\n\nWith $h \\approx (1/4){{n}\\choose{2}}$ pairs.\n\n"
            "$$\n\\newcommand{\\r}[1]{{\\color{red}{#1}}}\n\\r{x}\n$$\n"),
        "content/posts/2024-01-02-leak.md": "# Leak\n\nHello {{ page.title }}.\n",
    }, CONFIG)
    report = build(root)
    leaks = sorted(d.path for d in report.diagnostics if "template syntax" in d.message)
    # the leaking post, and the lists, the feed and its page that show its summary; never the
    # TeX post
    assert leaks == ["blog/index.html", "blog/leak/index.html", "feed.xml", "feed/index.html",
                     "index.html"]
