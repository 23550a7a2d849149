"""Redraw docs/figures/hybrid_*.png from the saved small-data benchmark results.

Usage (from the project root)::

    python docs/scripts/hybrid_figures.py

The results come from ``python benchmarks/bench_small_data.py`` (see docs/hybrid.md).
"""

import runpy
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

CONFIGURATIONS = [[], ["--steps", "100", "--augment"]]  # the two runs of docs/hybrid.md

if __name__ == "__main__":
    for extra in CONFIGURATIONS:
        sys.argv = [
            "bench_small_data.py", "--report-only",
            "--out", str(ROOT / "benchmarks" / "results" / "small_data.json"),
            "--plot", str(ROOT / "docs" / "figures"), *extra,
        ]
        runpy.run_path(str(ROOT / "benchmarks" / "bench_small_data.py"), run_name="__main__")
