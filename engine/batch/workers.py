"""The worker processes of a batch (`batch --jobs N`).

Each worker has a pipe of its own and holds one chunk of units at a time,
so this process always knows which chunk every worker is evaluating. A
worker that dies — the out-of-memory killer, SIGKILL, a C library's abort —
costs that chunk alone: its units are reported as not evaluated, a new
worker takes its place, and the batch goes on. (`multiprocessing.Pool`
loses such a task and waits for it forever, and a worker killed while it
holds the pool's shared queue stops every other worker too.)
"""
from __future__ import annotations

import multiprocessing
import signal
from multiprocessing.connection import wait
from typing import Callable, Iterable, Iterator

from engine.batch.units import serve

STOP_SECONDS = 2  # at most this long for a worker to end once told to
WINDOW = 4  # chunks evaluated or waiting to be written, per worker: bounds memory when one chunk is slow
_STARTING = {signal.SIGINT, signal.SIGTERM}


class _Worker:
    """A worker process, this process's end of its pipe, and the chunk it holds."""

    def __init__(self, ctx, args: tuple):
        self.conn, child = ctx.Pipe()
        # A fork holds a copy of this end, which it closes (units.serve): when
        # this process dies, however, the worker then reads the end of its pipe.
        inherited = self.conn if ctx.get_start_method() == "fork" else None
        self.process = ctx.Process(target=serve, args=(child, args, inherited), daemon=True)
        self.number: int | None = None  # the chunk it holds: its number and units
        self.chunk: list | None = None
        try:
            self.process.start()
        except BaseException:
            self.conn.close()
            raise
        finally:
            child.close()

    def give(self, number: int, chunk: list) -> bool:
        """Send it a chunk; False if it has died."""
        self.number, self.chunk = number, chunk
        try:
            self.conn.send(chunk)
        except OSError:
            return False
        return True

    def answer(self) -> list | None:
        """The outcomes of its chunk, once it has sent them (`wait` says so),
        or None: it died before it had sent them all."""
        try:
            return self.conn.recv()
        except (EOFError, OSError):
            return None

    def stop(self, kill: bool = False) -> dict:
        """End it (at once with `kill`), and say how it ended: the arguments
        of `batch.worker_died`."""
        if kill:
            self.process.kill()
        self.conn.close()  # a worker waiting for a chunk reads the end and returns
        self.process.join(STOP_SECONDS)
        if self.process.exitcode is None:
            self.process.kill()
            self.process.join(STOP_SECONDS)
        code = self.process.exitcode
        if code is not None and code < 0:
            try:
                return {"signal": signal.Signals(-code).name}
            except ValueError:
                return {"signal": str(-code)}
        return {"code": str(code)}


class Workers:
    """Up to `jobs` worker processes, each started when there is a chunk for
    it (never more than there are chunks). A context manager: when the batch
    ends by an error or an interrupt (Ctrl-C, SIGTERM), every worker is
    killed at once and never waited for beyond a moment."""

    def __init__(self, jobs: int, args: tuple):
        method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
        self.ctx = multiprocessing.get_context(method)
        self.jobs, self.args = jobs, args
        self.workers: list[_Worker] = []

    def __enter__(self) -> "Workers":
        return self

    def __exit__(self, kind, error, tb) -> None:
        while self.workers:
            self.workers.pop().stop(kill=kind is not None)

    def _start(self) -> _Worker | None:
        """A new worker, or None where this system cannot start one (no
        process may be forked now, or none ever)."""
        # Ctrl-C or SIGTERM during the start would stop the new process before
        # it ignores them, with a traceback: held back until it does (it
        # unblocks them itself), and here until it is listed, to be stopped.
        held = signal.pthread_sigmask(signal.SIG_BLOCK, _STARTING) if hasattr(signal, "pthread_sigmask") else None
        try:
            try:
                worker = _Worker(self.ctx, self.args)
            except (OSError, ImportError):
                self.jobs = len(self.workers)  # no more tries: the ones running go on
                return None
            self.workers.append(worker)
            return worker
        finally:
            if held is not None:
                signal.pthread_sigmask(signal.SIG_SETMASK, held)

    def _ended(self, worker: _Worker) -> dict:
        self.workers.remove(worker)
        return worker.stop(kill=True)

    def evaluate(self, chunks: Iterable[list], here: Callable[[list], list], lost: Callable[[list, dict], list]) -> Iterator[list]:
        """The outcomes of each chunk, in the chunks' order. A chunk no worker
        can take (none can be started) is evaluated in this process by
        `here(chunk)`; the outcomes of a chunk whose worker died are
        `lost(chunk, how)` (`how`: the arguments of `batch.worker_died`)."""
        chunks = iter(chunks)
        window = WINDOW * max(self.jobs, 1)
        done: dict[int, list] = {}
        sent = written = 0  # chunks handed out (or evaluated here); chunks yielded
        more = True
        while True:
            idle = [w for w in self.workers if w.number is None]
            while more and sent - written < window and (idle or len(self.workers) < self.jobs or not self.workers):
                chunk = next(chunks, None)
                if chunk is None:
                    more = False
                    break
                worker = idle.pop() if idle else self._start() if len(self.workers) < self.jobs else None
                if worker is None:
                    done[sent] = here(chunk)
                elif not worker.give(sent, chunk):
                    done[sent] = lost(chunk, self._ended(worker))
                sent += 1
            while written in done:
                yield done.pop(written)
                written += 1
            if not more and written == sent:
                return
            busy = {}
            for w in self.workers:
                if w.number is not None:
                    busy[w.conn] = busy[w.process.sentinel] = w
            if not busy:  # nothing in flight: more chunks can be handed out
                continue
            answered: list[_Worker] = []
            for ready in wait(list(busy)):
                if busy[ready] not in answered:
                    answered.append(busy[ready])
            for w in answered:
                outcomes = w.answer() if w.conn.poll() else None
                if outcomes is None:
                    done[w.number] = lost(w.chunk, self._ended(w))  # type: ignore[index]
                    continue
                done[w.number] = outcomes  # type: ignore[index]
                w.number = w.chunk = None
                if not w.process.is_alive():  # it sent its answer, then died
                    self._ended(w)
