"""``skscat-baselines`` / ``python -m skscat.baselines``: run the named baselines and tabulate them.

With no argument it runs translation scattering + Gaussian SVM on
scikit-learn's built-in digits (no download, well under a minute on a laptop CPU).
``--protocol cvpr2015`` runs Oyallon & Mallat's whole pipeline (ScatNetLight's
preprocessing, OLS feature selection, one-vs-all SVM) on CIFAR-10/100 and Caltech-101.
"""

import argparse
import sys
from pathlib import Path

from skscat.utils import resolve_device

from ._cvpr2015 import (
    PAPER_COLUMNS,
    SUMMARY_COLUMNS,
    check_paper_request,
    plan_paper_runs,
    run_paper_plans,
    summarize_paper,
)
from ._data import DATASETS, find_datasets
from ._options import folder_type, option_type
from ._paper import CONVENTIONS, REPRESENTATIONS, SETTINGS
from ._records import RecordError
from ._registry import get_baseline, list_baselines
from ._runner import check_request, format_markdown, run_baselines, summarize

__all__ = ["main", "parse_args"]

DEFAULT_METHODS = ("scat-svm", "rotoscat-svm")
#: Options of one protocol only (dest -> the flag), refused with the other one rather than ignored.
_CVPR_ONLY = {
    "n_splits": "--n-splits",
    "n_atoms": "--n-atoms",
    "n_rounds": "--n-rounds",
    "convention": "--convention",
    "chunk_size": "--chunk-size",
    "n_classes": "--n-classes",
    "max_per_class": "--max-per-class",
    "max_train_per_class": "--max-train-per-class",
    "max_test_per_class": "--max-test-per-class",
    "representation": "--representation",
}
#: Options that apply to some data sets only (dest -> (flag, data sets)).
_FOR_DATASETS = {
    "train_per_class": ("--train-per-class", {"caltech101"}),
    "n_splits": ("--n-splits", {"caltech101"}),
    "max_per_class": ("--max-per-class", {"caltech101"}),
    "max_train_per_class": ("--max-train-per-class", {"cifar10", "cifar100"}),
    "max_test_per_class": ("--max-test-per-class", {"cifar10", "cifar100"}),
}


