"""A grid search on 1 and 2 dask workers, and the torch thread contention inside the workers.

The search: ``GridSearchCV`` of ScatteringTransformer + StandardScaler + TorchSVC over J in {1, 2} and C in
{1, 10} (3-fold, 12 fits) on digits images, through ``joblib.parallel_backend("dask")``. Runs, each timed
around ``fit`` only (cluster start excluded), alternating over ``--repeats`` rounds:

- ``serial``: ``n_jobs=1`` in this process (one torch thread);
- ``1 worker``, ``2 workers``: ``LocalCluster(n_workers=k, threads_per_worker=1)`` with
  :class:`skscat.parallel.TorchThreads` (one torch thread per worker);
- ``2 workers, 2 torch threads``: the same cluster with every worker's torch sized to the core count, which is
  what a worker gets without a nanny, in a threaded cluster, or with ``OMP_NUM_THREADS`` exported (the state
  TorchThreads removes).

Then a contention probe: both workers at once run ``--passes`` elementwise passes over 100,000 floats (large
enough for torch to split each pass over its threads) with 1 and with 2 torch threads each.

Prints and saves (``benchmarks/results/bench_dask.json``) the median seconds, the ratios and the 1-minute load
average at the start of each run: the development box has 2 cores shared by several people.

Usage::

    python benchmarks/bench_dask.py                    # 360 images, 2 rounds
    python benchmarks/bench_dask.py --n 900 --repeats 3
"""

import argparse
import json
import os
import statistics
import time
from pathlib import Path

import joblib
import numpy as np
import torch
from distributed import Client, LocalCluster
from sklearn.datasets import load_digits
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skscat.parallel import TorchThreads
from skscat.scattering import ScatteringTransformer
from skscat.svm import TorchSVC

RESULTS = Path(__file__).with_name("results") / "bench_dask.json"


def search(n_jobs):
    pipeline = make_pipeline(ScatteringTransformer(J=1, L=8, device="cpu"), StandardScaler(), TorchSVC(device="cpu"))
    grid = {"scatteringtransformer__J": [1, 2], "torchsvc__C": [1.0, 10.0]}
    return GridSearchCV(pipeline, grid, cv=3, n_jobs=n_jobs)


def data(n):
    X, y = load_digits(return_X_y=True)
    return (X[:n] / 16.0).astype(np.float32).reshape(-1, 1, 8, 8), y[:n]


def timed(function):
    load = os.getloadavg()[0]
    start = time.perf_counter()
    scores = function()
    return time.perf_counter() - start, load, scores


def serial(X, y):
    return search(1).fit(X, y).cv_results_["mean_test_score"]


def on_cluster(client, X, y):
    with joblib.parallel_backend("dask", client=client):
        return search(-1).fit(X, y).cv_results_["mean_test_score"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=360, help="digits images (default 360)")
    parser.add_argument("--repeats", type=int, default=2, help="rounds over the runs (default 2)")
    parser.add_argument("--passes", type=int, default=200, help="passes of the contention probe (default 200)")
    args = parser.parse_args()
    torch.set_num_threads(1)
    X, y = data(args.n)
    # One cluster per setting, its plugin registered once at start (as in docs/scaling.md), all alive at once so
    # that the rounds alternate between them.
    settings = {"1 worker": (1, 1), "2 workers": (2, 1), "2 workers, 2 torch threads": (2, 2)}
    clusters = {name: LocalCluster(n_workers=k, threads_per_worker=1, processes=True, dashboard_address=None)
                for name, (k, _) in settings.items()}
    clients = {name: Client(cluster) for name, cluster in clusters.items()}
    for name, (_, n_threads) in settings.items():
        threads(clients[name], n_threads)
    runs = {"serial": lambda: serial(X, y)}
    runs.update({name: (lambda c=client: on_cluster(c, X, y)) for name, client in clients.items()})
    records = {name: [] for name in runs}
    for _ in range(args.repeats):
        for name, run in runs.items():
            records[name].append(timed(run))
    probe = contention(clients, args.passes, 100_000, args.repeats)
    for name, n_threads in (("2 workers", 1), ("2 workers, 2 torch threads", 2)):
        seen = {f.result() for f in each_worker(clients[name], torch.get_num_threads)}
        assert seen == {n_threads}, (name, seen)  # still so after the searches
    for client in clients.values():
        client.close()
    for cluster in clusters.values():
        cluster.close()
    report(records, probe, args)


