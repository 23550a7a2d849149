"""``--protocol cvpr2015``: Oyallon & Mallat's whole pipeline, as ScatNetLight runs it.

Per data set and representation: ScatNetLight's Y'UV planes (MATLAB
``imresize``), scattering of every image once (cached in chunks, resumable),
then per split: log(|S| + 1e-6), standardisation fitted on the training rows,
orthogonal least squares feature selection (D atoms per class, several rounds),
one-vs-all Gaussian SVM (sigma = mean norm of the reduced training vectors,
C = 50), mean per-class accuracy. Before any work the plan (sizes, memory,
time) is printed; each finished split is one atomic JSON record.
"""

import csv
import io
import json
import resource
import time
from dataclasses import asdict, dataclass, replace

import numpy as np
from sklearn.metrics import accuracy_score
from sklearn.preprocessing import StandardScaler

import skscat
from skscat.datasets import mean_per_class_accuracy
from skscat.svm import MeanNormGaussianSVC
from skscat.utils import atomic_write_text, batch_slices, fingerprint, resolve_device
from skscat.utils._records import source_fingerprint
from skscat.utils._sklearn import (
    StrOptions,
    validate_params,
)

from ._cache import _RUNTIME_PARAMS, log_features
from ._features import ChunkedFeatures
from ._options import CONSTRAINTS, check_folder, check_seeds
from ._paper import (
    CONVENTIONS,
    REPRESENTATIONS,
    SETTINGS,
    describe_operators,
    n_reduced_features,
    paper_planes,
    resolve_convention,
)
from ._paper_data import load_source
from ._plan import (
    GB,
    C,
    PaperPlan,
    check_sizes,
    fit_transformers,
    measure_ols,
    measure_svm,
    selector_class,
    svm_memory_plan,
)
from ._records import group_rows, read_result
from ._runner import accuracy_summary, format_markdown

__all__ = [
    "FEATURE_MODULES",
    "PAPER_COLUMNS",
    "SUMMARY_COLUMNS",
    "PaperRun",
    "check_paper_request",
    "plan_paper_runs",
    "run_cvpr2015",
    "run_paper_plans",
    "summarize_paper",
]

PAPER_COLUMNS = [
    "dataset",
    "representation",
    "seed",
    "split",
    "accuracy",
    "mean_class_accuracy",
    "published",
    "n_train",
    "n_test",
    "n_features",
    "n_reduced",
    "scattering_s",
    "ols_s",
    "svm_s",
    "wall_time_s",
    "peak_memory_gb",
    "device",
    "convention",
    "protocol",
]


@dataclass(frozen=True)
class PaperRun:
    """What identifies one record: data set, representation, split and every size that changes the result."""

    dataset: str
    representation: str
    convention: str
    seed: int
    split: int
    image_size: int
    J: int
    n_atoms_per_class: int
    n_rounds: int
    train_per_class: int
    features: str  # the feature store's folder: fingerprint of the images, preprocessing and transformers

    def key(self):
        return f"cvpr2015-{self.dataset}-{self.representation}-{fingerprint(asdict(self))[:12]}"


#: The code that determines the cached features: scattering, its helpers, decoding, imresize, preprocessing.
FEATURE_MODULES = ("skscat.scattering", "skscat.utils", "skscat.datasets", "skscat.baselines._paper",
                   "skscat.baselines._paper_data")


def _description(dataset, kind, convention, setting, source, transformers):
    return {
        "dataset": dataset,
        "representation": kind,
        "convention": convention,
        "images": source.identity,
        "preprocessing": "BT.709 Y'UV of 0..255 pixels (grey: U = V = 0), MATLAB bicubic imresize per plane",
        "groups": [asdict(g) for g in setting.groups],
        "transformers": [_transformer_key(t) for t in transformers],
        "skscat": skscat.__version__,
        # The version string stays the same between development commits; the code does not.
        "code": source_fingerprint(*FEATURE_MODULES),
    }


def _transformer_key(transformer):
    params = {k: v for k, v in transformer.get_params().items() if k not in _RUNTIME_PARAMS}
    return f"{type(transformer).__module__}.{type(transformer).__qualname__}", params


