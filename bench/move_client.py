"""Moves deals on the board through the API and prints the latency of each request.

Used by bench/sales.sh: `concurrency` threads, each on its own keep-alive connection, move the
deals named in `ids_file` (one id per line, all at version 1) to `stage`, one request after the
other, and the script prints requests per second and latency percentiles of all of them. A small
client of its own rather than wrk, because every request must name another deal and its
version, and because each request's own time is what is measured.

    python3 bench/move_client.py PORT TOKEN STAGE IDS_FILE CONCURRENCY COUNT
"""

import http.client
import json
import sys
import threading
import time


def main():
    port, token, stage, ids_file = sys.argv[1:5]
    concurrency, count = int(sys.argv[5]), int(sys.argv[6])
    with open(ids_file, encoding="utf-8") as f:
        ids = [line.strip() for line in f if line.strip()][:count]
    times, errors, lock = [], [0], threading.Lock()

    def worker(part):
        conn = http.client.HTTPConnection("127.0.0.1", int(port))
        body = json.dumps({"stage_id": stage, "version": 1})
        headers = {"authorization": f"Bearer {token}", "content-type": "application/json"}
        for deal in part:
            started = time.perf_counter()
            conn.request("POST", f"/api/v1/opportunities/{deal}/move", body, headers)
            reply = conn.getresponse()
            reply.read()
            took = time.perf_counter() - started
            with lock:
                times.append(took)
                if reply.status != 200:
                    errors[0] += 1

    threads = [threading.Thread(target=worker, args=(ids[k::concurrency],)) for k in range(concurrency)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    times.sort()

    def percentile(p):
        return times[min(len(times) - 1, int(p * len(times)))] * 1000

    print(json.dumps({
        "requests": len(times),
        "rps": round(len(times) / wall),
        "p50": f"{percentile(0.50):.2f} ms",
        "p99": f"{percentile(0.99):.2f} ms",
        "max": f"{times[-1] * 1000:.1f} ms",
        "errors": errors[0],
    }))


if __name__ == "__main__":
    main()
