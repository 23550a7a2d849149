"""One call that measures every depth and writes a report folder (figures + CSV), resumably."""

import csv
import io
from pathlib import Path

import numpy as np

from ..utils import atomic_path, atomic_write_text
from ..utils._records import fingerprint, load_npz, npz_bytes, read_record, write_record
from ._depth import depth_accuracy_table
from ._lsv import local_support_vectors
from ._statistics import (
    class_pca_spectra,
    intra_class_distances,
    neighbor_distance_histograms,
)

__all__ = ["analysis_report"]


def analysis_report(
    train,
    y_train,
    test,
    y_test,
    folder,
    *,
    k_max=31,
    network_accuracy=None,
    classifiers=("1nn", "svm"),
    backend="auto",
    device="auto",
    prefix="",
    resume=True,
    cache_dir=None,
    verbose=False,
):
    """Measure every depth and write figures and CSV tables to ``folder``.

    For each layer (depth) of ``train``: 1-NN and Gaussian SVM test accuracy,
    local support vectors on the training set, the per-class PCA spectra,
    intra/inter-class distances and 2-NN distance histograms. Each depth's
    numbers are saved as soon as they are known (in ``cache_dir``), so an
    interrupted report resumes where it stopped; every file is written
    atomically.

    Parameters
    ----------
    train : dict of str to ndarray
        ``{layer: (n_train, d)}`` standardised features in depth order.
    y_train : array-like of shape (n_train,)
        Training labels.
    test : dict of str to ndarray
        The same layers for the test set.
    y_test : array-like of shape (n_test,)
        Test labels.
    folder : str or path-like
        Output folder (created).
    k_max : int, default=31
        Largest ``k`` of the local support vectors.
    network_accuracy : float, default=None
        The network's own test accuracy, for the accuracy figure.
    classifiers : sequence of {"1nn", "svm"}, default=("1nn", "svm")
    backend : {"auto", "torch", "sklearn"}, default="auto"
        SVM implementation.
    device : str, default="auto"
        Device of the neighbour searches and of ``TorchSVC``.
    prefix : str, default=""
        Prepended to every file name (e.g. ``"analysis_"``).
    resume : bool, default=True
        Reuse the saved numbers of a depth whose features are unchanged.
    cache_dir : str or path-like, default=None
        Where each depth's numbers are saved; ``None`` means ``folder/.layers``.
    verbose : bool, default=False
        Print each depth as it is done.

    Returns
    -------
    dict
        ``table`` (see :func:`depth_accuracy_table`), ``lsv`` (``{layer:
        counts}``), ``contraction`` (per-depth rows), and ``files`` (paths written).

    Notes
    -----
    Files written: ``accuracy_by_depth.png/.csv``, ``lsv.png``, ``lsv_counts.csv``,
    ``pca_spectra.png``, ``distance_histograms.png``, ``contraction.csv``.
    """
    folder = Path(folder)
    cache_dir = folder / ".layers" if cache_dir is None else Path(cache_dir)
    y_train, y_test = np.asarray(y_train), np.asarray(y_test)
    layers = {}
    for depth, name in enumerate(train, start=1):
        layers[name] = _layer_stats(
            cache_dir, depth, name, train[name], y_train, test[name], y_test,
            {"k_max": k_max, "classifiers": tuple(classifiers), "backend": backend, "device": device}, resume,
        )
        if verbose:
            print(f"depth {depth} ({name}): " + ", ".join(
                f"{c}={a:.3f}" for c, a in zip(layers[name]["classifier"], layers[name]["accuracy"])))
    return _write_outputs(folder, prefix, layers, network_accuracy)


def _layer_stats(cache_dir, depth, name, Z_train, y_train, Z_test, y_test, options, resume):
    """Every number of one depth, loaded from its cache file when unchanged."""
    key = fingerprint(options, Z_train, y_train, Z_test, y_test)
    cache = cache_dir / f"{depth:03d}.npz"
    saved = read_record(cache, match={"key": key}, load=load_npz) if resume else None
    if saved is not None:
        return _unpack(saved)
    stats = _measure(name, Z_train, y_train, Z_test, y_test, options)
    write_record(cache, {"key": key, **{k: np.asarray(v) for k, v in stats.items()}}, dump=npz_bytes)
    return stats