def check_paper_request(datasets, representations):
    """Fail before loading anything: a data set or representation without a cvpr2015 setting."""
    for dataset in datasets:
        if dataset not in SETTINGS:
            raise ValueError(
                f"dataset={dataset!r} has no cvpr2015 setting; --protocol cvpr2015 runs {sorted(SETTINGS)}."
            )
    for kind in representations:
        if kind not in REPRESENTATIONS:
            raise ValueError(f"representation={kind!r} is not known. Use one of {list(REPRESENTATIONS)}.")


_PLAN_OPTIONS = (
    "image_size", "J", "n_atoms_per_class", "n_rounds", "train_per_class", "n_splits", "n_classes", "max_per_class",
    "max_train_per_class", "max_test_per_class", "device", "batch_size", "chunk_size", "seeds",
)
#: Keys of a cvpr2015 record's result that the tables read.
_RECORD_KEYS = ("dataset", "representation", "seed", "split", "accuracy", "mean_class_accuracy", "published",
                "wall_time_s", "peak_memory_gb", "device")


@validate_params(
    {
        "datasets": CONSTRAINTS["datasets"],
        "representations": ["array-like"],
        "data_dir": CONSTRAINTS["data_dir"][:-1],
        "convention": [StrOptions(set(CONVENTIONS))],
        "cache_dir": CONSTRAINTS["cache_dir"][:-1],
        "train_per_class": CONSTRAINTS["train_per_class"][:-1],
        **{name: CONSTRAINTS[name] for name in _PLAN_OPTIONS if name != "train_per_class"},
    },
    prefer_skip_nested_validation=True,
)
def plan_paper_runs(
    datasets,
    representations,
    data_dir,
    *,
    image_size=None,
    J=None,
    n_atoms_per_class=None,
    n_rounds=None,
    train_per_class=30,
    n_splits=5,
    seeds=(0,),
    n_classes=None,
    max_per_class=None,
    max_train_per_class=None,
    max_test_per_class=None,
    convention="auto",
    device="auto",
    batch_size=16,
    chunk_size=256,
    cache_dir=".skscat-cache",
):
    """The plan of every (data set, representation), checked, before any scattering.

    Parameters
    ----------
    datasets : sequence of {"cifar10", "cifar100", "caltech101"}
    representations : sequence of {"translation", "roto-translation"}
    data_dir : str or os.PathLike
        Folder holding the data sets.
    image_size, J : int, optional
        Side and scale of the Y plane (default: the paper's); the other planes follow.
    n_atoms_per_class, n_rounds : int, optional
        OLS atoms per class and rounds (default: the paper's).
    train_per_class : int, default=30
        Caltech-101 training images per class.
    n_splits : int, default=5
        Caltech-101 random splits per seed.
    seeds : sequence of int, default=(0,)
        Caltech-101 split seeds.
    n_classes, max_per_class, max_train_per_class, max_test_per_class : int, optional
        Subsets for quick checks (see ``skscat.baselines._paper_data.load_source``).
    convention : {"auto", "kymatio", "scatnet"}, default="auto"
        Scattering conventions; "auto": ScatNetLight's where available.
    device : str, default="auto"
        Device of the scattering, OLS and SVM.
    batch_size : int, default=16
        Images per scattering batch.
    chunk_size : int, default=256
        Images per cached feature chunk.
    cache_dir : str or os.PathLike, default=".skscat-cache"
        Folder of the cached scattering chunks.

    Returns
    -------
    list of PaperPlan
        One checked plan per (data set, representation).

    Raises
    ------
    ValueError
        Unknown data set, representation or convention, one class, or a data set too small for the atoms
        (training rows of a class, features).
    MemoryError
        A CPU run whose planned peak memory exceeds the free memory.
    """
    check_paper_request(datasets, representations)
    seeds = check_seeds(seeds, "plan_paper_runs")
    check_folder(cache_dir, "cache_dir")
    device = resolve_device(device)
    plans = []
    for dataset in datasets:
        source = load_source(
            dataset,
            data_dir,
            n_classes=n_classes,
            max_per_class=max_per_class,
            max_train_per_class=max_train_per_class,
            max_test_per_class=max_test_per_class,
        )
        runs = source.splits(train_per_class=train_per_class, n_splits=n_splits, seeds=list(seeds))
        setting = _with_ols(SETTINGS[dataset].scaled(image_size, J), n_atoms_per_class, n_rounds)
        per_class = train_per_class if source.n_official_train is None else None
        rates = None
        for kind in representations:
            chosen = resolve_convention(kind, convention)
            transformers, n_features, seconds = fit_transformers(
                kind, setting, chosen, source, str(device), batch_size
            )
            check_sizes(dataset, kind, setting, source, runs, n_features)
            rates = rates or _rates(device, source.n_classes, setting)
            description = _description(dataset, kind, chosen, setting, source, transformers)
            store = ChunkedFeatures.open(
                cache_dir, f"{dataset}-{kind}", description, source.n_images, n_features, chunk_size
            )
            throughput = {"image": seconds, **rates}
            n_train = max(len(train) for _, _, train, _ in runs)
            svm = svm_memory_plan(
                str(device), n_train, n_reduced_features(setting, source.n_classes), source.n_classes
            )
            plan = PaperPlan(
                dataset, kind, chosen, setting, source, transformers, store, runs, throughput, svm, per_class
            )
            plan.check_memory()
            plans.append(plan)
    return plans


