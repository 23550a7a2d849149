"""Running baselines: one JSON record per finished run, resumable, tables written atomically."""

import csv
import io
import time
from dataclasses import dataclass, field
from pathlib import Path

import joblib
import numpy as np
from sklearn.metrics import accuracy_score

from skscat.datasets import mean_per_class_accuracy
from skscat.utils import atomic_write_text, resolve_device
from skscat.utils._records import fingerprint, read_record, write_record

from ._data import DATASETS, FIXED_SPLIT, default_J, find_datasets, load_split
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
        run_seeds = seeds[:1] if dataset in FIXED_SPLIT and not n_train else seeds
        for seed in run_seeds:
            for method in methods:
                specs.append(
                    RunSpec(
                        dataset,
                        method,
                        J or default_J(dataset, image_size),
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
        train_per_class=spec.train_per_class or 30,
        image_size=spec.image_size or 32,
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


def _record(spec, ctx, log):
    path = ctx.output_dir / "runs" / f"{spec.key()}.json"
    stored = read_record(path, match={"spec": spec.__dict__})
    if stored is not None and "result" in stored:
        log(f"[skip] {spec.dataset} / {spec.method} / seed {spec.seed}: finished in an earlier invocation")
        return stored["result"]
    log(f"[run ] {spec.dataset} / {spec.method} / J={spec.J} / seed {spec.seed}")
    row = _run_one(spec, ctx)
    write_record(path, {"spec": spec.__dict__, "result": row})
    return row


def check_request(datasets, methods, data_dir, device):
    """Fail before any work: unknown or unavailable method, unknown data set, missing folder or device.

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

    Raises
    ------
    ValueError
        With the offending option, its value and the fix.
    """
    resolve_device(device)
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
    check_request(datasets, methods, data_dir, device)
    ctx = _Context(
        data_dir,
        Path(output_dir),
        joblib.Memory(cache_dir, verbose=0) if cache_dir else None,
        device,
        batch_size,
        verbose,
    )
    for spec in _plan(datasets, methods, list(seeds), J, L, n_train, train_per_class, image_size):
        ctx.rows.append(_record(spec, ctx, log))
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
    groups = {}
    for row in rows:
        groups.setdefault((row["dataset"], row["method"]), []).append(row)
    summary = []
    for (dataset, method), members in groups.items():
        acc = np.array([r["accuracy"] for r in members])
        mca = np.array([r["mean_class_accuracy"] for r in members])
        summary.append(
            {
                "dataset": dataset,
                "method": method,
                "runs": len(members),
                "accuracy": f"{acc.mean():.2f} +- {acc.std():.2f}",
                "mean_class_accuracy": f"{mca.mean():.2f} +- {mca.std():.2f}",
                "published": members[0]["published"],
            }
        )
    return summary
