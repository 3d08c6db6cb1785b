"""Benchmark: spatially correlated ground-motion fields (BSSA14, JB2009) for many sites.

Run: .venv/bin/python bench/bench_ground_motion_fields.py [--sites 100000] [--realisations 100]
Prints wall time and throughput (sites × realisations × IMTs per second) for the FFT-grid
sampler at 100,000 sites and for the exact Cholesky sampler at 5,000 sites.
"""

from __future__ import annotations

import argparse
import os
import platform
import time

import numpy as np

from structures.engine.hazard import (
    BooreEtAl2014,
    FiniteRupture,
    PointSource,
    Sites,
    simulate_fields,
)

IMTS = ["PGA", "SA(0.3)", "SA(1.0)"]
#: Half-width (degrees) of the square of random sites around the epicentre (~±33 km).
HALF_WIDTH_DEG = 0.3


def _sites(n: int, seed: int) -> Sites:
    rng = np.random.default_rng(seed)
    return Sites(
        116.4 + rng.uniform(-HALF_WIDTH_DEG, HALF_WIDTH_DEG, n),
        39.9 + rng.uniform(-HALF_WIDTH_DEG, HALF_WIDTH_DEG, n),
        rng.uniform(200.0, 800.0, n),
    )


def run(n_sites: int, n_real: int, repeats: int) -> tuple[float, str]:
    """Best wall time (s) of ``repeats`` runs and the sampler used."""
    rupture = FiniteRupture.from_magnitude(
        PointSource(116.4, 39.9, 12.0, 6.8, rake=0.0), strike=45.0, dip=80.0
    )
    sites, best, method = _sites(n_sites, 1), float("inf"), ""
    for _ in range(repeats):
        start = time.perf_counter()
        fields = simulate_fields(BooreEtAl2014(), rupture, sites, IMTS, n_real, seed=7)
        best = min(best, time.perf_counter() - start)
        method = fields.method
    return best, method


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sites", type=int, default=100_000)
    parser.add_argument("--realisations", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    print(f"python {platform.python_version()}, numpy {np.__version__}, cpus {os.cpu_count()}")
    for n_sites, n_real in ((args.sites, args.realisations), (5000, args.realisations)):
        seconds, method = run(n_sites, n_real, args.repeats)
        rate = n_sites * n_real * len(IMTS) / seconds
        print(
            f"{n_sites:>7} sites × {n_real} realisations × {len(IMTS)} IMTs [{method}]: "
            f"{seconds:.2f} s, {rate:.3g} site·realisation·IMT/s, "
            f"{n_sites * n_real / seconds:.3g} site·realisation/s"
        )


if __name__ == "__main__":
    main()