def _rates(device, n_classes, setting):
    """Measured OLS and SVM throughput for this data set's classes and reduced size."""
    return {
        "ols": measure_ols(str(device), n_classes),
        "svm": measure_svm(str(device), n_classes, n_reduced_features(setting, n_classes)),
    }


def _with_ols(setting, n_atoms_per_class, n_rounds):
    return replace(
        setting,
        n_atoms_per_class=setting.n_atoms_per_class if n_atoms_per_class is None else int(n_atoms_per_class),
        n_rounds=setting.n_rounds if n_rounds is None else int(n_rounds),
    )


def _compute_chunk(plan, rows):
    planes = paper_planes(plan.source.read(rows), plan.setting.groups)
    return np.concatenate([t.transform(p) for t, p in zip(plan.transformers, planes)], axis=1)


def _scatter(plan, verbose):
    start = time.perf_counter()
    n = plan.store.compute(
        lambda rows: _compute_chunk(plan, rows),
        verbose=verbose,
        desc=f"scattering {plan.dataset} / {plan.kind}",
    )
    return time.perf_counter() - start, n


def standardised_rows(store, index, scaler=None, block=None):
    """log(|S| + 1e-6) of rows ``index`` of ``store``, standardised in place; fits ``scaler`` on them when None."""
    X = store.rows(index)
    block = block or store.chunk_size
    for rows in batch_slices(len(X), block):
        X[rows] = log_features(X[rows])
    if scaler is None:
        scaler = StandardScaler(copy=False)
        for rows in batch_slices(len(X), block):
            scaler.partial_fit(X[rows])
    for rows in batch_slices(len(X), block):
        X[rows] = scaler.transform(X[rows])
    return X, scaler


def reduce_test(store, selector, scaler, test):
    """The test rows through log, the training standardisation and OLS, one chunk at a time."""
    parts = []
    for rows in batch_slices(len(test), store.chunk_size):
        X, _ = standardised_rows(store, test[rows], scaler)
        parts.append(selector.transform(X))
    return np.concatenate(parts)


def _fit_scaler(store, index):
    """The standardisation of log(|S| + 1e-6) fitted on rows ``index``, read one chunk of rows at a time."""
    scaler = StandardScaler(copy=False)
    for rows in batch_slices(len(index), store.chunk_size):
        scaler.partial_fit(log_features(store.rows(index[rows])))
    return scaler


def fit_split(store, y, train, test, *, n_atoms_per_class, n_rounds, device, verbose, transductive=False):
    """One split of the stored features end to end (log, standardisation, OLS, one-vs-all SVM).

    ``transductive=True`` fits the standardisation on the training and test rows together, as ScatNetLight's
    ``standardize_feature`` does (a diagnostic; the protocol fits it on the training rows only).
    Returns the scores and the time of each step.
    """
    start = time.perf_counter()
    scaler = _fit_scaler(store, np.concatenate([train, test])) if transductive else None
    X_train, scaler = standardised_rows(store, train, scaler)
    selector = selector_class()(n_atoms_per_class=n_atoms_per_class, n_rounds=n_rounds, device=device, verbose=verbose)
    Z_train = selector.fit_transform(X_train, y[train])
    del X_train
    Z_test = reduce_test(store, selector, scaler, test)
    ols = time.perf_counter() - start
    start = time.perf_counter()
    svm = MeanNormGaussianSVC(C=C, device=device, verbose=verbose)
    predicted = svm.fit(Z_train, y[train]).predict(Z_test)
    return {
        "accuracy": round(100 * accuracy_score(y[test], predicted), 2),
        "mean_class_accuracy": round(100 * mean_per_class_accuracy(y[test], predicted), 2),
        "n_reduced": Z_train.shape[1],
        "ols_s": round(ols, 1),
        "svm_s": round(time.perf_counter() - start, 1),
    }


