"""Translation vs roto-translation scattering on the CIFAR-10 subset: why the ranking depends on the features kept.

Same J, L, log, standardisation and Gaussian SVM (the paper's: sigma = mean feature norm, C = 50, one-vs-all) for
both representations; the features come from ``skscat-baselines``' disk cache when it holds them. Besides all
features, it scores each representation after keeping the D most class-discriminative features (ANOVA F-test on
the training set), a cheap stand-in for the paper's supervised orthogonal-least-squares selection (4,000 features on
CIFAR-10), and reports how much of each representation is near-constant (tiny standard deviation), which
standardisation then blows up to unit variance.

Usage::

    python docs/scripts/roto_vs_translation.py --data-dir ../shared/data --cache-dir .skscat-cache
"""

import argparse
import json
import time

import numpy as np
from sklearn.feature_selection import SelectKBest, f_classif
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler

from skscat.baselines import BaselineConfig, get_baseline
from skscat.baselines._cache import log_features
from skscat.baselines._data import load_split
from skscat.utils import atomic_write_text


def features(method, split, args):
    """Cached scattering features of the train and test images (the baseline's own first step)."""
    config = BaselineConfig("cifar10", tuple(split.X_train.shape[1:]), 10, args.J, args.L, args.device,
                            args.batch_size, args.cache_dir, 0, False)
    scattering = get_baseline(method).build(config).steps[0][1]
    return scattering.fit_transform(split.X_train), scattering.transform(split.X_test)


def svm(config_args):
    config = BaselineConfig("cifar10", (3, 32, 32), 10, config_args.J, config_args.L, config_args.device,
                            config_args.batch_size, None, 0, False)
    return get_baseline("pixels-svm").build(config).steps[-1][1]  # the paper's Gaussian SVM, unfitted


def score(train, test, split, args, keep=None):
    steps = [FunctionTransformer(log_features), StandardScaler()]
    if keep is not None:
        steps.append(SelectKBest(f_classif, k=min(keep, train.shape[1])))
    model = make_pipeline(*steps, svm(args)).fit(train, split.y_train)
    return round(100 * float((model.predict(test) == split.y_test).mean()), 2)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default="../shared/data")
    parser.add_argument("--cache-dir", default=".skscat-cache")
    parser.add_argument("-J", type=int, default=2)
    parser.add_argument("-L", type=int, default=8)
    parser.add_argument("--keep", type=int, nargs="*", default=[4000])
    parser.add_argument("--device", default="auto")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--output", default="docs/figures/roto_vs_translation.json")
    args = parser.parse_args()
    split = load_split("cifar10", args.data_dir)
    results = {}
    for method in ("scat-svm", "rotoscat-svm"):
        start = time.perf_counter()
        train, test = features(method, split, args)
        log_std = log_features(train).std(axis=0)
        row = {"n_features": int(train.shape[1]), "median_std_of_log": float(np.median(log_std)),
               "all": score(train, test, split, args)}
        for keep in args.keep:
            row[f"best_{keep}"] = score(train, test, split, args, keep)
        row["seconds"] = round(time.perf_counter() - start, 1)
        results[method] = row
        print(method, row, flush=True)
    atomic_write_text(args.output, json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
