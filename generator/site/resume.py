"""The résumé: what the learner wrote (`content/resume.yml`, JSON Resume) merged with what the
site proves: every project (a project of several notebooks once), and skills derived from the
tags of posts and projects, ordered by evidence, so what was built outranks what was only
written about.

`resume_document()` is the `/resume.json` file (a valid JSON Resume document); `resume_view()`
is what the `/resume/` page shows (the same, with each skill's evidence and links).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..model.documents import Document, Output, Site
from ..model.urls import is_safe_url, slugify
from . import routes

# JSON Resume sections shown on the page, in this order, after basics
SECTIONS = ("work", "projects", "skills", "education", "certificates", "awards",
            "publications", "volunteer", "languages", "interests", "references")


@dataclass
class Skill:
    """A skill and the posts and projects that show it."""

    name: str
    aliases: set[str] = field(default_factory=set)  # tag slugs that count as this skill
    projects: list[Document] = field(default_factory=list)
    posts: list[Document] = field(default_factory=list)
    level: str = ""  # from resume.yml, when the learner wrote one
    keywords: list[str] = field(default_factory=list)
    declared: bool = False  # written in resume.yml

    @property
    def dates(self) -> list[dt.date]:
        return sorted(d.date for d in (*self.projects, *self.posts) if d.date is not None)

    def evidence(self) -> tuple[int, int, dt.date]:
        """Built (projects) outranks written about (posts); then the most recent use."""
        dates = self.dates
        return (len(self.projects), len(self.posts), dates[-1] if dates else dt.date.min)


def project_tags(site: Site, project: Document) -> list[str]:
    """A project's tags, with its chapters' (a project of several notebooks counts once)."""
    seen: dict[str, None] = dict.fromkeys(project.meta.tags)
    for chapter in site.chapters.get(project.url, ()):
        seen.update(dict.fromkeys(chapter.meta.tags))
    return list(seen)


def derive_skills(site: Site, declared: list[dict[str, Any]] | None = None) -> list[Skill]:
    """Skills from tags (grouped by `skills:` in portfolio.yml), merged with the declared
    ones from resume.yml, ordered by evidence; declared skills without evidence come last."""
    skills: dict[str, Skill] = {}
    alias_of: dict[str, str] = {}
    for name, aliases in site.config.skills:
        key = slugify(name)
        skill = skills.setdefault(key, Skill(name))
        for alias in (name, *aliases):
            alias_of[slugify(alias)] = key
            skill.aliases.add(slugify(alias))
    for entry in declared or ():
        name = str(entry.get("name") or "").strip()
        if not name:
            continue
        key = alias_of.get(slugify(name), slugify(name))
        skill = skills.setdefault(key, Skill(name))
        skill.declared, skill.level = True, str(entry.get("level") or "")
        skill.keywords = [str(k) for k in entry.get("keywords") or ()]
        skill.aliases.add(slugify(name))
        alias_of.setdefault(slugify(name), key)
        for keyword in skill.keywords:  # "Python: [pandas, numpy]" groups those tags too
            alias_of.setdefault(slugify(keyword), key)

    def add(tag: str, doc: Document, bucket: str) -> None:
        slug = slugify(tag)
        if not slug:
            return
        key = alias_of.get(slug, slug)
        skill = skills.setdefault(key, Skill(tag))
        skill.aliases.add(slug)
        target = skill.projects if bucket == "projects" else skill.posts
        if doc not in target:
            target.append(doc)

    for project in site.projects:
        for tag in project_tags(site, project):
            add(tag, project, "projects")
    for post in site.posts:
        for tag in post.meta.tags:
            add(tag, post, "posts")
    shown = [s for s in skills.values() if s.projects or s.posts or s.declared]

    def rank(skill: Skill) -> tuple[bool, int, int, int, str]:
        projects, posts, last = skill.evidence()
        return (not (projects or posts), -projects, -posts, -last.toordinal(),
                skill.name.lower())

    return sorted(shown, key=rank)


def _iso(day: dt.date | None) -> str:
    return day.isoformat() if day else ""


def generated_projects(site: Site, absolute_url: Any) -> list[dict[str, Any]]:
    """Every project as a JSON Resume project: name, summary, URL, dates, keywords, results."""
    out = []
    for doc in site.projects:
        chapters = site.chapters.get(doc.url, ())
        dates = sorted(d.date for d in (doc, *chapters) if d.date is not None)
        ends = sorted(d for d in [doc.meta.updated, *(c.meta.updated for c in chapters),
                                  *dates] if d is not None)
        entry: dict[str, Any] = {"name": doc.title, "url": absolute_url(doc.url)}
        if doc.meta.summary or doc.rendered.summary:
            entry["description"] = doc.meta.summary or doc.rendered.summary
        if dates:
            entry["startDate"] = _iso(dates[0])
        if ends and ends[-1] != (dates[0] if dates else None):
            entry["endDate"] = _iso(ends[-1])
        if doc.meta.results:
            entry["highlights"] = [f"{label}: {value}" for label, value in doc.meta.results]
        keywords = project_tags(site, doc)
        if keywords:
            entry["keywords"] = keywords
        entry["type"] = "notebooks" if chapters else \
            ("notebook" if doc.is_notebook else "project")
        out.append(entry)
    return out


def _merge_projects(written: list[Any], made: list[dict[str, Any]]) -> list[Any]:
    """The learner's own entries first; a generated one with the same name or URL is the same
    project (its missing fields are filled in), the rest follow."""
    out: list[Any] = []
    used: set[int] = set()
    for entry in written:
        if not isinstance(entry, dict):
            out.append(entry)
            continue
        same = next((i for i, m in enumerate(made) if i not in used and (
            slugify(str(entry.get("name", ""))) == slugify(m["name"]) or
            (entry.get("url") and entry.get("url") == m["url"]))), None)
        if same is not None:
            used.add(same)
            out.append({**made[same], **entry})
        else:
            out.append(entry)
    return out + [m for i, m in enumerate(made) if i not in used]


def resume_document(site: Site, data: dict[str, Any] | None, absolute_url: Any,
                    skills: list[Skill]) -> dict[str, Any]:
    """`/resume.json`: the hand-written sections plus the generated projects and skills."""
    data = dict(data or {})
    author = site.config.author
    basics = dict(data.get("basics") or {})
    basics.setdefault("name", author.name)
    if author.bio:
        basics.setdefault("summary", author.bio)
    if author.email:
        basics.setdefault("email", author.email)
    if site.config.url:
        basics.setdefault("url", site.config.url)
    if author.links and "profiles" not in basics:
        basics["profiles"] = [{"network": name, "url": url} for name, url in author.links]
    doc: dict[str, Any] = {"$schema": "https://raw.githubusercontent.com/jsonresume/"
                                      "resume-schema/v1.0.0/schema.json", "basics": basics}
    doc.update({k: v for k, v in data.items() if k not in ("basics", "$schema")})
    studied = finished_learning(site)
    if studied:  # self-directed study is education too, for JSON Resume's tools
        doc["education"] = [*(data.get("education") or []), *(
            {k: v for k, v in {"institution": item.by or track, "area": item.title,
                               "studyType": item.kind.capitalize(), "url": item.url,
                               "startDate": item.started, "endDate": item.finished}.items()
             if v} for track, item in studied)]
    doc["projects"] = _merge_projects(list(data.get("projects") or []),
                                      generated_projects(site, absolute_url))
    doc["skills"] = [_skill_entry(s) for s in skills]
    meta = dict(data.get("meta") or {})
    meta.setdefault("canonical", absolute_url("resume.json"))
    if site.build_date is not None:
        meta.setdefault("lastModified", site.build_date.strftime("%Y-%m-%dT%H:%M:%S"))
    doc["meta"] = meta
    return _safe_urls(doc)


def finished_learning(site: Site) -> list[tuple[str, Any]]:
    """(track name, item) of every learning-path item marked done, newest first."""
    path = site.data.get("learning")
    if path is None or not hasattr(path, "items"):
        return []
    done = [(track.name, item) for track, item in path.items() if item.status == "done"]
    return sorted(done, key=lambda ti: ti[1].finished or ti[1].started, reverse=True)


def _safe_urls(value: Any, key: str = "") -> Any:
    """A `javascript:` URL never reaches the page's hrefs, nor the JSON other tools render."""
    if isinstance(value, dict):
        return {k: _safe_urls(v, str(k)) for k, v in value.items()}
    if isinstance(value, list):
        return [_safe_urls(v, key) for v in value]
    if key in ("url", "image") and isinstance(value, str) and not is_safe_url(value):
        return ""
    return value


