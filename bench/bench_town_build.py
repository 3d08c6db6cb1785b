"""Benchmark: build and import a generated demonstration town (default: Xiong'an, 20,000 buildings).

Phases, each timed: generate (engine), write the IFC4 files, parse them in sandboxed
children (``--workers``), write them to the database (imputation + bulk upserts), networks,
facilities and zones. Runs against a fresh SpatiaLite file in a temporary directory (or the
``DATABASE_URL`` you give). ``--size-factor 5`` generates the 100,000-building variant; with
``--engine-only`` nothing is imported (generation and IFC writing only).

Run: .venv/bin/python bench/bench_town_build.py [--town xiongan-rongdong] [--size-factor 1]
     [--workers 2] [--engine-only]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _setup_django(var_dir: Path) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    os.environ.setdefault("TWIN_VAR_DIR", str(var_dir))
    os.environ.setdefault("DATABASE_URL", f"spatialite:///{var_dir / 'bench.sqlite3'}")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--town", default="xiongan-rongdong")
    parser.add_argument("--size-factor", type=float, default=1.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--engine-only", action="store_true")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="twin-bench-town-"))
    from twin.engine.towns.generate import generate_town
    from twin.engine.towns.profile import load_profile

    timings: dict[str, float] = {}
    t = time.perf_counter()
    gen = generate_town(load_profile(args.town), seed=0, size_factor=args.size_factor)
    timings["generate"] = time.perf_counter() - t
    print(
        f"{args.town}: {len(gen.buildings)} buildings, "
        f"{sum(len(n.links) for n in gen.networks)} network links"
    )
    if not args.engine_only:
        _setup_django(tmp)
    from twin import towns

    t = time.perf_counter()
    files = towns.write_ifc_files(gen, tmp / "ifc")
    timings["write IFC"] = time.perf_counter() - t
    size_mb = sum(p.stat().st_size for p in files) / 2**20
    print(f"  {len(files)} IFC files, {size_mb:.0f} MiB")
    if not args.engine_only:
        _import(gen, files, args.workers, timings)
    total = sum(timings.values())
    for phase, seconds in timings.items():
        print(f"  {phase:<28} {seconds:8.1f} s")
    print(f"  {'total':<28} {total:8.1f} s = {1000 * total / len(gen.buildings):.1f} ms/building")


def _import(gen, files, workers: int, timings: dict[str, float]) -> None:  # type: ignore[no-untyped-def]
    from twin import services, town_layers, towns

    town = towns._town_row(gen.profile)
    region = {"fortification_intensity": gen.profile.fortification_intensity}
    parse_s = write_s = 0.0
    from concurrent.futures import ThreadPoolExecutor

    t0 = time.perf_counter()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(services.ifc_parse, p) for p in files]
        for path, future in zip(files, futures, strict=True):
            t = time.perf_counter()
            summary = future.result()
            parse_s += time.perf_counter() - t
            t = time.perf_counter()
            services.ifc_write(
                town_slug=town.slug, path=path, summary=summary, region_defaults=region
            )
            write_s += time.perf_counter() - t
    timings["parse IFC (waiting, parallel)"] = parse_s
    timings["write buildings to DB"] = write_s
    print(f"  parse + write wall time {time.perf_counter() - t0:.1f} s with {workers} workers")
    plane = town_layers.plane_of(gen.profile)
    t = time.perf_counter()
    town_layers.write_networks(town, gen.networks, plane)
    town_layers.write_facilities(town, gen.facilities, plane)
    town_layers.write_site_zones(town, gen.site_zones, plane)
    timings["networks, facilities, zones"] = time.perf_counter() - t


if __name__ == "__main__":
    main()
