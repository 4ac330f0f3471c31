"""Find themes and build the Jinja2 environment: the site's theme over the packaged default.

A site overrides any template by placing a file of the same name in `themes/NAME/templates/`,
or extends the default with `{% extends "!default/base.html" %}`. Static files and nbconvert
templates follow the same precedence.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from ..model.distribution import default_theme_dir
from ..model.errors import ConfigError, TemplateError
from .routes import ASSETS_DIR, PAGE_TEMPLATES

if TYPE_CHECKING:
    from collections.abc import Callable

    import jinja2


def theme_dirs(root: Path, name: str) -> list[Path]:
    """The theme folders to search, most specific first."""
    default = default_theme_dir()
    dirs: list[Path] = []
    site_theme = root / "themes" / name
    if site_theme.is_dir() and site_theme.resolve() != default.resolve():
        dirs.append(site_theme)
    elif name != "default":
        raise ConfigError(f"theme '{name}' not found (looked for themes/{name}/)",
                          "portfolio.yml", hint="use theme: default, or create the folder")
    dirs.append(default)
    return dirs


def nbconvert_dirs(dirs: list[Path]) -> tuple[str, ...]:
    """The themes' nbconvert template folders. nbconvert loads them itself, so a file that is a
    symlink out of the site is refused here, as the Jinja2 loader refuses page templates."""
    found = tuple(d / "nbconvert" for d in dirs if (d / "nbconvert").is_dir())
    sites = [d.parent.parent for d in dirs[:-1]]
    allowed = tuple(Path(os.path.realpath(d)) for d in (*dirs, *sites))
    for folder in found[:-1] if dirs[-1] / "nbconvert" in found else found:
        for path in sorted(folder.rglob("*")):
            real = Path(os.path.realpath(path))
            if not any(real.is_relative_to(base) for base in allowed):
                shown = next((os.path.relpath(path, site) for site in sites
                              if path.is_relative_to(site)), str(path))
                raise TemplateError(f"refusing to use the nbconvert template: it points to "
                                    f"{real}, outside the site", shown, hint="copy the file "
                                    "into the theme instead of linking to it")
    return tuple(str(d) for d in found)


def environment(dirs: list[Path], cache_dir: Path | None = None) -> jinja2.Environment:
    """A strict, autoescaping environment; filters are added by the renderer.

    With `cache_dir`, compiled templates are kept on disk: compiling the theme costs more than
    rendering a small site's pages.
    """
    import jinja2

    inside = _inside_loader(dirs)
    loaders = [inside(str(d / "templates")) for d in dirs if (d / "templates").is_dir()]
    default = inside(str(dirs[-1] / "templates"))
    loader = jinja2.ChoiceLoader([*loaders, jinja2.PrefixLoader({"!default": default},
                                                                 delimiter="/")])
    env = jinja2.Environment(
        loader=loader,
        autoescape=jinja2.select_autoescape(["html", "xml", "j2"], default_for_string=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        bytecode_cache=_bytecode_cache(cache_dir),
        auto_reload=False,  # one environment per build: no stat of the template per page
    )
    # The renderer replaces these; they exist now so templates can be compiled early (warm).
    env.filters.update({name: _not_ready for name in FILTERS})
    return env


def _inside_loader(dirs: list[Path]) -> type[jinja2.FileSystemLoader]:
    """A loader that refuses a template whose file is a symlink out of the site (and out of
    the theme's folder): like static files (output/writer.py), it is never published."""
    import jinja2

    sites = [d.parent.parent for d in dirs[:-1]]  # a site's theme is ROOT/themes/NAME
    allowed = tuple(Path(os.path.realpath(d)) for d in (*dirs, *sites))

    class Inside(jinja2.FileSystemLoader):
        def get_source(self, environment: jinja2.Environment, template: str
                       ) -> tuple[str, str, Callable[[], bool]]:
            source, filename, uptodate = super().get_source(environment, template)
            real = Path(os.path.realpath(filename))
            if not any(real.is_relative_to(base) for base in allowed):
                shown = next((os.path.relpath(filename, site) for site in sites
                              if Path(filename).is_relative_to(site)), filename)
                raise TemplateError(f"refusing to use the template {template}: it points to "
                                    f"{real}, outside the site", shown, hint="copy the file "
                                    "into the theme instead of linking to it")
            return source, filename, uptodate

    return Inside


FILTERS = ("url", "absolute_url", "date")


def _not_ready(*_args: object, **_kwargs: object) -> str:
    raise RuntimeError("a template filter was used before the renderer set it up")


def warm(env: jinja2.Environment) -> None:
    """Compile the page templates ahead of rendering (while workers convert documents).

    Errors are left for the render, which reports them with the template's file and line."""
    try:  # the pages' templates and everything they extend, include or import
        names = [n for n in env.list_templates()
                 if n.endswith((".html", ".xml", ".j2")) and not n.startswith("!")]
    except Exception:  # noqa: BLE001
        names = list(PAGE_TEMPLATES)
    for name in names:
        try:
            env.get_template(name)
        except Exception:  # noqa: BLE001 - reported properly when the page is rendered
            pass


def _bytecode_cache(cache_dir: Path | None):
    if cache_dir is None:
        return None
    import jinja2

    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return jinja2.FileSystemBytecodeCache(str(cache_dir))


def static_files(dirs: list[Path]) -> dict[str, Path]:
    """Merged map of `assets/...` output paths to files; the first theme wins."""
    merged: dict[str, Path] = {}
    for theme in reversed(dirs):
        static = theme / "static"
        if not static.is_dir():
            continue
        for dirpath, dirnames, filenames in os.walk(static):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            for name in sorted(filenames):
                if name.startswith("."):
                    continue
                full = Path(dirpath) / name
                merged[f"{ASSETS_DIR}/{full.relative_to(static).as_posix()}"] = full
    return dict(sorted(merged.items()))


PLOTLY_JS = f"{ASSETS_DIR}/plotly.min.js"
PLOTLY_CDN = "https://cdn.plot.ly/plotly-2.35.2.min.js"


def chart_libraries(static: dict[str, Path], needs_plotly: bool) -> dict[str, Path]:
    """plotly.js for pages that draw plotly charts: the theme's copy if it bundles one, else
    the one inside the installed `plotly` package (the version the notebooks were made with),
    published once under assets/; without either, pages load it from the CDN."""
    if not needs_plotly or PLOTLY_JS in static:
        return {}
    bundled = [folder / "plotly.min.js" for folder in library_dirs()]
    return {PLOTLY_JS: bundled[0]} if bundled and bundled[0].is_file() else {}


def library_dirs() -> tuple[Path, ...]:
    """Folders of installed packages whose files a site may publish (the writer copies only
    from the site, its themes and these)."""
    from importlib.util import find_spec

    try:  # found without importing plotly (which takes a while)
        spec = find_spec("plotly")
    except (ImportError, ValueError):
        return ()
    places = list(spec.submodule_search_locations or []) if spec is not None else []
    return tuple(Path(place) / "package_data" for place in places[:1])
