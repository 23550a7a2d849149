"""CIFAR-10 ``--protocol cvpr2015`` with fewer training images per class, on the run's cached features.

A diagnostic of the gap to the paper (82.3 % with 50,000 training images): the same standardisation, OLS and
one-vs-all SVM as ``skscat-baselines --protocol cvpr2015 --dataset cifar10``, on the first ``n`` training images of
each class, scored on the whole test set. Needs the feature cache of a finished cvpr2015 CIFAR-10 run (it never
scatters). Results go to ``--output`` as JSON (:func:`skscat.utils.write_record`, after each size), keyed by the
number per class, each with the fingerprint of what it depends on; a rerun reuses a stored size whose fingerprint
matches and computes the others.

    python benchmarks/cvpr2015_training_size.py --cache-dir .skscat-cache --per-class 250 500 1000
"""

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import read_results

from skscat.baselines import _cvpr2015 as cvpr
from skscat.datasets import mean_per_class_accuracy
from skscat.utils import fingerprint, write_record


def _first_per_class(train, y, per_class):
    return np.concatenate([train[y[train] == c][:per_class] for c in np.unique(y[train])])


def run_size(plan, train, test, per_class, device):
    """Accuracy of the paper's pipeline trained on ``per_class`` images of each class."""
    y = plan.source.target
    subset = _first_per_class(train, y, per_class)
    start = time.perf_counter()
    X, scaler = cvpr.standardised_rows(plan.store, subset)
    selector = cvpr.selector_class()(
        n_atoms_per_class=plan.setting.n_atoms_per_class, n_rounds=plan.setting.n_rounds, device=device
    )
    Z = selector.fit_transform(X, y[subset])
    del X
    svm = cvpr.MeanNormGaussianSVC(C=cvpr.C, device=device).fit(Z, y[subset])
    predicted = svm.predict(cvpr.reduce_test(plan.store, selector, scaler, test))
    return {
        "n_train": len(subset),
        "accuracy": round(100 * float((predicted == y[test]).mean()), 2),
        "mean_class_accuracy": round(100 * float(mean_per_class_accuracy(y[test], predicted)), 2),
        "train_accuracy": round(100 * float((svm.predict(Z) == y[subset]).mean()), 2),
        "seconds": round(time.perf_counter() - start, 1),
    }


def size_fingerprint(plan, per_class):
    """What the result of one size depends on: the cached features (their folder names them) and the pipeline."""
    return fingerprint({"features": plan.store.folder.name, "per_class": per_class, "C": cvpr.C,
                        "n_atoms_per_class": plan.setting.n_atoms_per_class, "n_rounds": plan.setting.n_rounds})


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default="../shared/data")
    parser.add_argument("--cache-dir", default=".skscat-cache")
    parser.add_argument("--representation", default="roto-translation")
    parser.add_argument("--per-class", type=int, nargs="+", default=[250, 500, 1000])
    parser.add_argument("--device", default="auto")
    parser.add_argument("--output", default="benchmarks/results/cvpr2015/cifar10_roto_training_size.json")
    args = parser.parse_args(argv)
    plan = cvpr.plan_paper_runs(
        ["cifar10"], [args.representation], args.data_dir, cache_dir=args.cache_dir, device=args.device
    )[0]
    if plan.store.missing():
        raise SystemExit(f"the feature cache {plan.store.folder} is incomplete: run skscat-baselines first.")
    _, _, train, test = plan.runs[0]
    results = read_results(args.output, {})
    for per_class in args.per_class:
        key = size_fingerprint(plan, per_class)
        if results.get(str(per_class), {}).get("fingerprint") == key:
            print(f"{per_class} per class: stored result reused", flush=True)
            continue
        results[str(per_class)] = {**run_size(plan, train, test, per_class, args.device), "fingerprint": key}
        print(json.dumps(results[str(per_class)]), flush=True)
        write_record(args.output, results)


if __name__ == "__main__":
    main()
