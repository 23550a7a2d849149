"""The plan of one cvpr2015 run: sizes, checks, and the memory and time it will need.

Times come from throughput measured here, now, on the run's device: reading,
preprocessing and scattering two of the run's images, the OLS selector and the
one-vs-all SVM on small synthetic problems with the run's number of classes,
scaled to the run's sizes (OLS: rows x features x steps; SVM: training rows x
all rows). They are estimates: on a shared machine they follow its load, and
the SVM's solver time depends on the data.
"""

import time
from dataclasses import dataclass

import numpy as np

from skscat.feature_selection import OrthogonalLeastSquaresSelector
from skscat.svm import MeanNormGaussianSVC

from ._features import ChunkedFeatures
from ._paper import describe_operators, n_reduced_features, paper_planes, representation

__all__ = [
    "GB",
    "C",
    "PaperPlan",
    "check_sizes",
    "fit_transformers",
    "measure_ols",
    "measure_svm",
    "selector_class",
    "svm_memory_plan",
]

C = 50.0  # the paper's SVM regularisation
GB = 1e9
_SVM_PROBE = (600, 300)  # training and test rows of the SVM probe


def selector_class():
    """The OLS selector the protocol uses (one seam, so tests can substitute a cheaper one)."""
    return OrthogonalLeastSquaresSelector


@dataclass
class PaperPlan:
    """One (data set, representation): its transformers, feature store, splits and measured throughput."""

    dataset: str
    kind: str
    convention: str
    setting: object
    source: object
    transformers: list
    store: ChunkedFeatures
    runs: list
    throughput: dict  # seconds per image / per OLS row-feature-step / per SVM row pair
    svm_plan: dict  # MeanNormGaussianSVC.memory_plan of the largest split
    train_per_class: int = None  # Caltech-101; None for the official CIFAR split

    @property
    def n_features(self):
        return self.store.n_features

    @property
    def n_classes(self):
        return self.source.n_classes

    def sizes(self):
        """Largest training and test sets over the splits."""
        return max(len(r[2]) for r in self.runs), max(len(r[3]) for r in self.runs)

    def memory(self):
        """Peak bytes of one split: training features, test blocks, OLS state, reduced features, kernel."""
        n_train, n_test = self.sizes()
        d = n_reduced_features(self.setting, self.n_classes)
        return {
            "training features": self.store.nbytes(n_train),
            "feature blocks": 2 * self.store.nbytes(self.store.chunk_size),
            "OLS state": 4 * 8 * self.n_features * self.n_classes + 8 * n_train * d,
            "reduced features": 4 * (n_train + n_test) * d,
            "SVM": self.svm_plan["total_bytes"],
        }

    def free_bytes(self):
        """Free host memory now (the SVM's measurement on a CPU run), or None where unknown."""
        return self.svm_plan.get("free_bytes") if self.svm_plan["device"] == "cpu" else None

    def check_memory(self):
        """Refuse a CPU run whose planned peak exceeds the free memory, saying how much it needs."""
        need, free = sum(self.memory().values()), self.free_bytes()
        if free is not None and need > free:
            raise MemoryError(
                f"{self.dataset} / {self.kind} needs ~{need / GB:.1f} GB ({_format(self.memory(), GB, 'GB')}) "
                f"but {free / GB:.1f} GB are free; free memory, or run a subset (--n-classes, "
                "--max-train-per-class) or on a machine with more memory."
            )

    def seconds(self):
        """Estimated seconds: scattering of the missing chunks, then OLS and SVM of every split."""
        n_train, n_test = self.sizes()
        missing = sum(_length(self.store.chunk_rows(i)) for i in self.store.missing())
        steps = self.setting.n_atoms_per_class * self.setting.n_rounds
        rate = self.throughput
        n_runs = len(self.runs)
        return {
            "scattering": missing * rate["image"],
            "OLS": n_runs * steps * n_train * self.n_features * rate["ols"],
            "SVM": n_runs * n_train * (n_train + n_test) * rate["svm"],
        }

    def lines(self):
        """The printed plan: what runs, the memory and the time it needs."""
        n_train, n_test = self.sizes()
        memory, seconds, setting = self.memory(), self.seconds(), self.setting
        head = (
            f"[plan] {self.dataset} / {self.kind} ({self.convention} conventions): {self.source.description}"
        )
        planes = (
            f"planes {describe_operators(setting.groups, self.transformers)} -> {self.n_features:,} features "
            "per image; OLS "
            f"{setting.n_atoms_per_class} atoms x {self.n_classes} classes x {setting.n_rounds} rounds = "
            f"{n_reduced_features(setting, self.n_classes):,}; SVM C={C:g}, sigma = mean norm, "
            f"{self.svm_plan['path']}"
        )
        runs = (
            f"{len(self.runs)} split(s) of {n_train:,} train / {n_test:,} test; features cached in "
            f"{self.store.folder} ({len(self.store.missing())} of {self.store.n_chunks} chunks to compute)"
        )
        free = self.free_bytes()
        ram = f"memory ~{_format(memory, GB, 'GB')}: peak ~{sum(memory.values()) / GB:.1f} GB" + (
            "" if free is None else f" of {free / GB:.1f} GB free"
        )
        total = sum(seconds.values())
        clock = (
            f"time ~{_format(seconds, 60, 'min')}: ~{total / 60:.0f} min in all "
            f"(measured here: {self.throughput['image']:.3f} s per image; OLS and SVM from small probes)"
        )
        return [head] + ["       " + line for line in (planes, runs, ram, clock)]


