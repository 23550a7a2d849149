"""Running baselines: one JSON record per finished run, resumable, tables written atomically."""

import csv
import io
import time
from dataclasses import dataclass, field
from pathlib import Path

import joblib
import numpy as np
from sklearn.metrics import accuracy_score

from skscat.datasets import caltech101_files, mean_per_class_accuracy
from skscat.utils import atomic_write_text, resolve_device
from skscat.utils._records import fingerprint, write_record
from skscat.utils._sklearn import validate_params

from ._data import (
    DATASETS,
    FIXED_SPLIT,
    default_J,
    find_datasets,
    image_side,
    load_split,
)
from ._figure import write_results_figure
from ._options import CONSTRAINTS, check_folder, check_seeds
from ._records import group_rows, read_result
from ._registry import BaselineConfig, get_baseline

__all__ = ["COLUMNS", "RunSpec", "check_request", "format_markdown", "run_baselines", "summarize"]

COLUMNS = [
    "dataset",
    "method",
    "accuracy",
    "mean_class_accuracy",
    "n_train",
    "n_test",
    "wall_time_s",
    "device",
    "published",
    "J",
    "L",
    "seed",
    "protocol",
]


@dataclass(frozen=True)
class RunSpec:
    """What identifies one run (its record file is named after a hash of these).

    Attributes
    ----------
    dataset, method : str
        Data set and registered baseline.
    J, L : int
        Scattering scale and orientations.
    seed : int
        Seed of the split or subset.
    n_train, train_per_class, image_size : int or None
        The protocol's sizes (None where they do not apply).
    """

    dataset: str
    method: str
    J: int
    L: int
    seed: int
    n_train: int = None
    train_per_class: int = None
    image_size: int = None

    def key(self):
        """Name the run's record file.

        Returns
        -------
        str
            ``<dataset>-<method>-<12 hex digits of the fields' hash>``.
        """
        return f"{self.dataset}-{self.method}-{fingerprint(self.__dict__)[:12]}"


@dataclass
class _Context:
    data_dir: object
    output_dir: Path
    memory: object
    device: str
    batch_size: int
    verbose: bool
    rows: list = field(default_factory=list)


def _plan(datasets, methods, seeds, J, L, n_train, train_per_class, image_size):
    specs = []
    for dataset in datasets:
        run_seeds = seeds[:1] if dataset in FIXED_SPLIT and n_train is None else seeds
        for seed in run_seeds:
            for method in methods:
                specs.append(
                    RunSpec(
                        dataset,
                        method,
                        default_J(dataset, image_size) if J is None else J,
                        L,
                        seed,
                        n_train,
                        train_per_class if dataset == "caltech101" else None,
                        image_size if dataset == "caltech101" else None,
                    )
                )
    return specs


def _run_one(spec, ctx):
    baseline = get_baseline(spec.method)
    split = load_split(
        spec.dataset,
        ctx.data_dir,
        seed=spec.seed,
        n_train=spec.n_train,
        train_per_class=30 if spec.train_per_class is None else spec.train_per_class,  # None: not Caltech
        image_size=32 if spec.image_size is None else spec.image_size,
        verbose=ctx.verbose,
    )
    config = BaselineConfig(
        spec.dataset,
        tuple(split.image_shape),
        split.n_classes,
        spec.J,
        spec.L,
        ctx.device,
        ctx.batch_size,
        ctx.memory,
        spec.seed,
        ctx.verbose,
    )
    start = time.perf_counter()
    estimator = baseline.build(config).fit(split.X_train, split.y_train)
    predicted = estimator.predict(split.X_test)
    wall = time.perf_counter() - start
    return {
        "dataset": spec.dataset,
        "method": spec.method,
        "accuracy": round(100 * accuracy_score(split.y_test, predicted), 2),
        "mean_class_accuracy": round(100 * mean_per_class_accuracy(split.y_test, predicted), 2),
        "published": baseline.published.get(spec.dataset),
        "n_train": len(split.y_train),
        "n_test": len(split.y_test),
        "J": spec.J,
        "L": spec.L,
        "seed": spec.seed,
        "wall_time_s": round(wall, 1),
        "device": str(resolve_device(ctx.device)),
        "protocol": split.protocol,
    }


def format_markdown(rows, columns=COLUMNS):
    """Format rows as a Markdown table.

    Parameters
    ----------
    rows : list of dict
        The records, one per row.
    columns : sequence of str, default=COLUMNS
        The keys shown, in order.

    Returns
    -------
    str
        The table, one line per row after the header.

    Examples
    --------
    >>> from skscat.baselines import format_markdown
    >>> print(format_markdown([{"method": "scat-svm", "accuracy": 97.5}], columns=["method", "accuracy"]))
    | method | accuracy |
    |---|---|
    | scat-svm | 97.5 |
    <BLANKLINE>
    """
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    for row in rows:
        lines.append("| " + " | ".join("" if row.get(c) is None else str(row[c]) for c in columns) + " |")
    return "\n".join(lines) + "\n"


