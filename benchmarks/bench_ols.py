"""OrthogonalLeastSquaresSelector beside a direct NumPy transcription of ScatNetLight's ``ols.m``.

Cases (synthetic float32 data: standard normal noise plus a random mean per class,
labels balanced):

- ``small`` (default): 2,000 x 8,192, 10 classes, D=50 atoms per class, 2 rounds; the
  transcription runs the whole problem, and both must select the same atoms.
- ``cifar10``: the paper's CIFAR-10 shapes, 10,000 x 113,712, 10 classes, D=200, 2 rounds
  (about 5 GB; the script prints its memory plan first). The transcription would take
  hours here, so it runs on the first 4,096 columns for 2 classes (both rounds) and its time is
  extrapolated linearly in columns and classes (each of its steps costs O(n_samples x
  n_columns) per class); its peak memory likewise, as the table says. Its round-0 atoms
  for those 2 classes are checked against the selector's on the same columns.

The OLS step is ``fit_transform`` of the training rows (selection, QR of the selected
columns, reduced training features); ``transform`` of held-out rows is timed apart. Peak
memory is the resident-set growth above the level before the call (sampled every
millisecond; the training matrix already counts in that level) and the process's peak RSS.

The transcription follows ``ols.m`` step by step in NumPy (vectorised over columns): it
normalises a copy of the matrix, and at every step computes the residual's inner products
with all the columns, takes the first maximum of their absolute values (chosen columns are
NaN, which ``max`` skips), orthogonalises every column against the new direction and
renormalises them all; ``pls_multiclass_v2_noparfor.m`` calls it once per class, and each
round drops the union of the earlier rounds' atoms (a copy of the remaining columns).

Usage: ``python benchmarks/bench_ols.py [--cases small cifar10] [--device cpu] [--threads 2]``.
From other code (the GPU check): ``main(case="small", device="cuda")`` returns the result.
"""

import argparse
import os
import resource
import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import PeakRSS, print_table, read_results

from skscat.feature_selection import OrthogonalLeastSquaresSelector
from skscat.utils import resolve_device, write_record

CASES = {
    "small": {
        "n_train": 2000,
        "n_test": 500,
        "n_features": 8192,
        "n_classes": 10,
        "n_atoms": 50,
        "n_rounds": 2,
        "transcription_columns": 8192,
        "transcription_classes": 10,
    },
    "cifar10": {
        "n_train": 10000,
        "n_test": 2000,
        "n_features": 113712,
        "n_classes": 10,
        "n_atoms": 200,
        "n_rounds": 2,
        "transcription_columns": 4096,
        "transcription_classes": 2,
    },
}
_GIB = 2**30


def make_data(n_train, n_test, n_features, n_classes, seed=0):
    """Standard normal float32 rows plus a random mean per class, built in place (no temporaries)."""
    generator = torch.Generator().manual_seed(seed)
    X = np.empty((n_train + n_test, n_features), dtype=np.float32)
    rows = torch.from_numpy(X)
    means = 0.3 * torch.randn((n_classes, n_features), generator=generator)
    y = np.arange(n_train + n_test) % n_classes
    for start in range(0, len(X), 256):
        block = rows[start : start + 256]
        block.normal_(generator=generator)
        block += means[torch.from_numpy(y[start : start + 256])]
    return X[:n_train], y[:n_train], X[n_train:], y[n_train:]


def ols_m(f, Phi, M):
    """``ols.m`` transcribed to NumPy: the indices of M atoms for target f in dictionary Phi."""
    Phi = Phi / np.sqrt((Phi**2).sum(axis=0))
    residual = f.astype(Phi.dtype)
    lam = Phi.copy()
    atoms = []
    with np.errstate(invalid="ignore", divide="ignore"):
        for _ in range(min(M, *Phi.shape)):
            if len(atoms) and np.linalg.norm(residual) <= np.finfo(np.float64).eps:
                break
            ip = residual @ lam
            index = int(np.nanargmax(np.abs(ip)))  # MATLAB's max: first maximum, NaN skipped
            atoms.append(index)
            q = lam[:, index].copy()
            lam[:, index] = 0.0
            lam -= np.outer(q, q @ lam)
            lam /= np.sqrt((lam**2).sum(axis=0))  # the chosen column becomes 0/0 = NaN
            residual = residual - (residual @ q) * q
    return np.asarray(atoms)