def threads(client, n_threads):
    """Size every worker's torch pool (returns None, so ``threads(...) or run()`` runs next)."""
    client.register_plugin(TorchThreads(n_threads=n_threads))
    seen = {f.result() for f in each_worker(client, torch.get_num_threads)}
    assert seen == {n_threads}, seen


def each_worker(client, function, *args):
    """One call of ``function`` in a task thread of every worker, all at once."""
    return [client.submit(function, *args, pure=False, workers=[address])
            for address in client.scheduler_info()["workers"]]


def elementwise_ops(n_iter, size):
    """Seconds for ``n_iter`` elementwise passes over ``size`` floats: above torch's grain size (32,768), so
    each pass is split over the thread pool and ends at a barrier."""
    x = torch.rand(size)
    start = time.perf_counter()
    for _ in range(n_iter):
        x = (x * 0.999 + 0.001).clamp_(0, 1)
    return time.perf_counter() - start


def contention(clients, n_iter, size, repeats):
    """Per-pass milliseconds in 2 workers at once, with 1 and 2 torch threads each, alternating."""
    results = {1: [], 2: []}
    for _ in range(repeats):
        for n_threads, name in ((1, "2 workers"), (2, "2 workers, 2 torch threads")):
            load = os.getloadavg()[0]
            seconds = [f.result() for f in each_worker(clients[name], elementwise_ops, n_iter, size)]
            results[n_threads].append({"ms_per_pass": 1e3 * max(seconds) / n_iter, "load_1min": load})
    return results


def report(records, probe, args):
    summary = {
        name: {"median_s": statistics.median(r[0] for r in runs), "times_s": [r[0] for r in runs],
               "load_1min": [r[1] for r in runs]}
        for name, runs in records.items()
    }
    scores = {name: runs[0][2] for name, runs in records.items()}
    same = all(np.array_equal(s, scores["serial"]) for s in scores.values())
    median = {name: s["median_s"] for name, s in summary.items()}
    ratios = {
        "1 worker / 2 workers": median["1 worker"] / median["2 workers"],
        "serial / 2 workers": median["serial"] / median["2 workers"],
        "2 torch threads / 1 torch thread (2 workers)": median["2 workers, 2 torch threads"] / median["2 workers"],
    }
    for name, s in summary.items():
        loads = ", ".join(f"{load:.1f}" for load in s["load_1min"])
        print(f"{name:<28} median {s['median_s']:7.2f} s   runs {s['times_s']}   load {loads}")
    for name, ratio in ratios.items():
        print(f"{name:<46} {ratio:.2f}")
    print(f"same cv scores in every run: {same}")
    probe_ms = {n: statistics.median(r["ms_per_pass"] for r in runs) for n, runs in probe.items()}
    ratios["elementwise pass, 2 torch threads / 1 (2 workers)"] = probe_ms[2] / probe_ms[1]
    print(f"elementwise pass of 100,000 floats, 2 workers at once: {probe_ms[1]:.2f} ms with 1 torch thread, "
          f"{probe_ms[2]:.2f} ms with 2 ({probe_ms[2] / probe_ms[1]:.1f}x); runs {probe}")
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps({"n_images": args.n, "repeats": args.repeats, "cores": os.cpu_count(),
                                   "runs": summary, "ratios": ratios, "same_scores": same,
                                   "elementwise_probe": {"passes": args.passes, "size": 100_000, "runs": probe}}, indent=1))


if __name__ == "__main__":
    main()
