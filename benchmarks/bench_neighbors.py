"""Exact k-NN search on n x d float32 features: skscat.analysis.nearest_neighbors vs sklearn NearestNeighbors.

Both run in this process, alternating, on the same data (every point against
all the others, as local_support_vectors needs). Prints the median wall time
of each, their ratio, the peak resident memory each call added (sampled every
10 ms from /proc; on CUDA also torch's peak allocation) and how many neighbour
lists agree.

Usage::

    python benchmarks/bench_neighbors.py                   # 50,000 x 512, k = 31, CPU
    python benchmarks/bench_neighbors.py --n 20000 --repeats 3 --device cuda
"""

import argparse
import statistics
import threading
import time

import numpy as np
import torch
from sklearn.neighbors import NearestNeighbors
from threadpoolctl import threadpool_limits

from skscat.analysis import nearest_neighbors


def rss_bytes():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096


class PeakMemory:
    """Largest resident-memory increase while the block runs (sampled every 10 ms)."""

    def __enter__(self):
        self.base = self.peak = rss_bytes()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self):
        while not self._stop.wait(0.01):
            self.peak = max(self.peak, rss_bytes())

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, rss_bytes())
        self.added = self.peak - self.base


def run_skscat(X, k, device, budget):
    return nearest_neighbors(X, k, device=device, memory_budget=budget)[1]


def run_sklearn(X, k, n_jobs):
    return NearestNeighbors(n_neighbors=k, n_jobs=n_jobs).fit(X).kneighbors(return_distance=False)


def timed(fn, *args):
    if torch.cuda.is_available():
        torch.cuda.reset_peak_memory_stats()
    with PeakMemory() as mem:
        start = time.perf_counter()
        out = fn(*args)
        seconds = time.perf_counter() - start
    gpu = torch.cuda.max_memory_allocated() if torch.cuda.is_available() else 0
    return out, seconds, mem.added, gpu


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=50_000)
    parser.add_argument("--d", type=int, default=512)
    parser.add_argument("--k", type=int, default=31)
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--device", default="auto")
    parser.add_argument("--memory-budget", type=int, default=256 * 2**20)
    parser.add_argument("--n-jobs", type=int, default=None, help="sklearn n_jobs")
    parser.add_argument("--threads", type=int, default=None,
                        help="CPU threads for both sides (torch threads; sklearn's OpenMP/BLAS pools)")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
        threadpool_limits(args.threads)
    rng = np.random.default_rng(0)
    # Clustered features, like a network's: 100 centres plus noise.
    centres = rng.normal(size=(100, args.d)).astype(np.float32)
    X = centres[rng.integers(0, 100, args.n)] + 0.7 * rng.normal(size=(args.n, args.d)).astype(np.float32)
    print(f"{args.n} x {args.d} float32, k={args.k}, device={args.device}, torch threads={torch.get_num_threads()}")
    times = {"skscat": [], "sklearn": []}
    results = {}
    for rep in range(args.repeats):
        for name in ("skscat", "sklearn") if rep % 2 == 0 else ("sklearn", "skscat"):
            if name == "skscat":
                out, sec, mem, gpu = timed(run_skscat, X, args.k, args.device, args.memory_budget)
            else:
                out, sec, mem, gpu = timed(run_sklearn, X, args.k, args.n_jobs)
            times[name].append(sec)
            results[name] = out
            extra = f", GPU peak {gpu / 2**20:.0f} MiB" if gpu else ""
            print(f"  run {rep + 1} {name:8s} {sec:8.2f} s  peak RSS +{mem / 2**20:.0f} MiB{extra}", flush=True)
    med = {name: statistics.median(values) for name, values in times.items()}
    same = np.mean(np.all(results["skscat"] == results["sklearn"], axis=1))
    print(f"median: skscat {med['skscat']:.2f} s, sklearn {med['sklearn']:.2f} s, "
          f"ratio sklearn/skscat = {med['sklearn'] / med['skscat']:.2f}")
    print(f"identical neighbour lists: {100 * same:.2f} % of rows "
          "(sklearn orders exact ties arbitrarily; skscat by index)")
    print(f"data itself: {X.nbytes / 2**20:.0f} MiB; skscat bound: float32 copy "
          f"{X.nbytes / 2**20:.0f} MiB + budget {args.memory_budget / 2**20:.0f} MiB + output")


if __name__ == "__main__":
    main()
