"""``skscat-baselines`` / ``python -m skscat.baselines``: run the named baselines and tabulate them.

With no argument it runs translation scattering + Gaussian SVM on
scikit-learn's built-in digits (no download, well under a minute on a laptop CPU).
"""

import argparse
import sys

from ._data import DATASETS, find_datasets
from ._registry import get_baseline, list_baselines
from ._runner import check_request, format_markdown, run_baselines, summarize

__all__ = ["main"]

DEFAULT_METHODS = ("scat-svm", "rotoscat-svm")


def _parser():
    p = argparse.ArgumentParser(
        prog="skscat-baselines",
        description="Scattering + Gaussian SVM baselines (Oyallon & Mallat 2015) and registered models, "
        "printed beside the published numbers. Finished runs are skipped when rerun.",
    )
    p.add_argument(
        "--dataset",
        nargs="+",
        choices=sorted(DATASETS),
        help="data sets (default: digits without --data-dir)",
    )
    p.add_argument(
        "--data-dir", help="folder holding cifar-10-batches-py/, caltech101/101_ObjectCategories/, ..."
    )
    p.add_argument(
        "--method",
        nargs="+",
        help="baselines to run, or 'all' (default: scat-svm and rotoscat-svm where available); see --list",
    )
    p.add_argument(
        "-J", type=int, help="scattering scale (default: 1 for digits, 2 for images up to 64 pixels, 3 above)"
    )
    p.add_argument("-L", type=int, default=8, help="wavelet orientations (default: 8)")
    p.add_argument("--n-train", type=int, help="balanced training subset size (small-sample protocol)")
    p.add_argument("--train-per-class", type=int, default=30, help="Caltech-101 training images per class")
    p.add_argument(
        "--image-size", type=int, default=32, help="Caltech-101 image side in pixels (default: 32)"
    )
    p.add_argument("--seeds", type=int, nargs="+", default=[0], help="random splits/subsets (default: 0)")
    p.add_argument("--device", default="auto", help="cpu, cuda, cuda:1 or auto (default)")
    p.add_argument("--batch-size", type=int, default=256, help="images per feature batch")
    p.add_argument("--output", default="skscat-results", help="results folder (default: ./skscat-results)")
    p.add_argument("--cache-dir", default=".skscat-cache", help="feature cache (default: ./.skscat-cache)")
    p.add_argument("--no-cache", action="store_true", help="do not cache features on disk")
    p.add_argument("--quiet", action="store_true", help="no progress bars")
    p.add_argument("--list", action="store_true", help="list the registered baselines and exit")
    return p


def _list():
    for name in list_baselines():
        baseline = get_baseline(name)
        reason = baseline.unavailable()
        print(f"{name:16s} {baseline.description}" + (f"  [unavailable: {reason}]" if reason else ""))


def _methods(requested):
    if requested not in (None, ["all"]):
        return requested
    names = DEFAULT_METHODS if requested is None else list_baselines()
    return [n for n in names if n in list_baselines() and get_baseline(n).unavailable() is None]


def _datasets(args, parser):
    if args.dataset:
        return args.dataset
    if args.data_dir is None:
        return ["digits"]
    parser.error(
        f"--data-dir given without --dataset; it holds: {find_datasets(args.data_dir) or 'no known set'}"
    )


def main(argv=None):
    """Entry point of ``skscat-baselines``; returns the process exit status."""
    parser = _parser()
    args = parser.parse_args(argv)
    if args.list:
        _list()
        return 0
    datasets, methods = _datasets(args, parser), _methods(args.method)
    if not methods:
        parser.error("no baseline is available here; see --list")
    try:
        check_request(datasets, methods, args.data_dir, args.device)
    except ValueError as exc:
        parser.error(str(exc))
    rows = run_baselines(
        datasets=datasets,
        methods=methods,
        data_dir=args.data_dir,
        J=args.J,
        L=args.L,
        n_train=args.n_train,
        train_per_class=args.train_per_class,
        image_size=args.image_size,
        seeds=args.seeds,
        device=args.device,
        output_dir=args.output,
        cache_dir=None if args.no_cache else args.cache_dir,
        batch_size=args.batch_size,
        verbose=not args.quiet,
    )
    print()
    print(format_markdown(rows))
    if len(rows) > len({(r["dataset"], r["method"]) for r in rows}):
        print(
            format_markdown(
                summarize(rows),
                columns=("dataset", "method", "runs", "accuracy", "mean_class_accuracy", "published"),
            )
        )
    print(f"results: {args.output}/results.csv and results.md (accuracies in %)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