def _fit_split(plan, train, test, device, verbose):
    setting = plan.setting
    return fit_split(plan.store, plan.source.target, train, test, n_atoms_per_class=setting.n_atoms_per_class,
                     n_rounds=setting.n_rounds, device=device, verbose=verbose)


def _peak_memory_gb():
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / GB, 2)


def _row(plan, spec, scores, scattering_s, train, test, device):
    operators = describe_operators(plan.setting.groups, plan.transformers)
    return {
        "dataset": plan.dataset,
        "representation": plan.kind,
        "seed": spec.seed,
        "split": spec.split,
        **scores,
        "published": plan.setting.published.get(plan.kind),
        "n_train": len(train),
        "n_test": len(test),
        "n_features": plan.n_features,
        "scattering_s": round(scattering_s, 1),
        "wall_time_s": round(scattering_s + scores["ols_s"] + scores["svm_s"], 1),
        "peak_memory_gb": _peak_memory_gb(),
        "device": str(device),
        "convention": plan.convention,
        "protocol": f"cvpr2015: {plan.source.description}; {operators}",
    }


def _spec(plan, seed, split):
    first = plan.setting.groups[0]
    return PaperRun(
        plan.dataset,
        plan.kind,
        plan.convention,
        int(seed),
        int(split),
        first.size,
        first.J,
        plan.setting.n_atoms_per_class,
        plan.setting.n_rounds,
        plan.train_per_class,
        plan.store.folder.name,
    )


def _run_plan(plan, ctx):
    """Scatter once, then every split of the plan (finished ones are read back)."""
    specs = [(_spec(plan, seed, split), train, test) for seed, split, train, test in plan.runs]
    finished = {
        spec: read_result(_record_path(ctx, spec), _RECORD_KEYS)
        for spec, _, _ in specs
        if _record_path(ctx, spec).is_file()
    }
    pending = [s for s in specs if s[0] not in finished]
    scattering_s, n_chunks = _scatter(plan, ctx["verbose"]) if pending else (0.0, 0)
    if n_chunks:
        ctx["log"](f"[scat] {plan.dataset} / {plan.kind}: {n_chunks} chunks in {scattering_s:.0f} s")
    rows = []
    for spec, train, test in specs:
        path = _record_path(ctx, spec)
        label = f"{spec.dataset} / {spec.representation} / seed {spec.seed} split {spec.split}"
        if spec in finished:
            ctx["log"](f"[skip] {label}: finished in an earlier invocation")
            rows.append(finished[spec])
            continue
        ctx["log"](f"[run ] {label}")
        scores = _fit_split(plan, train, test, ctx["device"], ctx["verbose"])
        row = _row(plan, spec, scores, scattering_s, train, test, ctx["device"])
        scattering_s = 0.0  # counted once, in the first split computed after it
        atomic_write_text(path, json.dumps({"spec": asdict(spec), "result": row}, indent=1))
        rows.append(row)
        _write_tables(ctx["output_dir"])
    return rows


def _record_path(ctx, spec):
    return ctx["output_dir"] / "runs" / f"{spec.key()}.json"


