"""Benchmark: API latency of a 20,000-building town's building layer under a loopback load.

Serves the prepared database with daphne on 127.0.0.1 (DEBUG off) and sends a bounded number
of GET requests from ``--clients`` concurrent keep-alive connections, logged in as a viewer:
GeoJSON pages of ``/api/towns/<town>/buildings/`` (``--page-size``, random pages), the 3D Tiles
``tileset.json`` and its tiles. Reports p50/p95/p99 and throughput per endpoint, plus the cold
(first) tileset generation and one sequential download of the whole GeoJSON layer, and the
machine's load average (1, 5, 15 min) before and after: the numbers scale with it.

Prepare once (4–15 min): TWIN_VAR_DIR=/tmp/bench-var DATABASE_URL=spatialite:////tmp/bench-var/twin.sqlite3
  .venv/bin/python manage.py migrate && ... manage.py build_demo_towns --only xiongan-rongdong
Run: .venv/bin/python bench/bench_api_latency.py --var /tmp/bench-var [--requests 400] [--clients 8]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import shutil
import sys
import threading
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _deployment import deployment, session_cookie


def get(conn: http.client.HTTPConnection, path: str, cookie: str) -> tuple[int, float, int]:
    t = time.perf_counter()
    conn.request("GET", path, headers={"Cookie": f"sessionid={cookie}"})
    response = conn.getresponse()
    body = response.read()
    return response.status, time.perf_counter() - t, len(body)


def load(url: str, cookie: str, paths: list[str], clients: int) -> list[tuple[int, float, int]]:
    host, port = url.removeprefix("http://").split(":")
    queue = list(enumerate(paths))
    lock = threading.Lock()
    results: list[tuple[int, float, int]] = [(0, 0.0, 0)] * len(paths)

    def worker() -> None:
        conn = http.client.HTTPConnection(host, int(port), timeout=300)
        while True:
            with lock:
                if not queue:
                    break
                i, path = queue.pop()
            results[i] = get(conn, path, cookie)
        conn.close()

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def summary(name: str, results: list[tuple[int, float, int]], wall_s: float) -> dict[str, object]:
    ms = np.array([r[1] for r in results]) * 1000
    bad = sum(1 for r in results if r[0] != 200)
    row = {
        "endpoint": name,
        "requests": len(results),
        "errors": bad,
        "p50_ms": round(float(np.percentile(ms, 50)), 1),
        "p95_ms": round(float(np.percentile(ms, 95)), 1),
        "p99_ms": round(float(np.percentile(ms, 99)), 1),
        "req_per_s": round(len(results) / wall_s, 1),
        "mean_kB": round(float(np.mean([r[2] for r in results])) / 1024, 1),
    }
    print(json.dumps(row))
    return row


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--var", type=Path, required=True, help="TWIN_VAR_DIR of the prepared DB")
    parser.add_argument("--town", default="xiongan-rongdong")
    parser.add_argument("--requests", type=int, default=400, help="per endpoint (bounded)")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--page-size", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    load_before = [round(x, 2) for x in os.getloadavg()]
    shutil.rmtree(args.var / "media" / "tiles" / args.town, ignore_errors=True)  # cold tiles
    with deployment(args.var, args.town) as url:
        cookie = session_cookie(url)
        host = url.removeprefix("http://").split(":")
        conn = http.client.HTTPConnection(host[0], int(host[1]), timeout=600)
        api = f"/api/towns/{args.town}"
        status, cold_s, _ = get(conn, f"{api}/tiles/tileset.json", cookie)
        conn.request("GET", f"{api}/tiles/tileset.json", headers={"Cookie": f"sessionid={cookie}"})
        tileset_doc = json.loads(conn.getresponse().read())
        uris = [c["content"]["uri"] for c in tileset_doc["root"]["children"]]
        print(
            json.dumps(
                {
                    "tileset_cold_s": round(cold_s, 2),
                    "status": status,
                    "buildings": tileset_doc["extras"]["buildings"],
                    "tiles": len(uris),
                }
            )
        )
        t = time.perf_counter()
        next_path, total, pages = f"{api}/buildings/?page_size=10000", 0, 0
        while next_path:
            conn.request("GET", next_path, headers={"Cookie": f"sessionid={cookie}"})
            page = json.loads(conn.getresponse().read())
            total += len(page["features"])
            pages += 1
            next_path = page["next"] and page["next"].split(url, 1)[-1]
        print(
            json.dumps(
                {
                    "geojson_full_layer_s": round(time.perf_counter() - t, 2),
                    "features": total,
                    "pages_of_10000": pages,
                }
            )
        )
        n_pages = max(1, -(-total // args.page_size))
        suites = {
            f"buildings page_size={args.page_size}": [
                f"{api}/buildings/?page_size={args.page_size}&page={rng.randint(1, n_pages)}"
                for _ in range(args.requests)
            ],
            "buildings in_bbox (~1/16 of town)": [],
            "tiles/tileset.json (warm)": [f"{api}/tiles/tileset.json"] * args.requests,
            "tiles/<fp>/<i>.glb": [f"{api}/tiles/{rng.choice(uris)}" for _ in range(args.requests)],
        }
        w, s, e, n = [
            float(np.degrees(v)) for v in tileset_doc["root"]["boundingVolume"]["region"][:4]
        ]
        for _ in range(args.requests):
            x, y = rng.uniform(w, e - (e - w) / 4), rng.uniform(s, n - (n - s) / 4)
            box = f"{x:.6f},{y:.6f},{x + (e - w) / 4:.6f},{y + (n - s) / 4:.6f}"
            suites["buildings in_bbox (~1/16 of town)"].append(
                f"{api}/buildings/?page_size=2000&in_bbox={box}"
            )
        rows = []
        for name, paths in suites.items():
            t = time.perf_counter()
            results = load(url, cookie, paths, args.clients)
            rows.append(summary(name, results, time.perf_counter() - t))
        conn.close()
    load_after = [round(x, 2) for x in os.getloadavg()]
    print(
        json.dumps(
            {
                "clients": args.clients,
                "load_average_before": load_before,
                "load_average_after": load_after,
                "rows": rows,
            }
        )
    )


if __name__ == "__main__":
    main()
