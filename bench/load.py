"""A bounded HTTP load generator for 127.0.0.1: N clients, each one request at a time, for S seconds.

    python -m bench.load --port 8050 --path /a/x/ --cookie 'sessionid=...' --clients 8 --seconds 10

Prints one JSON line: requests, non-2xx answers, req/s, p50 and p99 in milliseconds.
A new connection per request (gunicorn's sync workers close each one).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time

MAX_SECONDS = 120  # a typo must not leave a load running for hours


async def _client(port: int, request: bytes, deadline: float, latencies: list, errors: list) -> None:
    while time.perf_counter() < deadline:
        started = time.perf_counter()
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(request)
            await writer.drain()
            status_line = await reader.readline()
            await reader.read()  # until the server closes
            writer.close()
            status = int(status_line.split()[1])
        except (OSError, ValueError, IndexError) as exc:
            errors.append(repr(exc))
            await asyncio.sleep(0.01)
            continue
        if 200 <= status < 300:
            latencies.append(time.perf_counter() - started)
        else:
            errors.append(status)


async def _run(port: int, path: str, cookie: str, clients: int, seconds: float) -> dict:
    request = (f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: {cookie}\r\n"
               "User-Agent: practicegate-bench\r\nConnection: close\r\n\r\n").encode()
    latencies: list[float] = []
    errors: list = []
    started = time.perf_counter()
    deadline = started + min(seconds, MAX_SECONDS)
    await asyncio.gather(*(_client(port, request, deadline, latencies, errors) for _ in range(clients)))
    elapsed = time.perf_counter() - started
    latencies.sort()

    def pct(p):
        return latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000 if latencies else 0.0

    return {"requests": len(latencies), "errors": len(errors), "first_errors": errors[:3],
            "rps": len(latencies) / elapsed, "p50_ms": pct(0.50), "p99_ms": pct(0.99)}


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.load")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--path", required=True)
    parser.add_argument("--cookie", default="")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=10)
    args = parser.parse_args()
    print(json.dumps(asyncio.run(_run(args.port, args.path, args.cookie, args.clients, args.seconds))))


if __name__ == "__main__":
    main()
