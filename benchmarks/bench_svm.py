"""TorchSVC against scikit-learn-intelex's SVC (oneDAL) and sklearn.svm.SVC, side by side in one process.

Cases (make_classification, n_informative=min(50, n_features // 2), C=10, gamma="scale",
1,000 test rows), the sizes of issue 14's table:

- ``1000x60x2``: binary; ``2000x500x10``; ``5000x2000x10`` (the kernel fits cache_size=200 MB);
  ``6000x1500x10``; ``16000x800x8``; ``20000x1000x10`` (the working-set decomposition:
  neither the kernel nor the pair kernels in four batches fit 200 MB). SVC (LIBSVM) runs up to
  5,000 rows only (26 s there, minutes beyond).
- ``cifar``: scattering features (J=2, L=8, no pooling: 3 x 81 x 8 x 8 = 15,552) of the
  first 2,000 + 1,000 images of the real CIFAR-10 subset (``--data-home``).
- ``cuda``: 50,000 x 4,000 train on CUDA (only when CUDA is available);
  TorchSVC gets cache_size=20,000 MB, SVC is timed on a subsample and its
  fit time extrapolated quadratically, as the table says.

Every implementation runs with the same ``--threads`` CPU threads (torch for TorchSVC, oneDAL
for sklearnex; LIBSVM is single-threaded). Each timing is the median of ``--repeats`` rounds;
in each round the implementations fit and predict in turn, in this process. Peak memory is the
resident-set growth during a fit (sampled every millisecond), median over rounds. Each TorchSVC
row names the solver path its fit took (``solver_path_``) and its prediction agreement with every
peer. Results are written atomically to ``--out`` after each case; cases already there are
skipped (resume) unless ``--force`` is given.

Usage: ``python benchmarks/bench_svm.py [--cases 1000x60x2 2000x500x10] [--repeats 3]``
"""

import argparse
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
from skscat.svm._diagnostics import pair_dual_objectives
from skscat.utils import atomic_write_text

CASES = {
    "1000x60x2": {"n_train": 1000, "n_features": 60, "n_classes": 2, "cache_size": 200, "device": "cpu"},
    "2000x500x10": {"n_train": 2000, "n_features": 500, "n_classes": 10, "cache_size": 200, "device": "cpu"},
    "5000x2000x10": {"n_train": 5000, "n_features": 2000, "n_classes": 10, "cache_size": 200, "device": "cpu"},
    "6000x1500x10": {"n_train": 6000, "n_features": 1500, "n_classes": 10, "cache_size": 200, "device": "cpu",
                     "svc": False},
    "16000x800x8": {"n_train": 16000, "n_features": 800, "n_classes": 8, "cache_size": 200, "device": "cpu",
                    "svc": False},
    "20000x1000x10": {"n_train": 20000, "n_features": 1000, "n_classes": 10, "cache_size": 200, "device": "cpu",
                      "svc": False},
    "cifar": {"n_train": 2000, "n_features": None, "n_classes": 10, "cache_size": 200, "device": "cpu"},
    "cuda": {"n_train": 50000, "n_features": 4000, "n_classes": 10, "cache_size": 20000, "device": "cuda",
             "svc_subsample": 10000},
}
CPU_CASES = [name for name, spec in CASES.items() if spec["device"] == "cpu"]
N_TEST = 1000


