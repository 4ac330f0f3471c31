"""portfolio: a static-site generator for people who learn machine learning in public.

The public API is imported lazily, so `portfolio --help` does not pay for it. The build
function is `generator.build.build` (also re-exported here as `build_site`, because the name
`generator.build` is the module).
"""

from __future__ import annotations

from typing import Any

from .model.distribution import DISTRIBUTION, HOMEPAGE, __version__

__all__ = ["build_site", "render_in_memory", "load_config", "BuildReport", "PortfolioError",
           "__version__", "DISTRIBUTION", "HOMEPAGE"]


def __getattr__(name: str) -> Any:
    if name in ("build_site", "render_in_memory", "BuildReport"):
        from importlib import import_module

        module = import_module(".build", __name__)
        return module.build if name == "build_site" else getattr(module, name)
    if name == "load_config":
        from .model.config import load_config

        return load_config
    if name == "PortfolioError":
        from .model.errors import PortfolioError

        return PortfolioError
    raise AttributeError(name)
