"""`jixiao serve`: the workbench for policy staff and the HTTP API for budget
systems, on one local server (Starlette + uvicorn, the `serve` extra).

The top of the layering: it uses `engine.api` and below, nothing uses it.
`main(...)` is what the command line calls; `app.create_app` builds the
application (tests drive it with Starlette's TestClient).
"""
from __future__ import annotations

import logging
import os
from typing import TextIO

from engine.base.messages import format_message

LOCAL = ("127.0.0.1", "localhost", "::1")


def main(host: str, port: int, token: str | None, rulesets: tuple[str, ...], lang: str, out: TextIO, err: TextIO, workers: int = 2, time_limit: float = 30.0) -> int:
    """Run the server until interrupted; the exit code (1: cannot start).
    `rulesets`: the `--rulesets` folders, searched first."""
    say = lambda code, **a: format_message(code, a, lang)  # noqa: E731
    try:
        # The serve extra, checked before anything else (a missing one is named in one line):
        import python_multipart  # noqa: F401 - the upload forms
        import starlette  # noqa: F401 - the ASGI framework
        import uvicorn  # the server
    except ImportError as e:
        err.write(say("serve.missing_extra", package=e.name or "starlette") + "\n")
        return 1
    if host not in LOCAL and not token:
        err.write(say("serve.token_required") + "\n")
        return 1
    missing = next((d for d in rulesets if not os.path.isdir(d)), None)
    if missing is not None:
        err.write(say("serve.no_rulesets_dir", path=missing) + "\n")
        return 1
    # Only now, with the extra known to be there: the server's own modules import it.
    from engine.serve import store  # (these import the extra)
    from engine.serve.app import Settings, create_app  # (same)

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    hosts = None
    if host in LOCAL:  # only the loopback names reach a server that has no token
        hosts = tuple(f"{name}:{port}" for name in ("127.0.0.1", "localhost", "[::1]")) + (("127.0.0.1", "localhost") if port == 80 else ())
    settings = Settings(store.search_path(rulesets), token=token, workers=workers, time_limit=time_limit, hosts=hosts)
    app = create_app(settings)
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{shown}:{port}/"
    out.write(say("serve.listening", url=url) + "\n")
    if token:
        out.write(say("serve.token_notice", url=url) + "\n")
    out.flush()
    uvicorn.run(app, host=host, port=port, log_level="warning")
    return 0