def make_data(n_train, n_features, data_home=None, n_classes=10):
    if n_features is None:
        return cifar_scattering(n_train, data_home)
    X, y = make_classification(
        n_samples=n_train + N_TEST, n_features=n_features, n_informative=min(50, n_features // 2),
        n_classes=n_classes, random_state=0,
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


def fit_once(model, X, y, X_test):
    """Fit and predict once: (fit seconds, predict seconds, peak RSS growth during fit in MiB)."""
    with PeakRSS() as peak:
        fit_s, _ = timed(lambda: model.fit(X, y))
    # "<estimator>, <solver path>": benchmarks/_gpu_parts.py reads the path after the comma
    peer = "oneDAL" if type(model).__module__.startswith(("sklearnex", "daal4py", "onedal")) else "LIBSVM"
    model.solver_log = f"{type(model).__name__}, {getattr(model, 'solver_path_', peer)}"
    return fit_s, timed(lambda: model.predict(X_test))[0], peak.mib


def alternate(makers, data, repeats):
    """Run every (threads, make_model, n_rows) in turn, ``repeats`` rounds; return medians and the last models."""
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


def sklearnex_svc():
    """``sklearnex.svm.SVC`` (oneDAL), or None when scikit-learn-intelex is not installed."""
    try:
        from sklearnex.svm import SVC as IntelSVC
    except ImportError:
        return None
    return IntelSVC


def set_onedal_threads(n_threads):
    try:
        import daal4py
    except ImportError:
        return
    daal4py.daalinit(n_threads)


def compare(reference, candidate, X, X_test, y_test):
    same = float((reference.predict(X_test) == candidate.predict(X_test)).mean())
    dec_ref = reference.decision_function(X_test)
    dec_new = candidate.decision_function(X_test)
    reference.set_params(decision_function_shape="ovo")
    candidate.set_params(decision_function_shape="ovo")
    ovo_ref, ovo_new = reference.decision_function(X_test), candidate.decision_function(X_test)
    reference.set_params(decision_function_shape="ovr")
    candidate.set_params(decision_function_shape="ovr")
    obj_ref, obj_new = pair_dual_objectives(reference, X), pair_dual_objectives(candidate, X)
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
    """TorchSVC, sklearnex's SVC and SVC (``threads`` threads each where they use threads), alternating."""
    X, y, X_test, y_test = make_data(spec["n_train"], spec["n_features"], data_home, spec.get("n_classes", 10))
    result = {"case": name, "shape": f"{X.shape[0]}x{X.shape[1]}x{len(np.unique(y))}", "threads": threads,
              "rows": []}
    n_svc = spec.get("svc_subsample", spec["n_train"])
    makers = {"torch": (threads, lambda: TorchSVC(C=10, cache_size=spec["cache_size"], device=spec["device"]),
                        len(X))}
    intel = sklearnex_svc()
    if intel is not None and spec["device"] == "cpu":
        set_onedal_threads(threads)
        makers["sklearnex"] = (threads, lambda: intel(C=10, cache_size=spec["cache_size"]), len(X))
    if spec.get("svc", True):
        makers["svc"] = (1, lambda: SVC(C=10, cache_size=spec["cache_size"]), n_svc)
    medians, models = alternate(makers, (X, y, X_test), repeats)
    for key in makers:
        fit_s, predict_s, mem = medians[key]
        row = {"impl": key, "fit_s": fit_s, "predict_s": predict_s, "peak_mib": mem,
               "solver": models[key].solver_log.split(", ")[1]}
        if key == "svc" and n_svc < spec["n_train"]:
            row.update(fit_s=fit_s * (spec["n_train"] / n_svc) ** 2, predict_s=predict_s * spec["n_train"] / n_svc,
                       extrapolated_from=n_svc)
        if key == "torch":
            row["max_smo_steps"] = int(models[key].n_iter_.max())
        result["rows"].append(row)
    torch_row = result["rows"][0]
    for row in result["rows"][1:]:
        torch_row[f"fit_speedup_vs_{row['impl']}"] = row["fit_s"] / torch_row["fit_s"]
        torch_row[f"predict_speedup_vs_{row['impl']}"] = row["predict_s"] / torch_row["predict_s"]
        if "extrapolated_from" not in row:
            same = (models[row["impl"]].predict(X_test) == models["torch"].predict(X_test)).mean()
            torch_row[f"same_predictions_as_{row['impl']}"] = float(same)
    if "svc" in models and n_svc == spec["n_train"]:
        torch_row.update(compare(models["svc"], models["torch"], X, X_test, y_test))
    # benchmarks/_gpu_parts.py reads these two (the CUDA case: TorchSVC against SVC)
    result["svc"] = next((r for r in result["rows"] if r["impl"] == "svc"), None)
    if result["svc"] is not None:
        result["svc"].setdefault("extrapolated_from", spec["n_train"])
        torch_row["fit_speedup"] = torch_row["fit_speedup_vs_svc"]
        torch_row["predict_speedup"] = torch_row["predict_speedup_vs_svc"]
    result["rows"] = [torch_row] + result["rows"][1:]
    print(json.dumps(result["rows"]), flush=True)
    return result


def print_results(results):
    header = ["case", "impl", "solver", "fit s", "predict 1k s", "TorchSVC fit x", "TorchSVC predict x",
              "peak MiB", "same pred as TorchSVC"]
    rows = []
    for res in results.values():
        if "threads" not in res:  # a result of the previous version of this script
            continue
        torch_row = res["rows"][0]
        for r in res["rows"]:
            impl = r["impl"]
            note = f" (extrap. from {r['extrapolated_from']})" if r.get("extrapolated_from", res_rows(res)) < res_rows(res) else ""
            fit_x = "1" if impl == "torch" else f"{torch_row.get('fit_speedup_vs_' + impl, float('nan')):.2f}"
            pred_x = "1" if impl == "torch" else f"{torch_row.get('predict_speedup_vs_' + impl, float('nan')):.1f}"
            same = torch_row.get(f"same_predictions_as_{impl}")
            rows.append([res["shape"], f"{impl} ({res['threads'] if impl != 'svc' else 1}){note}", r["solver"],
                         f"{r['fit_s']:.2f}", f"{r['predict_s']:.3f}", fit_x, pred_x, f"{r['peak_mib']:.0f}",
                         "" if same is None else f"{100 * same:.2f} %"])
    print_table(header, rows)


def res_rows(res):
    return int(res["shape"].split("x")[0])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", nargs="+", default=[*CPU_CASES, "cuda"], choices=sorted(CASES))
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2, help="CPU threads of TorchSVC (torch) and sklearnex (oneDAL)")
    parser.add_argument("--out", default="benchmarks/results/bench_svm.json")
    parser.add_argument("--force", action="store_true", help="rerun the named cases even if already in --out")
    parser.add_argument("--cache-size", type=float, default=None,
                        help="cache_size (MB) for every implementation instead of the case's; recorded as <case>@<MB>")
    parser.add_argument("--data-home", default=str(Path(__file__).resolve().parents[2] / "shared" / "data"))
    args = parser.parse_args(argv)
    out = Path(args.out)
    results = json.loads(out.read_text()) if out.exists() else {}
    print(f"torch {torch.__version__}; SVC (LIBSVM) single-threaded; TorchSVC and sklearnex: {args.threads} threads")
    for name in args.cases:
        if name == "cuda" and not torch.cuda.is_available():
            print("cuda: skipped (no CUDA device)")
            continue
        spec, key = CASES[name], name
        if args.cache_size is not None:
            spec, key = dict(spec, cache_size=args.cache_size, svc=False), f"{name}@{args.cache_size:g}MB"
        if key in results and not args.force:
            print(f"{key}: already in {out}, skipped (use --force)")
            continue
        results[key] = run_case(key, spec, args.repeats, args.threads, args.data_home)
        atomic_write_text(out, json.dumps(results, indent=1))
    print_results(results)


if __name__ == "__main__":
    main()