def _format_csv(rows):
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def _write_tables(ctx):
    atomic_write_text(ctx.output_dir / "results.csv", _format_csv(ctx.rows))
    atomic_write_text(ctx.output_dir / "results.md", format_markdown(ctx.rows))
    write_results_figure(ctx.rows, ctx.output_dir / "results.png")


#: Keys of a run record's result that the tables read.
_RECORD_KEYS = ("dataset", "method", "accuracy", "mean_class_accuracy", "seed", "published")


def _record_path(spec, ctx):
    return ctx.output_dir / "runs" / f"{spec.key()}.json"


def _finished(specs, ctx):
    """The results of the runs finished earlier, all read (and checked) before any work."""
    paths = {spec: _record_path(spec, ctx) for spec in specs}
    return {spec: read_result(path, _RECORD_KEYS) for spec, path in paths.items() if path.is_file()}


def _record(spec, ctx, log, finished):
    path = _record_path(spec, ctx)
    if spec in finished:
        log(f"[skip] {spec.dataset} / {spec.method} / seed {spec.seed}: finished in an earlier invocation")
        return finished[spec]
    log(f"[run ] {spec.dataset} / {spec.method} / J={spec.J} / seed {spec.seed}")
    row = _run_one(spec, ctx)
    write_record(path, {"spec": spec.__dict__, "result": row})
    return row


def check_request(datasets, methods, data_dir, device, *, J=None, n_train=None, train_per_class=30, image_size=32):
    """Check a request before any work, raising a ValueError that names what is wrong.

    Refused: an unknown or unavailable method, an unknown data set, a missing
    folder or device, a repeated name, a scale too large for the images, a
    training subset or split the data set cannot give. The keyword checks read no image: class counts come from the data set's
    definition (Caltech-101: its folder listing).

    Parameters
    ----------
    datasets : sequence of str
        Requested data sets.
    methods : sequence of str
        Requested baselines.
    data_dir : str or os.PathLike or None
        Folder of the data sets.
    device : str
        Requested device.
    J : int, optional
        Scattering scale (None: the data set's default); 2**J must not exceed the image side.
    n_train : int, optional
        Training subset size: a multiple of the number of classes.
    train_per_class : int or None, default=30
        Caltech-101: training images per class, fewer than its smallest class (None: 30).
    image_size : int or None, default=32
        Caltech-101: image side (None: 32).

    Raises
    ------
    ValueError
        With the offending option, its value and the fix.
    """
    resolve_device(device)
    for name, values in (("datasets", datasets), ("methods", methods)):
        if len(set(values)) != len(values):
            raise ValueError(f"{name}={list(values)!r} names one twice; give each once.")
    for method in methods:
        reason = get_baseline(method).unavailable()
        if reason:
            raise ValueError(
                f"method={method!r} cannot run here: {reason}. See --list for the available ones."
            )
    for dataset in datasets:
        if dataset not in DATASETS:
            raise ValueError(f"dataset={dataset!r} is not known. Use one of {sorted(DATASETS)}.")
        if dataset != "digits" and (data_dir is None or dataset not in find_datasets(data_dir)):
            raise ValueError(
                f"dataset={dataset!r} needs its folder {DATASETS[dataset]!r} in the data folder "
                f"(data_dir={None if data_dir is None else str(data_dir)!r}); point --data-dir at the "
                "folder that holds it."
            )
        _check_sizes(dataset, data_dir, J, n_train, train_per_class, image_size)


#: Classes of the data sets whose class count is fixed by their files' format.
_N_CLASSES = {"digits": 10, "cifar10": 10, "cifar100": 100, "stl10": 10}


def _check_sizes(dataset, data_dir, J, n_train, train_per_class, image_size):
    side = image_side(dataset, 32 if image_size is None else image_size)
    scale = default_J(dataset, side) if J is None else J
    if 2**scale > side:
        what = f"J={J}" if J is not None else f"the default J={scale}"
        raise ValueError(
            f"{what} is too large for the {side} x {side} images of {dataset!r}: the scattering needs "
            f"2**J <= {side}. Use J <= {side.bit_length() - 1}"
            + (" or a larger image_size (--image-size)." if dataset == "caltech101" else ".")
        )
    if n_train is None and dataset != "caltech101":
        return
    counts = _class_counts(dataset, data_dir)
    if dataset == "caltech101":
        per_class = 30 if train_per_class is None else train_per_class
        _check_train_per_class(per_class, counts)
    if n_train is not None and (n_train < len(counts) or n_train % len(counts)):
        raise ValueError(
            f"n_train={n_train} cannot be split evenly over the {len(counts)} classes of {dataset!r} (the "
            f"subset draws n_train / n_classes images per class). Use a multiple of {len(counts)}, e.g. "
            f"n_train={len(counts) * max(1, n_train // len(counts))}."
        )


