"""The load ``bench/ingest.py`` sends: signed GitHub deliveries and Slack commands over loopback.

Two generators. ``drive`` is Python (http.client, one keep-alive connection per client thread),
always available, and the only one that can pace a rate. ``wrk_burst`` uses wrk when it is
installed (``apt-get install wrk``): it costs the machine far less CPU per request, so on a small
machine it leaves more to the server and the comparison is harsher on whichever server does more
per request. The python client's own time per request caps the faster server more than the
slower one (on the 2-core machine of 2026-12-01: the minimal app 1,580/s under python load and
1,950/s under wrk, the bridge 1,420/s and 1,450/s), so a ratio measured with it flatters the
slower server; ``bench/ingest.py`` bursts with wrk whenever it is installed.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import itertools
import re
import shutil
import statistics
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

from bench.ingest_servers import SECRET, SLACK_SECRET

BODY = (
    Path(__file__).resolve().parents[1] / "tests/fixtures/github/webhooks/issues/opened.json"
).read_bytes()
SIGNATURE = "sha256=" + hmac.new(SECRET.encode(), BODY, hashlib.sha256).hexdigest()
Request = tuple[str, bytes, dict[str, str]]


@dataclass
class Run:
    latencies: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    seconds: float = 0.0
    sent: int = 0
    p50_ms: float | None = None  # given by wrk, which keeps no list of latencies
    p99_ms: float | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, latency: float, status: int) -> None:
        with self.lock:
            self.latencies.append(latency)
            self.statuses[status] = self.statuses.get(status, 0) + 1
            self.sent += 1

    def percentile(self, p: int) -> float:
        given = {50: self.p50_ms, 99: self.p99_ms}.get(p)
        if given is not None:
            return given
        if len(self.latencies) < 2:
            return float("nan")
        return statistics.quantiles(self.latencies, n=100, method="inclusive")[p - 1] * 1000

    @property
    def rate(self) -> float:
        return self.sent / self.seconds if self.seconds else 0.0

    def accepted(self) -> int:
        return sum(count for status, count in self.statuses.items() if 200 <= status < 300)


def github_request(tag: str) -> Request:
    headers = {
        "Content-Type": "application/json",
        "X-GitHub-Event": "issues",
        "X-GitHub-Delivery": tag,
        "X-Hub-Signature-256": SIGNATURE,
    }
    return "/webhooks/github", BODY, headers


def slack_request(tag: str) -> Request:
    text = "help" if int(tag.rsplit("-", 1)[1]) % 2 else "status 990001"
    body = urlencode(
        {
            "command": "/escalate",
            "text": text,
            "trigger_id": tag,
            "user_id": "U0BENCH01",
            "channel_id": "C0BENCH01",
            "team_id": "T0BENCH01",
        }
    ).encode()
    stamp = str(int(time.time()))
    digest = hmac.new(SLACK_SECRET.encode(), b"v0:" + stamp.encode() + b":" + body, hashlib.sha256)
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": "v0=" + digest.hexdigest(),
    }
    return "/slack/commands", body, headers


def drive(
    port: int,
    make: Callable[[str], Request],
    prefix: str,
    total: int,
    clients: int,
    rate: float | None,
    deadline: float,
) -> Run:
    """``clients`` keep-alive connections; as fast as answered, or paced at ``rate``/s
    (latency then counts from the planned send time, so falling behind shows)."""
    run, numbers, start = Run(), itertools.count(), time.perf_counter()

    def client() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        while (n := next(numbers)) < total and time.perf_counter() < deadline:
            planned = start + n / rate if rate else time.perf_counter()
            if rate and (wait := planned - time.perf_counter()) > 0:
                time.sleep(wait)
            path, body, headers = make(f"{prefix}-{n}")
            try:
                connection.request("POST", path, body=body, headers=headers)
                response = connection.getresponse()
                response.read()
                status = response.status
            except (OSError, http.client.HTTPException):
                status, connection = 599, http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            run.record(time.perf_counter() - planned, status)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    run.seconds = time.perf_counter() - start
    return run


WRK_SCRIPT = """
local f = io.open("{body}", "rb"); local body = f:read("*all"); f:close()
local counter = 0
function init(args) prefix = args[1] .. "-" .. string.sub(tostring({{}}), 8) end
request = function()
  counter = counter + 1
  return wrk.format("POST", "/webhooks/github", {{
    ["Content-Type"] = "application/json",
    ["X-GitHub-Event"] = "issues",
    ["X-GitHub-Delivery"] = prefix .. "-" .. counter,
    ["X-Hub-Signature-256"] = "{signature}",
  }}, body)
end
done = function(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format("bench: %d %d %d %d %d %.0f %.0f\\n", summary.requests, summary.duration,
    errors.status, errors.connect + errors.read + errors.write, errors.timeout,
    latency:percentile(50), latency:percentile(99)))
end
"""


def wrk_available() -> bool:
    return shutil.which("wrk") is not None


def wrk_burst(port: int, prefix: str, seconds: int, clients: int) -> Run:
    """wrk for ``seconds`` with ``clients`` connections on two threads; every delivery id is
    new (a per-thread prefix and a counter), as in ``drive``."""
    with tempfile.TemporaryDirectory(prefix="bench-wrk-") as tmp:
        body, script = Path(tmp, "body.json"), Path(tmp, "github.lua")
        body.write_bytes(BODY)
        script.write_text(WRK_SCRIPT.format(body=body, signature=SIGNATURE))
        command = ["wrk", "-t2", f"-c{clients}", f"-d{seconds}s", "-s", str(script)]
        output = subprocess.run(
            [*command, f"http://127.0.0.1:{port}", "--", prefix],
            capture_output=True,
            text=True,
            check=True,
            timeout=seconds + 60,
        ).stdout
    found = re.search(r"^bench: (\d+) (\d+) (\d+) (\d+) (\d+) (\d+) (\d+)$", output, re.M)
    if found is None:
        raise SystemExit(f"wrk printed no summary:\n{output}")
    requests, micros, bad_status, socket_errors, timeouts, p50, p99 = map(int, found.groups())
    failed = bad_status + socket_errors + timeouts
    run = Run(seconds=micros / 1e6, sent=requests, p50_ms=p50 / 1000, p99_ms=p99 / 1000)
    run.statuses = {202: requests - failed, 599: failed} if failed else {202: requests}
    return run