def _device(text):
    try:
        resolve_device(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return text


def _existing_folder(text):
    if not text or not _is_dir(text):
        raise argparse.ArgumentTypeError(f"{text!r} is not a folder; give the folder that holds the data sets")
    return text


def _is_dir(text):
    try:
        return Path(text).is_dir()
    except (OSError, ValueError):  # a name too long, a NUL byte
        return False


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
        "--data-dir",
        type=_existing_folder,
        help="folder holding cifar-10-batches-py/, caltech101/101_ObjectCategories/, ...",
    )
    p.add_argument(
        "--method",
        nargs="+",
        help="baselines to run, or 'all' (default: scat-svm and rotoscat-svm where available); see --list",
    )
    p.add_argument(
        "-J",
        type=option_type("J"),
        help="scattering scale, 2**J <= the image side (default: 1 for digits, 2 for images up to 64 pixels, "
        "3 above; cvpr2015: the paper's J of the Y plane, the U/V planes follow)",
    )
    p.add_argument("-L", type=option_type("L"), default=8, help="wavelet orientations, 1..64 (default: 8)")
    p.add_argument(
        "--n-train",
        type=option_type("n_train"),
        help="balanced training subset size, a multiple of the number of classes (small-sample protocol)",
    )
    p.add_argument(
        "--train-per-class", type=option_type("train_per_class"), help="Caltech-101 training images per class "
        "(default: 30)"
    )
    p.add_argument(
        "--image-size",
        type=option_type("image_size"),
        help="Caltech-101 image side in pixels, at most 4096 (default: 32; cvpr2015: the Y plane's side, "
        "default the paper's, the U/V planes follow)",
    )
    p.add_argument(
        "--seeds", type=option_type("seed"), nargs="+", default=[0], help="random splits/subsets (default: 0)"
    )
    p.add_argument("--device", type=_device, default="auto", help="cpu, cuda, cuda:1 or auto (default)")
    p.add_argument(
        "--batch-size",
        type=option_type("batch_size"),
        help="images per feature batch (default: 256; cvpr2015: 16 per transform)",
    )
    cvpr = p.add_argument_group("--protocol cvpr2015")
    cvpr.add_argument(
        "--representation",
        nargs="+",
        choices=REPRESENTATIONS,
        help=f"scattering of each Y/U/V plane: {', '.join(REPRESENTATIONS)} (default: both)",
    )
    cvpr.add_argument(
        "--n-splits", type=option_type("n_splits"), help="Caltech-101 random splits per seed (default: 5)"
    )
    cvpr.add_argument("--n-atoms", type=option_type("n_atoms_per_class"), help="OLS atoms per class "
                      "(default: the paper's D)")
    cvpr.add_argument("--n-rounds", type=option_type("n_rounds"), help="OLS rounds (default: the paper's)")
    cvpr.add_argument(
        "--convention",
        choices=CONVENTIONS,
        help="filter conventions: scatnet (ScatNetLight's, where available), kymatio; default auto",
    )
    cvpr.add_argument(
        "--chunk-size", type=option_type("chunk_size"), help="images per cached feature chunk (default: 256)"
    )
    cvpr.add_argument("--plan-only", action="store_true", help="print the plan (memory, time) and exit")
    cvpr.add_argument("--n-classes", type=option_type("n_classes"), help="quick checks: the first classes only "
                      "(at least 2)")
    cvpr.add_argument(
        "--max-per-class",
        type=option_type("max_per_class"),
        help="quick checks, Caltech-101: the first images per class",
    )
    cvpr.add_argument(
        "--max-train-per-class",
        type=option_type("max_train_per_class"),
        help="quick checks, CIFAR: the first training images per class",
    )
    cvpr.add_argument(
        "--max-test-per-class",
        type=option_type("max_test_per_class"),
        help="quick checks, CIFAR: the first test images per class",
    )
    p.add_argument(
        "--output",
        type=folder_type(),
        default="skscat-results",
        help="results folder (default: ./skscat-results)",
    )
    p.add_argument(
        "--cache-dir",
        type=folder_type(),
        default=".skscat-cache",
        help="feature cache (default: ./.skscat-cache)",
    )
    p.add_argument("--no-cache", action="store_true", help="do not cache features on disk (--protocol fast)")
    p.add_argument("--quiet", action="store_true", help="no progress bars")
    p.add_argument("--list", action="store_true", help="list the registered baselines and exit")
    return p


def parse_args(argv=None):
    """The command's options, every value and combination checked; nothing is loaded or written.

    Parameters
    ----------
    argv : list of str, optional
        The arguments (default: ``sys.argv[1:]``).

    Returns
    -------
    argparse.Namespace

    Raises
    ------
    SystemExit
        Status 2 with a usage message naming the option, as argparse does.
    """
    parser = _parser()
    args = parser.parse_args(argv)
    if not args.list:
        try:
            _check_args(args)
        except ValueError as exc:
            parser.error(str(exc))
    return args


def _check_args(args):
    for flag, values in (("--dataset", args.dataset), ("--method", args.method), ("--seeds", args.seeds),
                         ("--representation", args.representation)):
        if values and len(set(values)) != len(values):
            raise ValueError(f"argument {flag}: {values} names one twice; give each once.")
    if args.protocol == "cvpr2015":
        _check_paper_args(args)
    else:
        _check_fast_args(args)
    datasets = args.dataset or []
    for dest, (flag, applies) in _FOR_DATASETS.items():
        if getattr(args, dest) is not None and not applies & set(datasets or ["digits"]):
            raise ValueError(f"argument {flag}: applies to {' or '.join(sorted(applies))} only, "
                             f"not to --dataset {' '.join(datasets or ['digits'])}.")


def _check_fast_args(args):
    for dest, flag in _CVPR_ONLY.items():
        if getattr(args, dest) is not None:
            raise ValueError(f"argument {flag}: applies to --protocol cvpr2015 only.")
    if args.plan_only:
        raise ValueError("argument --plan-only: applies to --protocol cvpr2015 only.")
    if args.image_size is not None and "caltech101" not in (args.dataset or []):
        raise ValueError("argument --image-size: applies to caltech101 only (the other sets have one size).")
    args.dataset = _datasets(args)
    args.method = _methods(args.method)
    if not args.method:
        raise ValueError("no baseline is available here; see --list")
    check_request(
        args.dataset,
        args.method,
        args.data_dir,
        args.device,
        J=args.J,
        n_train=args.n_train,
        train_per_class=args.train_per_class,
        image_size=args.image_size,
    )