def _skill_entry(skill: Skill) -> dict[str, Any]:
    entry: dict[str, Any] = {"name": skill.name}
    if skill.level:
        entry["level"] = skill.level
    keywords = list(dict.fromkeys([*skill.keywords, *(
        d_tag for d in (*skill.projects, *skill.posts) for d_tag in d.meta.tags
        if slugify(d_tag) in skill.aliases and d_tag != skill.name)]))
    if keywords:
        entry["keywords"] = keywords
    return entry


def resume_view(site: Site, document: dict[str, Any], skills: list[Skill], url: Any,
                absolute_url: Any) -> dict[str, Any]:
    """What the `/resume/` page shows: `document`'s sections, with each generated project's
    page and results, and each skill's evidence (the posts and projects, first and last use)."""
    by_url = {absolute_url(d.url): d for d in site.projects}
    projects = []
    for entry in document.get("projects", []):
        if not isinstance(entry, dict):
            continue
        doc = by_url.get(str(entry.get("url", "")))
        view = dict(entry)
        view["href"] = url(doc.url) if doc else str(entry.get("url", ""))
        view["print_url"] = str(entry.get("url", ""))
        view["results"] = list(doc.meta.results) if doc else []
        view["highlights"] = [] if doc and doc.meta.results and \
            entry.get("highlights") == [f"{k}: {v}" for k, v in doc.meta.results] \
            else list(entry.get("highlights") or [])
        view["chapters"] = len(site.chapters.get(doc.url, ())) if doc else 0
        projects.append(view)
    skill_views = []
    for skill in skills:
        dates = skill.dates
        skill_views.append({
            "name": skill.name, "level": skill.level, "keywords": skill.keywords,
            "projects": [{"title": d.title, "url": url(d.url)} for d in skill.projects],
            "posts": [{"title": d.title, "url": url(d.url)} for d in skill.posts],
            "first": dates[0] if dates else None, "last": dates[-1] if dates else None,
            "url": url(f"tags/{slugify(next(iter(sorted(skill.aliases))))}/")
            if skill.aliases and (skill.projects or skill.posts) else "",
            # built (a project shows it), declared in resume.yml, or only written about
            "tier": "built" if skill.projects else ("declared" if skill.declared or
                                                    len(skill.posts) > 1 else "studied")})
    studied = finished_learning(site)
    written = len((site.data.get("resume") or {}).get("education") or [])
    sections: dict[str, list[Any]] = {name: list(document.get(name) or []) for name in SECTIONS
                                      if name not in ("projects", "skills") and document.get(name)}
    if studied and "education" in sections:  # the page shows study in its own section
        sections["education"] = sections["education"][:written]
        if not sections["education"]:
            del sections["education"]
    path = site.data.get("learning")
    certified = {slugify(str(c.get("name", ""))) for c in document.get("certificates") or []
                 if isinstance(c, dict)}
    learning = [{"track": track, "title": item.title, "by": item.by, "kind": item.kind,
                 "url": item.url if is_safe_url(item.url) else "", "finished": item.finished}
                for track, item in studied if slugify(item.title) not in certified]
    return {"basics": _lenient(document.get("basics", {})), "projects": _lenient(projects),
            "skills": skill_views, "sections": _lenient(sections),
            "learning": _lenient(learning), "learning_url": url("learning/") if path else "",
            "tracks": [{"name": t.name, "done": t.done, "total": t.counted}
                       for t in getattr(path, "tracks", ())],
            "json_url": url("resume.json")}