def transcription_rounds(X, y, n_atoms, n_rounds, classes):
    """``pls_multiclass_v2_noparfor.m`` per round for ``classes``, atoms as original indices."""
    remaining = np.arange(X.shape[1])
    data = X
    rounds = []
    K = len(np.unique(y))
    for _ in range(n_rounds):
        per_class = []
        for label in classes:
            target = np.where(y == label, float(K), 0.0)
            per_class.append(remaining[ols_m(target - target.mean(), data, n_atoms)])
        rounds.append(per_class)
        remaining = np.setdiff1d(remaining, np.concatenate(per_class))
        data = X[:, remaining]
    return np.asarray(rounds)


def memory_plan(spec):
    """Bytes the case needs: the data, the selector's state on top, and the transcription's
    column subset with its two normalised copies and one temporary of the same size."""
    n, p, K, D = spec["n_train"], spec["n_features"], spec["n_classes"], spec["n_atoms"]
    data = 4 * (n + spec["n_test"]) * p
    # numerators, gaps, scores and overlaps (float64) and the admissible mask per class and column;
    # the orthonormal basis of a round (float64); the reduced training features (float32)
    state = K * p * (4 * 8 + 1) + K * D * n * 8 + 4 * n * K * D * spec["n_rounds"]
    transcription = 4 * 4 * n * spec["transcription_columns"]
    return data, state, transcription


def run_selector(spec, X, y, X_test, device, batch_size):
    ols = OrthogonalLeastSquaresSelector(
        n_atoms_per_class=spec["n_atoms"],
        n_rounds=spec["n_rounds"],
        device=device,
        batch_size=batch_size,
        verbose=True,
    )
    with PeakRSS() as peak:
        start = time.perf_counter()
        features = ols.fit_transform(X, y)
        fit_s = time.perf_counter() - start
    start = time.perf_counter()
    test_features = ols.transform(X_test)
    return ols, {
        "fit_transform_s": fit_s,
        "transform_test_s": time.perf_counter() - start,
        "peak_growth_mib": peak.mib,
        "output_shape": list(features.shape),
        "test_output_shape": list(test_features.shape),
    }


def run_transcription(spec, X, y):
    columns, n_classes = spec["transcription_columns"], spec["transcription_classes"]
    subset = np.ascontiguousarray(X[:, :columns])
    with PeakRSS() as peak:
        start = time.perf_counter()
        atoms = transcription_rounds(subset, y, spec["n_atoms"], spec["n_rounds"], range(n_classes))
        measured = time.perf_counter() - start
    scale = (spec["n_features"] / columns) * (spec["n_classes"] / n_classes)
    return (
        atoms,
        subset,
        {
            "columns": columns,
            "classes": n_classes,
            "measured_s": measured,
            "extrapolated_s": measured * scale,
            "extrapolated": scale != 1,
            "peak_growth_mib": peak.mib,
            "peak_growth_mib_extrapolated": peak.mib * spec["n_features"] / columns,
        },
    )


def check_atoms(spec, ols, X, y, atoms, subset, device, batch_size):
    """Share of the transcription's atoms the selector also selects (same columns, same order)."""
    if subset.shape[1] == X.shape[1]:
        ours = ols.selected_features_[:, : atoms.shape[1]]
    else:  # round 0 only: later rounds depend on every class's atoms
        small = OrthogonalLeastSquaresSelector(
            n_atoms_per_class=spec["n_atoms"], n_rounds=1, device=device, batch_size=batch_size
        ).fit(subset, y)
        ours, atoms = small.selected_features_[:, : atoms.shape[1]], atoms[:1]
    return float((ours == atoms).mean())