def run_cvpr2015(
    *,
    datasets,
    representations=REPRESENTATIONS,
    data_dir,
    output_dir="skscat-results",
    cache_dir=".skscat-cache",
    device="auto",
    verbose=True,
    log=print,
    **options,
):
    """Run the CVPR 2015 protocol on every (data set, representation, split); resumable.

    Plans first (:func:`plan_paper_runs`: every check, printed sizes, memory
    and time), then runs the plans (:func:`run_paper_plans`).

    Parameters
    ----------
    datasets : sequence of {"cifar10", "cifar100", "caltech101"}
    representations : sequence of {"translation", "roto-translation"}
    data_dir : str or os.PathLike
        Folder holding the data sets.
    output_dir : str or os.PathLike, default="skscat-results"
        Records (``runs/cvpr2015-*.json``) and tables (``results_cvpr2015.csv``/``.md``).
    cache_dir : str or os.PathLike, default=".skscat-cache"
        Scattering chunks (``features/<data set>-<representation>-<fingerprint>/``).
    device : str, default="auto"
        Device of the scattering, OLS and SVM.
    verbose : bool, default=True
        Progress bars (scattering chunks, OLS, SVM).
    log : callable, default=print
        Receives the plan and one line per run.
    **options
        Passed to :func:`plan_paper_runs`: ``image_size``, ``J``,
        ``n_atoms_per_class``, ``n_rounds``, ``train_per_class``, ``n_splits``,
        ``seeds``, ``n_classes``, ``max_per_class``, ``max_train_per_class``,
        ``max_test_per_class``, ``convention``, ``batch_size``, ``chunk_size``.

    Returns
    -------
    list of dict
        One row per split (keys: ``PAPER_COLUMNS``).
    """
    device = str(resolve_device(device))
    plans = plan_paper_runs(
        datasets, representations, data_dir, device=device, cache_dir=cache_dir, **options
    )
    return run_paper_plans(plans, output_dir=output_dir, device=device, verbose=verbose, log=log)


def run_paper_plans(plans, *, output_dir="skscat-results", device="auto", verbose=True, log=print):
    """Print the plans, then scatter and run every split of each (finished splits are read back).

    Parameters
    ----------
    plans : list
        From :func:`plan_paper_runs`.
    output_dir : str or os.PathLike, default="skscat-results"
        As in :func:`run_cvpr2015`. The tables list every cvpr2015 record of
        ``output_dir``, from this invocation and earlier ones.
    device : str, default="auto"
        As in :func:`run_cvpr2015`.
    verbose : bool, default=True
        As in :func:`run_cvpr2015`.
    log : callable, default=print
        As in :func:`run_cvpr2015`.

    Returns
    -------
    list of dict
        One record per split run.
    """
    output_dir = check_folder(output_dir, "output_dir")
    for path in sorted((output_dir / "runs").glob("cvpr2015-*.json")):
        read_result(path, _RECORD_KEYS)  # every record the tables will read, checked before any work
    for plan in plans:
        for line in plan.lines():
            log(line)
    output_dir.mkdir(parents=True, exist_ok=True)
    rows = []
    ctx = {
        "output_dir": output_dir,
        "device": str(resolve_device(device)),
        "verbose": verbose,
        "log": log,
    }
    for plan in plans:
        rows += _run_plan(plan, ctx)
        _write_tables(output_dir)
    return rows


SUMMARY_COLUMNS = [
    "dataset",
    "representation",
    "splits",
    "mean_class_accuracy",
    "accuracy",
    "published",
    "wall_time_s",
    "peak_memory_gb",
    "device",
]


def summarize_paper(rows):
    """Mean +- standard deviation over the splits of each (data set, representation); total wall time.

    Parameters
    ----------
    rows : list of dict
        Split rows (``PAPER_COLUMNS``).

    Returns
    -------
    list of dict
        Keys ``SUMMARY_COLUMNS``; accuracies as "mean +- std" strings.
    """
    return [
        {
            "dataset": dataset,
            "representation": kind,
            **accuracy_summary(members, count="splits"),
            "wall_time_s": round(sum(r["wall_time_s"] for r in members), 1),
            "peak_memory_gb": max(r["peak_memory_gb"] for r in members),
            "device": members[0]["device"],
        }
        for (dataset, kind), members in group_rows(rows, ("dataset", "representation")).items()
    ]


def _write_tables(output_dir):
    """``results_cvpr2015.csv`` (one row per split) and ``.md`` (the summary over splits, then the splits)
    from every cvpr2015 record in ``output_dir``, this invocation's and earlier ones'."""
    records = [read_result(p, _RECORD_KEYS) for p in sorted((output_dir / "runs").glob("cvpr2015-*.json"))]
    rows = sorted(records, key=lambda r: (r["dataset"], r["representation"], r["seed"], r["split"]))
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=PAPER_COLUMNS, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    atomic_write_text(output_dir / "results_cvpr2015.csv", buffer.getvalue())
    tables = format_markdown(summarize_paper(rows), columns=SUMMARY_COLUMNS) + "\n"
    atomic_write_text(
        output_dir / "results_cvpr2015.md", tables + format_markdown(rows, columns=PAPER_COLUMNS)
    )