def _measure(name, Z_train, y_train, Z_test, y_test, options):
    table = depth_accuracy_table({name: Z_train}, y_train, {name: Z_test}, y_test,
                                 classifiers=options["classifiers"], backend=options["backend"],
                                 device=options["device"])
    lsv = local_support_vectors(Z_train, y_train, options["k_max"], device=options["device"])
    dist = intra_class_distances(Z_train, y_train, device=options["device"])
    hist = neighbor_distance_histograms(Z_train, y_train, n_neighbors=2, device=options["device"])
    return {
        "classifier": np.asarray(table["classifier"]),
        "accuracy": np.asarray(table["accuracy"]),
        "n_features": np.shape(Z_train)[1],
        "lsv_counts": lsv.counts,
        "pca_cumulative": class_pca_spectra(Z_train, y_train)["cumulative"],
        "intra": np.nanmean(dist["intra"]),
        "inter": np.mean(dist["inter"]),
        "hist_edges": hist["bin_edges"],
        "hist_same": hist["same"],
        "hist_different": hist["different"],
    }


def _unpack(saved):
    stats = {k: v for k, v in saved.items() if k != "key"}
    stats["n_features"] = int(stats["n_features"])
    stats["classifier"] = [str(c) for c in stats["classifier"]]
    return stats


def _write_outputs(folder, prefix, layers, network_accuracy):
    from ._plots import (
        plot_accuracy_by_depth,
        plot_distance_histograms,
        plot_lsv_curves,
        plot_pca_spectra,
    )

    table = _table(layers)
    lsv = {name: s["lsv_counts"] for name, s in layers.items()}
    contraction = _contraction_rows(layers)
    files = [
        _write_csv(folder / f"{prefix}accuracy_by_depth.csv", table),
        _write_csv(folder / f"{prefix}lsv_counts.csv", _lsv_rows(lsv)),
        _write_csv(folder / f"{prefix}contraction.csv", contraction),
        _save(plot_accuracy_by_depth(table, network_accuracy=network_accuracy).figure,
              folder / f"{prefix}accuracy_by_depth.png"),
        _save(plot_lsv_curves(lsv).figure, folder / f"{prefix}lsv.png"),
        _save(plot_pca_spectra({n: s["pca_cumulative"] for n, s in layers.items()}).figure,
              folder / f"{prefix}pca_spectra.png"),
        _save(plot_distance_histograms({n: _hist(s) for n, s in layers.items()}),
              folder / f"{prefix}distance_histograms.png"),
    ]
    return {"table": table, "lsv": lsv, "contraction": contraction, "files": files}


def _table(layers):
    rows = {"depth": [], "layer": [], "n_features": [], "classifier": [], "accuracy": []}
    for depth, (name, s) in enumerate(layers.items(), start=1):
        for clf, acc in zip(s["classifier"], s["accuracy"]):
            for key, value in zip(rows, (depth, name, int(s["n_features"]), str(clf), float(acc))):
                rows[key].append(value)
    return rows


def _contraction_rows(layers):
    rows = {"depth": [], "layer": [], "intra": [], "inter": [], "ratio": [], "lsv_1": [], "pca_90": []}
    for depth, (name, s) in enumerate(layers.items(), start=1):
        curve = np.asarray(s["pca_cumulative"]).mean(0)
        values = (depth, name, float(s["intra"]), float(s["inter"]), float(s["intra"] / s["inter"]),
                  int(s["lsv_counts"][0]), int(np.searchsorted(curve, 0.9) + 1))
        for key, value in zip(rows, values):
            rows[key].append(value)
    return rows


def _lsv_rows(lsv):
    rows = {"layer": [], "k": [], "count": []}
    for name, counts in lsv.items():
        for k, count in enumerate(np.asarray(counts).tolist(), start=1):
            rows["layer"].append(name)
            rows["k"].append(k)
            rows["count"].append(count)
    return rows


def _hist(s):
    return {"bin_edges": s["hist_edges"], "same": s["hist_same"], "different": s["hist_different"]}


def _write_csv(path, rows):
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(list(rows))
    writer.writerows(zip(*rows.values()))
    atomic_write_text(path, text.getvalue())
    return path


def _save(fig, path):
    import matplotlib.pyplot as plt

    with atomic_path(path) as tmp:
        fig.savefig(tmp, format="png", dpi=120)
    plt.close(fig)
    return path
