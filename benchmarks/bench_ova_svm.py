"""The paper's one-vs-all Gaussian SVM: MeanNormGaussianSVC (lockstep SMO) against LIBSVM precomputed.

Data: ``make_classification`` with 4,000 features (100 informative, the other 3,900 random linear
combinations of them, 2 Gaussian clusters per class, class_sep=1, 1 % flipped labels), 10 classes,
``--test-rows`` test rows, standardised on the training rows: the shape of the paper's CIFAR-10
features after OLS (200 atoms x 2 rounds x 10 classes = 4,000), and about as hard (74 % test
accuracy with 2,000 training rows). The model is the paper's:
sigma = mean norm of the training rows, C = 50, argmax of the 10 one-vs-all decision values.

- ``MeanNormGaussianSVC`` (``solver="torch"``): one float32 kernel, the 10 problems in lockstep,
  on ``--device``; its memory plan is printed before the fit starts.
- LIBSVM: scikit-learn's ``OneVsRestClassifier(SVC(kernel="precomputed", C=50))`` on the float64
  mean-norm Gaussian kernel (computed with :func:`skscat.svm.gaussian_kernel`, float64, included in
  its fit time; the test kernel is included in its predict time), on the CPU. Run only where its
  float64 kernel (8 n^2 bytes) fits ``--libsvm-max-gb``: at 50,000 rows it needs 20 GB, which a
  24 GB machine cannot hold beside the features, so that row is the torch solver alone.

Both run in this process, one after the other; peak RSS is the resident set at its highest during
each fit and each predict (sampled every millisecond), and its growth over the level before.
Results are written atomically to ``--out`` after each case (``<rows>_<device>``); cases already
there are skipped unless ``--force``.

Usage (from the repository root): ``OMP_NUM_THREADS=2 PYTHONPATH=. python benchmarks/bench_ova_svm.py --rows 10000 50000
[--device cuda]``
"""

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np
import torch
from sklearn.datasets import make_classification
from sklearn.multiclass import OneVsRestClassifier
from sklearn.svm import SVC

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import PeakRSS, current_rss_mib, print_table

from skscat.svm import MeanNormGaussianSVC, gaussian_kernel
from skscat.utils import atomic_write_text

N_FEATURES, N_CLASSES, C = 4000, 10, 50.0
GB = 1e9


def make_data(n_train, n_test, seed=0):
    """Standardised synthetic features, float64, split into train and test rows."""
    X, y = make_classification(
        n_samples=n_train + n_test,
        n_features=N_FEATURES,
        n_informative=100,
        n_redundant=N_FEATURES - 100,
        n_classes=N_CLASSES,
        n_clusters_per_class=2,
        class_sep=1.0,
        flip_y=0.01,
        random_state=seed,
    )
    mean, std = X[:n_train].mean(axis=0), X[:n_train].std(axis=0)
    X -= mean
    X /= std
    return X[:n_train], y[:n_train], X[n_train:], y[n_train:]


def measured(function):
    """(seconds, peak RSS GB, RSS growth GB, result) of one call."""
    before = current_rss_mib()
    with PeakRSS() as peak:
        start = time.perf_counter()
        out = function()
        seconds = time.perf_counter() - start
    return seconds, (before + peak.mib) * 2**20 / GB, peak.mib * 2**20 / GB, out


def run_ours(X, y, X_test, device):
    clf = MeanNormGaussianSVC(C=C, device=device)
    plan = clf.memory_plan(*X.shape, N_CLASSES)
    free = "unknown" if plan["free_bytes"] is None else f"{plan['free_bytes'] / GB:.2f} GB"
    print(
        f"memory plan: {plan['path']} on {plan['device']}: kernel {plan['kernel_bytes'] / GB:.2f} GB + "
        f"float32 features {plan['features_bytes'] / GB:.2f} GB + workspace {plan['workspace_bytes'] / GB:.2f} GB "
        f"= {plan['total_bytes'] / GB:.2f} GB (beside the {X.nbytes / GB:.2f} GB float64 training features); "
        f"free now {free}",
        flush=True,
    )
    if plan["device"].startswith("cuda"):
        torch.cuda.reset_peak_memory_stats()
    fit_s, fit_peak, fit_growth, _ = measured(lambda: clf.fit(X, y))
    predict_s, predict_peak, _, values = measured(lambda: clf.decision_function(X_test))
    row = {
        "impl": "MeanNormGaussianSVC (torch lockstep)",
        "device": clf.memory_plan_["device"],
        "solver_path": clf.solver_path_,
        "planned_gb": clf.memory_plan_["total_bytes"] / GB,
        "fit_s": fit_s,
        "predict_s": predict_s,
        "fit_peak_rss_gb": fit_peak,
        "fit_rss_growth_gb": fit_growth,
        "predict_peak_rss_gb": predict_peak,
        "max_smo_steps": int(clf.n_iter_.max()),
        "n_support": len(clf.support_),
    }
    if row["device"].startswith("cuda"):
        row["cuda_peak_gb"] = torch.cuda.max_memory_allocated() / GB
    return row, clf.classes_[values.argmax(axis=1)], values


