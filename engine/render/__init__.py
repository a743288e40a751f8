"""Renderers: a `Result` → text, JSON, and (on demand) report formats.

Each renderer returns `str` or `bytes`; none writes files or prints."""