def main(case="small", device="auto", threads=None, transcription=True, batch_size=4096):
    """Run one case; return its result as a dict (the GPU check calls this).

    Parameters
    ----------
    case : {"small", "cifar10"}
    device : str
        The selector's device; the transcription always runs on the CPU.
    threads : int, optional
        torch CPU threads (default: leave torch's setting).
    transcription : bool
        Also run (and time) the NumPy transcription of ``ols.m``.
    batch_size : int
        The selector's ``batch_size``.
    """
    spec = CASES[case]
    if threads is not None:
        torch.set_num_threads(threads)
    device = str(resolve_device(device))
    data, state, subset = memory_plan(spec)
    peak = data + max(state, subset if transcription else 0)
    print(
        f"[{case}] memory plan: data {data / _GIB:.2f} GiB (train + test, float32), then the selector's "
        f"state {state / _GIB:.2f} GiB, then the transcription {subset / _GIB:.2f} GiB: peak about "
        f"{peak / _GIB:.2f} GiB; device={device}, torch threads={torch.get_num_threads()}",
        flush=True,
    )
    X, y, X_test, _ = make_data(spec["n_train"], spec["n_test"], spec["n_features"], spec["n_classes"])
    ols, result = run_selector(spec, X, y, X_test, device, batch_size)
    result.update(
        case=case,
        device=device,
        threads=torch.get_num_threads(),
        batch_size=batch_size,
        shape=f"{spec['n_train']}x{spec['n_features']}",
        classes=spec["n_classes"],
        atoms=spec["n_atoms"],
        rounds=spec["n_rounds"],
    )
    if transcription:
        atoms, subset, result["transcription"] = run_transcription(spec, X, y)
        result["transcription"]["same_atoms"] = check_atoms(
            spec, ols, X, y, atoms, subset, device, batch_size
        )
        result["speedup"] = result["transcription"]["extrapolated_s"] / result["fit_transform_s"]
    result["process_peak_rss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    result["load_average_1min_at_end"] = os.getloadavg()[0]  # the development machine is shared
    return result


def print_results(results):
    header = [
        "case",
        "device",
        "threads",
        "fit_transform (s)",
        "peak growth (MiB)",
        "transform test (s)",
        "ols.m NumPy (s)",
        "ols.m peak growth (MiB)",
        "speed-up",
        "same atoms",
    ]
    rows = []
    for r in results.values():
        t = r.get("transcription", {})
        mark = " (extrapolated)" if t.get("extrapolated") else ""
        rows.append(
            [
                r["case"],
                r["device"],
                r["threads"],
                f"{r['fit_transform_s']:.1f}",
                f"{r['peak_growth_mib']:.0f}",
                f"{r['transform_test_s']:.2f}",
                f"{t.get('extrapolated_s', float('nan')):.0f}{mark}",
                f"{t.get('peak_growth_mib_extrapolated', float('nan')):.0f}{mark}",
                f"{r.get('speedup', float('nan')):.1f}x",
                t.get("same_atoms", "-"),
            ]
        )
    print_table(header, rows)


def cli(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", nargs="+", default=["small"], choices=sorted(CASES))
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--batch-size", type=int, default=4096)
    parser.add_argument("--no-transcription", action="store_true")
    parser.add_argument("--out", default="benchmarks/results/bench_ols.json")
    args = parser.parse_args(argv)
    out = Path(args.out)
    results = read_results(out, {})
    for case in args.cases:  # timings are measured anew at every run: nothing is reused
        result = main(case, args.device, args.threads, not args.no_transcription, args.batch_size)
        results[f"{case}-{result['device']}-{result['threads']}t"] = result
        write_record(out, results)
    print_results(results)


if __name__ == "__main__":
    cli()
