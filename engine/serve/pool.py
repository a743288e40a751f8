"""Worker processes for the server's jobs, each call with a time limit.

The event loop never evaluates: a job goes to an idle worker process (a
thread waits for it), so one heavy request does not hold up the others. A
job that runs past the time limit is stopped by ending its worker process,
which is replaced at once; the caller gets `TimeLimit`. With `size=0` the jobs
run in threads of this process instead (tests, and systems where processes
cannot be started): the same answers, but a job past its limit is answered
and left to finish on its own.
"""
from __future__ import annotations

import asyncio
import concurrent.futures
import multiprocessing
import queue
import signal
import threading
import traceback
from typing import Any

from engine.serve import jobs
from engine.serve.jobs import JOBS, Problems


class TimeLimit(Exception):
    """The job ran past the time limit and was stopped."""


class JobFailed(Exception):
    """A bug in a job: `detail` is its traceback (for the log only)."""

    def __init__(self, detail: str):
        super().__init__(detail.strip().splitlines()[-1] if detail.strip() else "error")
        self.detail = detail


def _call(name: str, args: tuple) -> tuple[str, Any]:
    try:
        return "ok", JOBS[name](*args)
    except Problems as p:
        return "problems", p.items
    except Exception:  # noqa: BLE001 - reported to the parent, which logs it with a reference
        return "error", traceback.format_exc()


def _worker_main(conn, folders: tuple[str, ...]) -> None:
    """A worker: answer jobs until told to stop (None) or the pipe closes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the server's to handle
    jobs.configure(folders)
    conn.send("ready")
    while True:
        try:
            msg = conn.recv()
        except (EOFError, OSError):
            return
        if msg is None:
            return
        conn.send(_call(*msg))


class _Worker:
    def __init__(self, ctx, folders: tuple[str, ...]):
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(target=_worker_main, args=(child, folders), daemon=True)
        self.process.start()
        child.close()
        # Wait for its imports, so a job's time limit never counts them.
        if not self.conn.poll(120) or self.conn.recv() != "ready":
            raise OSError("a worker process did not start")

    def stop(self, kill: bool = False) -> None:
        try:
            if kill:
                self.process.kill()
            else:
                self.conn.send(None)
        except (OSError, ValueError):
            pass
        self.process.join(2)
        if self.process.is_alive():
            self.process.kill()
            self.process.join(2)
        self.conn.close()


class Pool:
    """`size` worker processes (0: threads of this process); each job limited to `time_limit` seconds."""

    def __init__(self, size: int, time_limit: float, folders: tuple[str, ...]):
        self.size, self.time_limit, self.folders = size, time_limit, tuple(folders)
        self._threads = concurrent.futures.ThreadPoolExecutor(max_workers=max(64, size * 8), thread_name_prefix="jixiao-job")
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._lock = threading.Lock()
        self._closed = False
        jobs.configure(self.folders)  # for jobs run in this process (size 0)
        if size:
            # spawn: a fresh interpreter, never a fork of a process that runs threads
            self._ctx = multiprocessing.get_context("spawn")
            try:
                for _ in range(size):
                    self._idle.put(_Worker(self._ctx, self.folders))
            except (OSError, ImportError):  # no processes here (some containers): threads, same answers
                while not self._idle.empty():
                    self._idle.get_nowait().stop(kill=True)
                self.size = 0

    async def run(self, name: str, *args: Any) -> Any:
        """Run job `name` off the event loop; its value, or raise `Problems`,
        `TimeLimit` or `JobFailed`."""
        loop = asyncio.get_running_loop()
        if not self.size:
            fut = loop.run_in_executor(self._threads, _call, name, args)
            try:
                status, value = await asyncio.wait_for(asyncio.shield(fut), self.time_limit)
            except asyncio.TimeoutError:
                raise TimeLimit() from None
        else:
            status, value = await loop.run_in_executor(self._threads, self._in_worker, name, args)
        return _unpack(status, value)

    def _in_worker(self, name: str, args: tuple) -> tuple[str, Any]:
        worker = self._idle.get()
        try:
            worker.conn.send((name, args))
            if not worker.conn.poll(self.time_limit):
                worker.stop(kill=True)
                worker = _Worker(self._ctx, self.folders)
                return "timeout", None
            return worker.conn.recv()
        except (EOFError, OSError, BrokenPipeError):
            worker.stop(kill=True)
            worker = _Worker(self._ctx, self.folders)
            return "error", "the worker process ended unexpectedly"
        finally:
            if self._closed:
                worker.stop()
            else:
                self._idle.put(worker)

    def close(self) -> None:
        self._closed = True
        while True:
            try:
                self._idle.get_nowait().stop()
            except queue.Empty:
                break
        self._threads.shutdown(wait=False, cancel_futures=True)


def _unpack(status: str, value: Any) -> Any:
    if status == "ok":
        return value
    if status == "problems":
        raise Problems(value)
    if status == "timeout":
        raise TimeLimit()
    raise JobFailed(value)
