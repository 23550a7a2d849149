"""TorchSVC against sklearn.svm.SVC, side by side in one process.

Cases (make_classification, n_informative=50, 10 classes, C=10, gamma="scale"):

- ``full``: 5,000 x 2,000 train, 1,000 test rows; the kernel fits cache_size=200 MB.
- ``cifar``: scattering features (J=2, L=8, no pooling: 3 x 81 x 8 x 8 = 15,552) of the
  first 2,000 + 1,000 images of the real CIFAR-10 subset (``--data-home``).
- ``decomposition``: 20,000 x 1,000 train, 1,000 test rows; neither the 1.6 GB kernel nor the
  45 pair kernels (64 MB each, 15 batches) fit cache_size=200 MB, so TorchSVC runs its
  working-set decomposition (45 pairs in lockstep, 256-row working sets); SVC gets the same
  cache_size.
- ``cuda``: 50,000 x 4,000 train on CUDA (only when CUDA is available);
  TorchSVC gets cache_size=20,000 MB, SVC is timed on a subsample and its
  fit time extrapolated quadratically, as the table says.

sklearn's SVC (LIBSVM) is single-threaded; TorchSVC runs with 1 and with
``--threads`` torch CPU threads, and the table names the thread count of every
row. Each timing is the median of ``--repeats`` rounds; in each round TorchSVC
(1 thread), TorchSVC (``--threads``) and SVC fit and predict in turn, in this
process. Peak memory is the resident-set growth during a fit (sampled every
millisecond), median over rounds. Each TorchSVC row names the solver path its
fit took. Results are written atomically to ``--out`` after each case; cases
already there are skipped (resume) unless ``--force`` is given.

Usage: ``python benchmarks/bench_svm.py [--cases full decomposition] [--repeats 3]``
"""

import argparse
import contextlib
import io
import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import torch
from sklearn.datasets import make_classification
from sklearn.svm import SVC

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import PeakRSS, print_table

from skscat.svm import TorchSVC
from skscat.utils import atomic_write_text

CASES = {
    "full": {"n_train": 5000, "n_features": 2000, "cache_size": 200, "device": "cpu"},
    "cifar": {"n_train": 2000, "n_features": None, "cache_size": 200, "device": "cpu"},
    "decomposition": {"n_train": 20000, "n_features": 1000, "cache_size": 200, "device": "cpu"},
    "cuda": {"n_train": 50000, "n_features": 4000, "cache_size": 20000, "device": "cuda",
              "svc_subsample": 10000},
}
N_TEST = 1000


def make_data(n_train, n_features, data_home=None):
    if n_features is None:
        return cifar_scattering(n_train, data_home)
    X, y = make_classification(
        n_samples=n_train + N_TEST, n_features=n_features, n_informative=50, n_classes=10, random_state=0
    )
    return X[:n_train], y[:n_train], X[n_train:], y[n_train:]


def cifar_scattering(n_train, data_home):
    from skscat.datasets import load_cifar10
    from skscat.scattering import ScatteringTransformer

    images, y = load_cifar10(data_home, subset="train", return_X_y=True)
    images, y = images[: n_train + N_TEST], y[: n_train + N_TEST]
    X = ScatteringTransformer(J=2, device="cpu").fit_transform(images).astype(np.float64)
    return X[:n_train], y[:n_train], X[n_train:], y[n_train:]


def timed(function):
    start = time.perf_counter()
    out = function()
    return time.perf_counter() - start, out


def pair_objectives(model, X):
    """LIBSVM's dual objective per pair, ``1/2 c^T K c - sum |c|``, in float64 for any fitted SVC."""
    sv = X[model.support_]
    sq = (sv * sv).sum(1)
    K = np.exp(-model._gamma * np.maximum(sq[:, None] + sq[None, :] - 2 * sv @ sv.T, 0))
    starts = np.concatenate([[0], np.cumsum(model.n_support_)])
    k = len(model.classes_)
    dual = model._dual_coef_
    out = []
    for a in range(k):
        for b in range(a + 1, k):
            coef = np.zeros(sv.shape[0])
            coef[starts[a] : starts[a + 1]] = dual[b - 1, starts[a] : starts[a + 1]]
            coef[starts[b] : starts[b + 1]] = dual[a, starts[b] : starts[b + 1]]
            out.append(0.5 * coef @ K @ coef - np.abs(coef).sum())
    return np.array(out)


def fit_once(model, X, y, X_test):
    """Fit and predict once: (fit seconds, predict seconds, peak RSS growth during fit in MiB)."""
    with PeakRSS() as peak, contextlib.redirect_stdout(io.StringIO()) as log:
        fit_s, _ = timed(lambda: model.fit(X, y))
    model.solver_log = log.getvalue().strip()  # TorchSVC(verbose=True) names its solver path
    return fit_s, timed(lambda: model.predict(X_test))[0], peak.mib


def alternate(makers, data, repeats):
    """Run every (threads, make_model) in turn, ``repeats`` rounds; return medians and the last models."""
    times = {key: [] for key in makers}
    models = {}
    for _ in range(repeats):
        for key, (n_threads, make, n_rows) in makers.items():
            torch.set_num_threads(n_threads)
            X, y, X_test = data[0][:n_rows], data[1][:n_rows], data[2]
            models[key] = make()
            times[key].append(fit_once(models[key], X, y, X_test))
    medians = {key: [statistics.median(column) for column in zip(*values)] for key, values in times.items()}
    return medians, models


