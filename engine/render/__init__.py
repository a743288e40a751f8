"""Renderers: a `Result` → text, JSON, and (on demand) report formats.

Each renderer returns `str` or `bytes`; none writes files or prints."""


class MissingLibrary(Exception):
    """A report format's library is not installed (the `reports` extra)."""

    def __init__(self, format: str, package: str):
        self.format, self.package = format, package
        super().__init__(f"{format} needs {package}")