class _Entry(dict[str, Any]):
    """A résumé entry for templates: a field the learner left out reads as empty, so the
    theme can write `e.endDate` for every optional JSON Resume field."""

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return self.get(name, "")


def _lenient(value: Any) -> Any:
    if isinstance(value, dict):
        return _Entry({k: _lenient(v) for k, v in value.items()})
    if isinstance(value, list):
        return [_lenient(v) for v in value]
    return value


def resume_outputs(site: Site, render_page: Callable[..., Output], url: Callable[[str], str],
                   absolute_url: Callable[[str], str]) -> list[Output]:
    """The `/resume/` page and `/resume.json`, from `site.data["resume"]` (or none)."""
    data = site.data.get("resume")
    declared = data.get("skills") if data else None
    skills = derive_skills(site, declared if isinstance(declared, list) else None)
    document = resume_document(site, data, absolute_url, skills)
    view = resume_view(site, document, skills, url, absolute_url)
    text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    return [render_page(routes.RESUME, resume=view),
            Output(routes.RESUME_JSON.path, data=text.encode("utf-8"))]


_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def resume_date(value: object) -> str:
    """JSON Resume's `2023-04-01`, `2023-04` or `2023` as a person writes it: 'Apr 2023'."""
    text = str(value or "").strip()
    parts = text.split("-")
    if len(parts) >= 2 and parts[0].isdigit() and parts[1].isdigit() and \
            1 <= int(parts[1]) <= 12:
        return f"{_MONTHS[int(parts[1]) - 1]} {parts[0]}"
    return text


def with_resume_link(menu: list[dict[str, str]], resume_url: str) -> list[dict[str, str]]:
    """The header's menu with a "Résumé" link, unless the learner's menu has one already
    (placed before "About", where a visitor looks for it)."""
    if any(item["url"] == resume_url for item in menu):
        return menu
    at = next((i for i, item in enumerate(menu) if item["title"].lower() == "about"), len(menu))
    return [*menu[:at], {"title": "Résumé", "url": resume_url}, *menu[at:]]