def _length(rows):
    return rows.stop - rows.start


def _format(parts, unit, name):
    return ", ".join(f"{label} {value / unit:.1f} {name}" for label, value in parts.items())


def fit_transformers(kind, setting, convention, source, device, batch_size):
    """One fitted transformer per plane group, the features per image and the measured seconds per image.

    The seconds cover what a chunk does: decoding and preprocessing two real
    images of ``source``, then scattering them (after a warm-up call, which
    allocates and plans the FFTs).
    """
    start = time.perf_counter()
    probe = paper_planes(source.read(slice(0, min(2, source.n_images))), setting.groups)
    seconds = time.perf_counter() - start
    transformers, n_features = [], 0
    for group, planes in zip(setting.groups, probe):
        transformer = representation(kind, group, convention=convention, device=device, batch_size=batch_size)
        transformer.fit(planes)
        transformer.transform(planes[:1])
        start = time.perf_counter()
        n_features += transformer.transform(planes).shape[1]
        seconds += time.perf_counter() - start
        transformers.append(transformer)
    return transformers, n_features, seconds / len(probe[0])


def measure_ols(device, n_classes):
    """Seconds per (training row x feature x step) of the OLS selector with ``n_classes`` classes.

    Each step is one pass over X for all the classes, so a step costs rows x
    features; the probe has many rows (2,048) so that the per-step work on the
    features alone (the classes' statistics) stays small beside it, and the
    fixed cost of a fit (validation, QR) is taken out by timing 4 and 12 steps
    and keeping the difference.
    """
    rng = np.random.default_rng(0)
    n, F = max(2048, 8 * n_classes), 4096
    X = rng.standard_normal((n, F), dtype=np.float32)
    y = np.arange(n) % n_classes
    seconds = []
    for steps in (4, 12):
        selector = selector_class()(n_atoms_per_class=steps, n_rounds=1, device=device)
        start = time.perf_counter()
        selector.fit(X, y)
        seconds.append(time.perf_counter() - start)
    per_step = (seconds[1] - seconds[0]) / 8
    if per_step <= 0:  # timing noise on a loaded machine: fall back to the whole fit
        per_step = seconds[1] / 12
    return per_step / (n * F)


def svm_memory_plan(device, n_train, n_reduced, n_classes):
    """The SVM's own memory plan for the largest split (kernel, features, workspace)."""
    return MeanNormGaussianSVC(C=C, device=device).memory_plan(n_train, n_reduced, n_classes)


def measure_svm(device, n_classes, n_reduced):
    """Seconds per (training row x row) of the one-vs-all SVM's fit and predict, on a probe problem.

    Scaled by n_train x (n_train + n_test): the kernel rows and the solver's
    updates grow with the square of the training set. The probe's classes
    are Gaussian blobs about as far apart as their spread (random labels
    would make every vector a support vector and the solver far slower than
    on real features).
    """
    rng = np.random.default_rng(0)
    n_train, n_test = _SVM_PROBE
    d = min(n_reduced, 16384)
    y = np.arange(n_train + n_test) % n_classes
    X = (
        rng.standard_normal((len(y), d), dtype=np.float32)
        + rng.standard_normal((n_classes, d), dtype=np.float32)[y]
    )
    svm = MeanNormGaussianSVC(C=C, device=device)
    start = time.perf_counter()
    svm.fit(X[:n_train], y[:n_train]).predict(X[n_train:])
    return (time.perf_counter() - start) / (n_train * (n_train + n_test))


def check_sizes(dataset, kind, setting, source, runs, n_features):
    """Clear errors before any work: one class, too few training rows or features for the atoms."""
    if source.n_classes < 2:
        raise ValueError(
            f"dataset={dataset!r} has {source.n_classes} class here; the one-vs-all protocol needs at "
            "least 2 (raise --n-classes)."
        )
    D = setting.n_atoms_per_class
    for _, _, train, _ in runs:
        counts = np.bincount(source.target[train])
        smallest = counts[counts > 0].min()
        if D > smallest:
            raise ValueError(
                f"n_atoms_per_class={D} is larger than the {smallest} training rows of the smallest class "
                f"of {dataset!r}; OLS selects at most one atom per training row of a class. Use "
                f"--n-atoms <= {smallest} or more training images per class."
            )
    if D * setting.n_rounds > n_features:
        raise ValueError(
            f"n_atoms_per_class={D} x n_rounds={setting.n_rounds} exceeds the {n_features} features of "
            f"{dataset!r} / {kind}; use fewer --n-atoms or --n-rounds, or a larger representation."
        )