def _list():
    for name in list_baselines():
        baseline = get_baseline(name)
        reason = baseline.unavailable()
        print(f"{name:16s} {baseline.description}" + (f"  [unavailable: {reason}]" if reason else ""))


def _methods(requested):
    if requested is not None and "all" in requested and requested != ["all"]:
        raise ValueError("argument --method: 'all' stands alone; give 'all' or a list of names.")
    if requested not in (None, ["all"]):
        for name in requested:
            get_baseline(name)  # an unknown name: a ValueError listing the registered ones
        return requested
    names = DEFAULT_METHODS if requested is None else list_baselines()
    return [n for n in names if n in list_baselines() and get_baseline(n).unavailable() is None]


def _datasets(args):
    if args.dataset:
        return args.dataset
    if args.data_dir is None:
        return ["digits"]
    raise ValueError(
        f"--data-dir given without --dataset; it holds: {find_datasets(args.data_dir) or 'no known set'}"
    )


def _check_paper_args(args):
    if args.method is not None:
        raise ValueError(
            "--method does not apply to --protocol cvpr2015; choose the scattering with --representation."
        )
    if args.n_train is not None:
        raise ValueError("--n-train does not apply to --protocol cvpr2015; use --max-train-per-class (CIFAR).")
    if args.no_cache:
        raise ValueError("--no-cache does not apply to --protocol cvpr2015: its features are the resumable "
                         "chunks in --cache-dir.")
    if not args.dataset:
        raise ValueError("--protocol cvpr2015 needs --dataset (cifar10, cifar100 or caltech101) and --data-dir.")
    if args.data_dir is None:
        raise ValueError("--protocol cvpr2015 needs --data-dir, the folder holding the data sets.")
    check_paper_request(args.dataset, args.representation or REPRESENTATIONS)
    check_request(args.dataset, [], args.data_dir, args.device)
    for dataset in args.dataset:
        SETTINGS[dataset].scaled(args.image_size, args.J)  # plane sizes and scales: a ValueError naming both


def _main_cvpr2015(args, parser):
    try:
        plans = plan_paper_runs(
            args.dataset, args.representation or REPRESENTATIONS, args.data_dir, **_paper_options(args)
        )
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


def _default(value, default):
    return default if value is None else value


def _paper_options(args):
    return {
        "image_size": args.image_size,
        "J": args.J,
        "n_atoms_per_class": args.n_atoms,
        "n_rounds": args.n_rounds,
        "train_per_class": _default(args.train_per_class, 30),
        "n_splits": _default(args.n_splits, 5),
        "seeds": args.seeds,
        "n_classes": args.n_classes,
        "max_per_class": args.max_per_class,
        "max_train_per_class": args.max_train_per_class,
        "max_test_per_class": args.max_test_per_class,
        "convention": _default(args.convention, "auto"),
        "batch_size": _default(args.batch_size, 16),
        "chunk_size": _default(args.chunk_size, 256),
        "cache_dir": args.cache_dir,
        "device": args.device,
    }


def _main_fast(args):
    rows = run_baselines(
        datasets=args.dataset,
        methods=args.method,
        data_dir=args.data_dir,
        J=args.J,
        L=args.L,
        n_train=args.n_train,
        train_per_class=_default(args.train_per_class, 30),
        image_size=_default(args.image_size, 32),
        seeds=args.seeds,
        device=args.device,
        output_dir=args.output,
        cache_dir=None if args.no_cache else args.cache_dir,
        batch_size=_default(args.batch_size, 256),
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


def main(argv=None):
    """Entry point of ``skscat-baselines``; returns the process exit status.

    A bad option, or a damaged record of an earlier run in ``--output``, is a
    usage error (status 2) naming the option or the file.
    """
    args = parse_args(argv)
    if args.list:
        _list()
        return 0
    try:
        return _main_cvpr2015(args, _parser()) if args.protocol == "cvpr2015" else _main_fast(args)
    except RecordError as exc:
        _parser().error(str(exc))


if __name__ == "__main__":
    sys.exit(main())
