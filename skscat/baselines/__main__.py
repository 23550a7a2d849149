"""``skscat-baselines`` / ``python -m skscat.baselines``: run the named baselines and tabulate them.

With no argument it runs translation scattering + Gaussian SVM on
scikit-learn's built-in digits (no download, well under a minute on a laptop CPU).
``--protocol cvpr2015`` runs Oyallon & Mallat's whole pipeline (ScatNetLight's
preprocessing, OLS feature selection, one-vs-all SVM) on CIFAR-10/100 and Caltech-101.
"""

import argparse
import sys

from ._cvpr2015 import (
    PAPER_COLUMNS,
    SUMMARY_COLUMNS,
    check_paper_request,
    plan_paper_runs,
    run_paper_plans,
    summarize_paper,
)
from ._data import DATASETS, find_datasets
from ._paper import CONVENTIONS, REPRESENTATIONS
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
        "--protocol",
        choices=("fast", "cvpr2015"),
        default="fast",
        help="fast (default): the registered baselines, simplified; cvpr2015: the paper's whole pipeline "
        "(cifar10, cifar100, caltech101; see docs/baselines.md)",
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
        "-J",
        type=int,
        help="scattering scale (default: 1 for digits, 2 for images up to 64 pixels, 3 above; cvpr2015: "
        "the paper's J of the Y plane, the U/V planes follow)",
    )
    p.add_argument("-L", type=int, default=8, help="wavelet orientations (default: 8)")
    p.add_argument("--n-train", type=int, help="balanced training subset size (small-sample protocol)")
    p.add_argument("--train-per-class", type=int, default=30, help="Caltech-101 training images per class")
    p.add_argument(
        "--image-size",
        type=int,
        help="Caltech-101 image side in pixels (default: 32; cvpr2015: the Y plane's side, default the "
        "paper's, the U/V planes follow)",
    )
    p.add_argument("--seeds", type=int, nargs="+", default=[0], help="random splits/subsets (default: 0)")
    p.add_argument("--device", default="auto", help="cpu, cuda, cuda:1 or auto (default)")
    p.add_argument(
        "--batch-size", type=int, help="images per feature batch (default: 256; cvpr2015: 16 per transform)"
    )
    cvpr = p.add_argument_group("--protocol cvpr2015")
    cvpr.add_argument(
        "--representation",
        nargs="+",
        default=list(REPRESENTATIONS),
        help=f"scattering of each Y/U/V plane: {', '.join(REPRESENTATIONS)} (default: both)",
    )
    cvpr.add_argument(
        "--n-splits", type=int, default=5, help="Caltech-101 random splits per seed (default: 5)"
    )
    cvpr.add_argument("--n-atoms", type=int, help="OLS atoms per class (default: the paper's D)")
    cvpr.add_argument("--n-rounds", type=int, help="OLS rounds (default: the paper's)")
    cvpr.add_argument(
        "--convention",
        choices=CONVENTIONS,
        default="auto",
        help="filter conventions: scatnet (ScatNetLight's, where available), kymatio; default auto",
    )
    cvpr.add_argument("--chunk-size", type=int, default=256, help="images per cached feature chunk")
    cvpr.add_argument("--plan-only", action="store_true", help="print the plan (memory, time) and exit")
    cvpr.add_argument("--n-classes", type=int, help="quick checks: the first classes only")
    cvpr.add_argument(
        "--max-per-class", type=int, help="quick checks, Caltech-101: the first images per class"
    )
    cvpr.add_argument(
        "--max-train-per-class", type=int, help="quick checks, CIFAR: the first training images per class"
    )
    cvpr.add_argument(
        "--max-test-per-class", type=int, help="quick checks, CIFAR: the first test images per class"
    )
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


def _check_paper_args(args, parser):
    if args.method is not None:
        parser.error(
            "--method does not apply to --protocol cvpr2015; choose the scattering with --representation."
        )
    if args.n_train is not None:
        parser.error("--n-train does not apply to --protocol cvpr2015; use --max-train-per-class (CIFAR).")
    if not args.dataset:
        parser.error("--protocol cvpr2015 needs --dataset (cifar10, cifar100 or caltech101) and --data-dir.")
    if args.data_dir is None:
        parser.error("--protocol cvpr2015 needs --data-dir, the folder holding the data sets.")
    try:
        check_paper_request(args.dataset, args.representation)
        check_request(args.dataset, [], args.data_dir, args.device)
    except ValueError as exc:
        parser.error(str(exc))


def _main_cvpr2015(args, parser):
    _check_paper_args(args, parser)
    try:
        plans = plan_paper_runs(args.dataset, args.representation, args.data_dir, **_paper_options(args))
    except (ValueError, MemoryError) as exc:
        parser.error(str(exc))
    if args.plan_only:
        for plan in plans:
            print("\n".join(plan.lines()))
        return 0
    rows = run_paper_plans(plans, output_dir=args.output, device=args.device, verbose=not args.quiet)
    print()
    print(format_markdown(rows, columns=PAPER_COLUMNS[:-1]))
    print(format_markdown(summarize_paper(rows), columns=SUMMARY_COLUMNS))
    print(f"results: {args.output}/results_cvpr2015.csv and results_cvpr2015.md (accuracies in %)")
    return 0


def _paper_options(args):
    return {
        "image_size": args.image_size,
        "J": args.J,
        "n_atoms_per_class": args.n_atoms,
        "n_rounds": args.n_rounds,
        "train_per_class": args.train_per_class,
        "n_splits": args.n_splits,
        "seeds": args.seeds,
        "n_classes": args.n_classes,
        "max_per_class": args.max_per_class,
        "max_train_per_class": args.max_train_per_class,
        "max_test_per_class": args.max_test_per_class,
        "convention": args.convention,
        "batch_size": args.batch_size or 16,
        "chunk_size": args.chunk_size,
        "cache_dir": args.cache_dir,
        "device": args.device,
    }


def main(argv=None):
    """Entry point of ``skscat-baselines``; returns the process exit status."""
    parser = _parser()
    args = parser.parse_args(argv)
    if args.list:
        _list()
        return 0
    if args.protocol == "cvpr2015":
        return _main_cvpr2015(args, parser)
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
        image_size=args.image_size or 32,
        seeds=args.seeds,
        device=args.device,
        output_dir=args.output,
        cache_dir=None if args.no_cache else args.cache_dir,
        batch_size=args.batch_size or 256,
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