def _class_counts(dataset, data_dir):
    if dataset == "caltech101":
        return np.bincount(caltech101_files(data_dir).target)
    return np.zeros(_N_CLASSES[dataset])


def _check_train_per_class(per_class, counts):
    if per_class >= counts.min():
        raise ValueError(
            f"train_per_class={per_class} leaves no test image in the smallest Caltech-101 class here "
            f"({counts.min()} images); use train_per_class < {counts.min()} (--train-per-class)."
        )


@validate_params(
    {
        **{name: CONSTRAINTS[name] for name in ("datasets", "methods", "data_dir", "J", "L", "n_train")},
        **{name: CONSTRAINTS[name] for name in ("train_per_class", "image_size", "seeds", "device")},
        **{name: CONSTRAINTS[name] for name in ("output_dir", "cache_dir", "batch_size", "verbose")},
        "log": [callable],
    },
    prefer_skip_nested_validation=True,
)
def run_baselines(
    *,
    datasets=("digits",),
    methods=("scat-svm",),
    data_dir=None,
    J=None,
    L=8,
    n_train=None,
    train_per_class=30,
    image_size=32,
    seeds=(0,),
    device="auto",
    output_dir="skscat-results",
    cache_dir=".skscat-cache",
    batch_size=256,
    verbose=True,
    log=print,
):
    """Run every (data set, seed, method) combination, skipping those already finished.

    Each finished run is written atomically to ``output_dir/runs/<key>.json``;
    after each run ``results.csv`` and ``results.md`` are rewritten
    atomically with every run of this invocation so far. Rerunning an
    interrupted invocation reuses the finished records and runs the rest.

    Parameters
    ----------
    datasets : sequence of str, default=("digits",)
        Data set names (the keys of ``skscat.baselines.DATASETS``).
    methods : sequence of str, default=("scat-svm",)
        Registered baseline names (see :func:`list_baselines`).
    data_dir : str or os.PathLike, optional
        Folder holding the data sets (``digits`` needs none).
    J : int, optional
        Scattering scale; None picks a per-data-set default (digits 1, images up
        to 64 pixels 2, larger ones 3).
    L : int, default=8
        Number of wavelet orientations.
    n_train : int, optional
        Balanced training subset size (small-sample protocol).
    train_per_class : int, default=30
        Caltech-101 training images per class.
    image_size : int, default=32
        Caltech-101 image side (aspect kept, centre crop); 32 with J=2 fits a
        10-minute CPU budget (docs/baselines.md).
    seeds : sequence of int, default=(0,)
        Random splits / subsets; data sets with a fixed split run once unless ``n_train`` is set.
    device : str, default="auto"
        Device of the scattering and the SVM.
    output_dir : str or os.PathLike, default="skscat-results"
        Folder of the records and of ``results.csv`` / ``results.md``.
    cache_dir : str, os.PathLike or None, default=".skscat-cache"
        The joblib.Memory folder for features; None disables caching.
    batch_size : int, default=256
        Images per scattering batch.
    verbose : bool, default=True
        Progress bars.
    log : callable, default=print
        Receives one line per run.

    Returns
    -------
    list of dict
        One row per run (keys: ``COLUMNS``).
    """
    seeds = check_seeds(seeds, "run_baselines")
    train_per_class = 30 if train_per_class is None else train_per_class
    image_size = 32 if image_size is None else image_size
    check_request(
        datasets, methods, data_dir, device, J=J, n_train=n_train, train_per_class=train_per_class,
        image_size=image_size,
    )
    check_folder(output_dir, "output_dir")
    if cache_dir is not None:
        check_folder(cache_dir, "cache_dir")
    ctx = _Context(
        data_dir,
        Path(output_dir),
        joblib.Memory(cache_dir, verbose=0) if cache_dir else None,
        device,
        batch_size,
        verbose,
    )
    specs = _plan(datasets, methods, seeds, J, L, n_train, train_per_class, image_size)
    finished = _finished(specs, ctx)
    for spec in specs:
        ctx.rows.append(_record(spec, ctx, log, finished))
        _write_tables(ctx)
    return ctx.rows



def summarize(rows):
    """Average the runs over seeds: mean and standard deviation of each (data set, method).

    Parameters
    ----------
    rows : list of dict
        Run records.

    Returns
    -------
    list of dict
        One row per (data set, method).
    """
    return [
        {"dataset": dataset, "method": method, **accuracy_summary(members, count="runs")}
        for (dataset, method), members in group_rows(rows, ("dataset", "method")).items()
    ]


def accuracy_summary(members, *, count):
    """``count`` (the number of rows), accuracies as "mean +- std" strings and the published figure of a group."""
    summary = {count: len(members)}
    for key in ("accuracy", "mean_class_accuracy"):
        values = np.array([r[key] for r in members])
        summary[key] = f"{values.mean():.2f} +- {values.std():.2f}"
    return {**summary, "published": members[0]["published"]}
