"""Figures of the per-depth analysis (matplotlib is imported only when a plot is drawn)."""

import numpy as np

__all__ = ["plot_accuracy_by_depth", "plot_distance_histograms", "plot_lsv_curves", "plot_pca_spectra"]

_LABELS = {"1nn": "1-NN", "svm": "Gaussian SVM"}


def _pyplot():
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:
        raise ImportError("plotting needs matplotlib: pip install 'skscat[plot]'.") from exc
    return plt


def _axes(ax):
    if ax is not None:
        return ax
    return _pyplot().subplots(figsize=(6, 4), layout="constrained")[1]


def plot_accuracy_by_depth(table, *, network_accuracy=None, ax=None):
    """Accuracy of each per-depth classifier against depth.

    Parameters
    ----------
    table : dict of list or pandas.DataFrame
        Output of :func:`depth_accuracy_table`.
    network_accuracy : float, default=None
        The network's own test accuracy, drawn as a horizontal line.
    ax : matplotlib Axes, default=None
        Where to draw; a new figure when ``None``.

    Returns
    -------
    matplotlib Axes
        The axes drawn on.
    """
    ax = _axes(ax)
    columns = {key: np.asarray(table[key]) for key in ("depth", "classifier", "accuracy", "layer")}
    for clf in dict.fromkeys(columns["classifier"].tolist()):
        sel = columns["classifier"] == clf
        ax.plot(columns["depth"][sel], 100 * columns["accuracy"][sel], "o-", label=_LABELS.get(clf, clf))
    if network_accuracy is not None:
        ax.axhline(100 * network_accuracy, color="k", ls="--", lw=1, label="network")
    depths, first = np.unique(columns["depth"], return_index=True)
    ax.set_xticks(depths, columns["layer"][first], rotation=45, ha="right", fontsize=7)
    ax.set(xlabel="depth (layer)", ylabel="test accuracy (%)", title="Separation across depth")
    ax.grid(alpha=0.3)
    ax.legend()
    return ax


def plot_lsv_curves(counts, *, ax=None, log=True):
    """``|Gamma^k_j|`` against ``k``, one curve per depth ``j``.

    Parameters
    ----------
    counts : dict of str to array-like or LocalSupportVectors
        ``{layer: counts}`` in depth order.
    ax : matplotlib Axes, default=None
        Where to draw; a new figure when ``None``.
    log : bool, default=True
        Logarithmic y axis (empty sets are not drawn there).

    Returns
    -------
    matplotlib Axes
        The axes drawn on.
    """
    ax = _axes(ax)
    colors = _pyplot().cm.viridis(np.linspace(0, 1, max(len(counts), 2)))
    for color, (name, c) in zip(colors, counts.items()):
        c = np.asarray(getattr(c, "counts", c), dtype=float)
        ax.plot(np.arange(1, c.size + 1), np.where(c > 0, c, np.nan) if log else c, color=color, label=name)
    if log:
        ax.set_yscale("log")
    ax.set(xlabel="k", ylabel=r"$|\Gamma^k_j|$", title="Local support vectors per depth")
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=7, ncol=2)
    return ax


def plot_pca_spectra(spectra, *, ax=None, max_components=None):
    """Class-averaged cumulative PCA spectrum, one curve per depth.

    Parameters
    ----------
    spectra : dict of str to ndarray or dict
        ``{layer: cumulative}`` with ``cumulative`` of shape
        ``(n_classes, d)`` (or the dict returned by :func:`class_pca_spectra`).
    ax : matplotlib Axes, default=None
        Where to draw; a new figure when ``None``.
    max_components : int, default=None
        Truncate the x axis.

    Returns
    -------
    matplotlib Axes
        The axes drawn on.
    """
    ax = _axes(ax)
    colors = _pyplot().cm.viridis(np.linspace(0, 1, max(len(spectra), 2)))
    for color, (name, s) in zip(colors, spectra.items()):
        curve = np.asarray(s["cumulative"] if isinstance(s, dict) else s).mean(0)[:max_components]
        ax.plot(np.arange(1, curve.size + 1), curve, color=color, label=name)
    ax.set(xlabel="principal components", ylabel="cumulative variance (class average)",
           title="Per-class PCA spectra per depth", ylim=(0, 1.02))
    ax.set_xscale("log")
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=7, ncol=2)
    return ax


def plot_distance_histograms(histograms, *, max_panels=4):
    """Nearest-neighbour distance histograms, same vs different label, for a few depths.

    Parameters
    ----------
    histograms : dict of str to dict
        ``{layer: neighbor_distance_histograms(...)}`` in depth order.
    max_panels : int, default=4
        Depths shown (evenly spaced, first and last included).

    Returns
    -------
    matplotlib Figure
        One panel per depth shown.
    """
    plt = _pyplot()
    names = list(histograms)
    picked = [names[i] for i in np.unique(np.linspace(0, len(names) - 1, min(max_panels, len(names))).astype(int))]
    fig, axes = plt.subplots(1, len(picked), figsize=(3.2 * len(picked), 3), layout="constrained", squeeze=False)
    for ax, name in zip(axes[0], picked):
        h = histograms[name]
        ax.stairs(h["different"], h["bin_edges"], fill=True, alpha=0.4, color="tab:orange", label="other label")
        ax.stairs(h["same"], h["bin_edges"], lw=2, color="tab:blue", label="same label")
        ax.set(title=name, xlabel="neighbour distance")
    axes[0, 0].set_ylabel("count")
    axes[0, 0].legend(fontsize=7)
    return fig