def run_libsvm(X, y, X_test):
    gamma = 1.0 / (2.0 * np.linalg.norm(X, axis=1).mean() ** 2)
    center = X.mean(axis=0)
    model = OneVsRestClassifier(SVC(kernel="precomputed", C=C))

    def fit():
        model.fit(gaussian_kernel(X, X, gamma, center=center), y)

    def decide():
        return model.decision_function(gaussian_kernel(X_test, X, gamma, center=center))

    fit_s, fit_peak, fit_growth, _ = measured(fit)
    predict_s, predict_peak, _, values = measured(decide)
    row = {
        "impl": "LIBSVM precomputed (OneVsRest SVC)",
        "device": "cpu",
        "solver_path": "float64 precomputed kernel",
        "planned_gb": 8 * len(X) ** 2 / GB,
        "fit_s": fit_s,
        "predict_s": predict_s,
        "fit_peak_rss_gb": fit_peak,
        "fit_rss_growth_gb": fit_growth,
        "predict_peak_rss_gb": predict_peak,
        "max_smo_steps": int(max(e.n_iter_[0] for e in model.estimators_)),
        "n_support": int(np.unique(np.concatenate([e.support_ for e in model.estimators_])).size),
    }
    return row, model.classes_[values.argmax(axis=1)], values


def run_case(n_train, n_test, device, libsvm_max_gb):
    print(
        f"--- {n_train} x {N_FEATURES}, {N_CLASSES} classes, {n_test} test rows, device={device}", flush=True
    )
    X, y, X_test, y_test = make_data(n_train, n_test)
    result = {
        "n_train": n_train,
        "n_test": n_test,
        "n_features": N_FEATURES,
        "torch_threads": torch.get_num_threads(),
        "omp_num_threads": os.environ.get("OMP_NUM_THREADS"),
        "load_average_at_start": os.getloadavg()[0],
        "rows": [],
    }
    ours, ours_pred, ours_values = run_ours(X, y, X_test, device)
    ours["accuracy"] = float((ours_pred == y_test).mean())
    ours["load_average_after"] = os.getloadavg()[0]
    result["rows"].append(ours)
    print(json.dumps(ours), flush=True)
    libsvm_gb = 8 * n_train**2 / GB
    if libsvm_gb > libsvm_max_gb:
        result["libsvm_skipped"] = (
            f"LIBSVM's float64 precomputed kernel needs {libsvm_gb:.1f} GB (8 n^2 bytes), more than "
            f"--libsvm-max-gb={libsvm_max_gb:g} GB beside the {X.nbytes / GB:.1f} GB of features"
        )
        print(result["libsvm_skipped"], flush=True)
        return result
    reference, ref_pred, ref_values = run_libsvm(X, y, X_test)
    reference["accuracy"] = float((ref_pred == y_test).mean())
    reference["load_average_after"] = os.getloadavg()[0]
    result["rows"].append(reference)
    print(json.dumps(reference), flush=True)
    gap = np.abs(ours_values - ref_values).max()
    result["identical_predictions"] = float((ours_pred == ref_pred).mean())
    result["max_abs_decision_gap"] = float(gap)
    result["max_gap_relative_to_scale"] = float(gap / np.abs(ref_values).max())
    return result


def print_results(results):
    header = [
        "rows x features",
        "implementation",
        "device (threads)",
        "solver",
        "fit s",
        "predict s",
        "peak RSS fit GB",
        "test acc.",
        "same pred. as LIBSVM",
    ]
    table = []
    for res in results.values():
        for row in res["rows"]:
            same = res.get("identical_predictions")
            same_text = "" if same is None or row["impl"].startswith("LIBSVM") else f"{100 * same:.2f} %"
            table.append(
                [
                    f"{res['n_train']} x {res['n_features']}",
                    row["impl"],
                    f"{row['device']} ({res['torch_threads']})",
                    row["solver_path"],
                    f"{row['fit_s']:.1f}",
                    f"{row['predict_s']:.1f}",
                    f"{row['fit_peak_rss_gb']:.2f}",
                    f"{100 * row['accuracy']:.1f} %",
                    same_text,
                ]
            )
        if "libsvm_skipped" in res:
            table.append(
                [
                    f"{res['n_train']} x {res['n_features']}",
                    "LIBSVM precomputed",
                    "",
                    "not run",
                    "",
                    "",
                    "",
                    "",
                    res["libsvm_skipped"],
                ]
            )
    print_table(header, table)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", nargs="+", type=int, default=[10000, 50000], help="training rows per case")
    parser.add_argument("--test-rows", type=int, default=2000)
    parser.add_argument("--device", default="cpu", help='"cpu", "cuda", "auto" (MeanNormGaussianSVC only)')
    parser.add_argument(
        "--libsvm-max-gb",
        type=float,
        default=8.0,
        help="largest float64 precomputed kernel to give LIBSVM (GB)",
    )
    parser.add_argument("--out", default="benchmarks/results/bench_ova_svm.json")
    parser.add_argument("--force", action="store_true", help="rerun cases already in --out")
    args = parser.parse_args(argv)
    out = Path(args.out)
    results = json.loads(out.read_text()) if out.exists() else {}
    print(f"torch {torch.__version__}, {torch.get_num_threads()} CPU thread(s)", flush=True)
    for n_train in args.rows:
        key = f"{n_train}_{torch.device(args.device).type if args.device != 'auto' else 'auto'}"
        if key in results and not args.force:
            print(f"{key}: already in {out}, skipped (use --force)")
            continue
        results[key] = run_case(n_train, args.test_rows, args.device, args.libsvm_max_gb)
        atomic_write_text(out, json.dumps(results, indent=1))
    print_results(results)


if __name__ == "__main__":
    main()
