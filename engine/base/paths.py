"""Paths as users see them, and where jixiao's bundled files are (自带文件).

The bundled rulesets, examples and the ruleset JSON Schema travel inside the
installed package as `engine/bundled/…` (the wheel maps the project's top-level
`rulesets/` and `examples/` there). In a checkout (or an editable install) the
package has no `bundled/` folder and the top-level folders themselves are used:
either way they are found from the package, never from the working folder.
"""
from __future__ import annotations

import os
from importlib import resources
from pathlib import Path


def display_path(path: str) -> str:
    """A path as the user should see it: relative to the working folder when inside it."""
    rel = os.path.relpath(os.path.abspath(path))
    return path if rel.startswith("..") else rel


def is_within(path: str, folder: str) -> bool:
    """Whether `path` (after following links) lies in `folder` or below it."""
    real, top = os.path.realpath(path), os.path.realpath(folder)
    return real == top or real.startswith(top.rstrip(os.sep) + os.sep)


def bundled_root() -> Path:
    """The folder holding the bundled `rulesets/` and `examples/`."""
    package = resources.files("engine")
    packaged = package / "bundled"
    if packaged.is_dir():
        return Path(str(packaged))
    return Path(str(package)).parent  # a checkout: the project's own folders


def bundled(*parts: str) -> str:
    """A bundled file's path, e.g. `bundled("examples", "2019", "hr-bureau.yaml")`."""
    return str(bundled_root().joinpath(*parts))