def compare(reference, candidate, X, X_test, y_test):
    same = float((reference.predict(X_test) == candidate.predict(X_test)).mean())
    dec_ref = reference.decision_function(X_test)
    dec_new = candidate.decision_function(X_test)
    reference.set_params(decision_function_shape="ovo")
    candidate.set_params(decision_function_shape="ovo")
    ovo_ref, ovo_new = reference.decision_function(X_test), candidate.decision_function(X_test)
    reference.set_params(decision_function_shape="ovr")
    candidate.set_params(decision_function_shape="ovr")
    obj_ref, obj_new = pair_objectives(reference, X), pair_objectives(candidate, X)
    return {
        "identical_predictions": same,
        "max_abs_decision_diff_ovr": float(np.abs(dec_ref - dec_new).max()),
        "max_abs_decision_diff_ovo": float(np.abs(ovo_ref - ovo_new).max()),
        "pairwise_sign_flips": int(((ovo_ref > 0) != (ovo_new > 0)).sum()),
        "max_abs_svc_value_at_flips": float(np.abs(ovo_ref[(ovo_ref > 0) != (ovo_new > 0)]).max(initial=0.0)),
        "decision_scale": float(np.abs(dec_ref).max()),
        "max_rel_objective_diff": float(np.max(np.abs(obj_new - obj_ref) / np.abs(obj_ref))),
        "accuracy_svc": float((reference.predict(X_test) == y_test).mean()),
        "accuracy_torch": float((candidate.predict(X_test) == y_test).mean()),
    }


def run_case(name, spec, repeats, threads, data_home):
    """TorchSVC (1 and ``threads`` torch threads) and SVC, alternating, then ratios and parity figures."""
    X, y, X_test, y_test = make_data(spec["n_train"], spec["n_features"], data_home)
    result = {"case": name, "shape": f"{X.shape[0]}x{X.shape[1]}x10", "rows": []}
    thread_counts = sorted({1, threads}) if spec["device"] == "cpu" else [threads]
    n_svc = spec.get("svc_subsample", spec["n_train"])
    def torch_svc():
        return TorchSVC(C=10, cache_size=spec["cache_size"], device=spec["device"], verbose=True)

    makers = {n: (n, torch_svc, len(X))
              for n in thread_counts}
    makers["svc"] = (1, lambda: SVC(C=10), n_svc)
    medians, models = alternate(makers, (X, y, X_test), repeats)
    svc_fit, svc_predict, svc_mem = medians["svc"]
    if n_svc < spec["n_train"]:
        svc_fit *= (spec["n_train"] / n_svc) ** 2
        svc_predict *= spec["n_train"] / n_svc
    result["svc"] = {"fit_s": svc_fit, "predict_s": svc_predict, "peak_mib": svc_mem, "extrapolated_from": n_svc}
    for n_threads in thread_counts:
        fit_s, predict_s, mem = medians[n_threads]
        row = {"threads": n_threads, "fit_s": fit_s, "predict_s": predict_s, "peak_mib": mem,
               "max_smo_steps": int(models[n_threads].n_iter_.max()),
               "solver": models[n_threads].solver_log.split(", ")[1],
               "fit_speedup": svc_fit / fit_s, "predict_speedup": svc_predict / predict_s}
        if n_svc == spec["n_train"]:
            row.update(compare(models["svc"], models[n_threads], X, X_test, y_test))
        result["rows"].append(row)
        print(json.dumps(row), flush=True)
    return result


def print_results(results):
    header = ["case", "impl (threads)", "solver", "fit s", "predict 1k s", "fit x", "predict x", "peak MiB",
              "same pred", "max ovo |dec diff|", "obj rel diff"]
    rows = []
    for res in results.values():
        svc = res["svc"]
        extrapolated = svc["extrapolated_from"] < int(res["shape"].split("x")[0])
        note = f" (extrap. from {svc['extrapolated_from']})" if extrapolated else ""
        rows.append([res["shape"], f"SVC (1){note}", "LIBSVM", f"{svc['fit_s']:.2f}", f"{svc['predict_s']:.2f}", "1", "1",
                     f"{svc['peak_mib']:.0f}", "", "", ""])
        for r in res["rows"]:
            rows.append([res["shape"], f"TorchSVC ({r['threads']})", r.get("solver", ""), f"{r['fit_s']:.2f}", f"{r['predict_s']:.3f}",
                         f"{r['fit_speedup']:.1f}", f"{r['predict_speedup']:.1f}", f"{r['peak_mib']:.0f}",
                         f"{100 * r.get('identical_predictions', float('nan')):.2f} %",
                         f"{r.get('max_abs_decision_diff_ovo', float('nan')):.1e}",
                         f"{r.get('max_rel_objective_diff', float('nan')):.1e}"])
    print_table(header, rows)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", nargs="+", default=["full", "cifar", "decomposition", "cuda"], choices=sorted(CASES))
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2, help="torch CPU threads for the second TorchSVC row")
    parser.add_argument("--out", default="benchmarks/results/bench_svm.json")
    parser.add_argument("--force", action="store_true", help="rerun the named cases even if already in --out")
    parser.add_argument("--data-home", default=str(Path(__file__).resolve().parents[2] / "shared" / "data"))
    args = parser.parse_args(argv)
    out = Path(args.out)
    results = json.loads(out.read_text()) if out.exists() else {}
    print(f"torch {torch.__version__}; SVC (LIBSVM) single-threaded; TorchSVC threads: 1 and {args.threads}")
    for name in args.cases:
        if name == "cuda" and not torch.cuda.is_available():
            print("cuda: skipped (no CUDA device)")
            continue
        if name in results and not args.force:
            print(f"{name}: already in {out}, skipped (use --force)")
            continue
        results[name] = run_case(name, CASES[name], args.repeats, args.threads, args.data_home)
        atomic_write_text(out, json.dumps(results, indent=1))
    print_results(results)


if __name__ == "__main__":
    main()
