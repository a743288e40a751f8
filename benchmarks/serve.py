"""`jixiao serve` under load: N concurrent clients on loopback for a bounded time.

    python benchmarks/serve.py [--clients 16] [--seconds 10] [--workers 2]

Starts a real server (uvicorn, 127.0.0.1, a free port), then:
1. one POST /api/v1/evaluate of the bundled example, against the in-process
   `engine.api` call plus a loopback round trip of the same bytes (target ≤ 2×);
2. N clients posting the example for the given time: requests/s, p50, p99,
   errors, and every response's total checked against 87.36 (lost results).
Prints ratios and figures; no pass/fail beyond the exit code (1 on any error).
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
BODY = open(os.path.join(ROOT, "examples", "2019", "hr-bureau.json"), "rb").read()
PATH = "/api/v1/evaluate?ruleset=2019/department&name=examples/2019/hr-bureau.json"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def post(conn: http.client.HTTPConnection, path: str, body: bytes) -> tuple[int, bytes]:
    if conn.sock is None:  # headers and body go out as two writes: no Nagle delay between them
        conn.connect()
        conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    conn.request("POST", path, body, {"Content-Type": "application/json"})
    r = conn.getresponse()
    return r.status, r.read()


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--clients", type=int, default=16)
    ap.add_argument("--seconds", type=float, default=10)
    ap.add_argument("--workers", type=int, default=2)
    a = ap.parse_args()
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "engine", "serve", "--port", str(port), "--workers", str(a.workers)], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(600):
            try:
                c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                c.request("GET", "/api/v1/openapi.json")
                c.getresponse().read()
                break
            except OSError:
                time.sleep(0.1)
        return run(port, a)
    finally:
        proc.terminate()
        proc.wait(10)


def run(port: int, a) -> int:
    from engine import api
    from engine.render import json_out

    # 1. one request against the in-process call plus a loopback round trip
    plan = api.validate_ruleset_as(os.path.join(ROOT, "rulesets", "2019", "department.yaml"), "rulesets/2019/department.yaml")
    text = BODY.decode()
    echo = _echo_server()
    ec = http.client.HTTPConnection("127.0.0.1", echo, timeout=10)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    for _ in range(5):  # warm every worker's ruleset cache, and this process's
        post(conn, PATH, BODY)
        json_out.render(api.evaluate_text(plan, text, "unit.json"))
    # Interleaved, so that the load of a shared machine falls on all three alike.
    times: dict[str, list[float]] = {"in": [], "loop": [], "http": []}
    for _ in range(40):
        for key, fn in (("in", lambda: json_out.render(api.evaluate_text(plan, text, "unit.json"))), ("loop", lambda: post(ec, "/", BODY)), ("http", lambda: post(conn, PATH, BODY))):
            t = time.perf_counter()
            fn()
            times[key].append(time.perf_counter() - t)
    in_process, loopback, single = (statistics.median(times[k]) for k in ("in", "loop", "http"))
    print(f"single POST /evaluate   {single * 1000:7.1f} ms (median of 40, interleaved)")
    print(f"in-process + loopback   {(in_process + loopback) * 1000:7.1f} ms ({in_process * 1000:.1f} + {loopback * 1000:.1f})")
    print(f"ratio                   {single / (in_process + loopback):7.2f}x (target <= 2x)")

    # 2. N clients for a bounded time
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    stop = time.perf_counter() + a.seconds

    def client():
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        while time.perf_counter() < stop:
            t = time.perf_counter()
            try:
                status, body = post(c, PATH, BODY)
                ok = status == 200 and json.loads(body)["total"] == 87.36
                problem = None if ok else f"HTTP {status} or wrong total"
            except Exception as e:  # noqa: BLE001 - counted and printed
                problem = repr(e)
                c = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
            with lock:
                latencies.append(time.perf_counter() - t)
                if problem:
                    errors.append(problem)

    threads = [threading.Thread(target=client) for _ in range(a.clients)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - t0
    latencies.sort()
    p = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000  # noqa: E731
    print(f"{a.clients} clients, {elapsed:.1f} s: {len(latencies)} requests, {len(latencies) / elapsed:.1f} req/s, p50 {p(0.5):.0f} ms, p99 {p(0.99):.0f} ms, errors {len(errors)}")
    for e in errors[:5]:
        print("  error:", e)
    return 1 if errors else 0


def _echo_server() -> int:
    """A minimal HTTP server on loopback that reads the body and answers it back (the round trip's cost)."""
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Echo(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True

        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    srv = ThreadingHTTPServer(("127.0.0.1", 0), Echo)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv.server_address[1]


if __name__ == "__main__":
    raise SystemExit(main())
