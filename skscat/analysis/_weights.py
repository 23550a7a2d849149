"""Fourier analysis of a 1x1 convolution on scattering channels (the Shared Local Encoder's W1).

A scattering path is ``(order, j1, theta1, j2, theta2)``. For a weight ``W``
of shape ``(out, C * K)`` (input channel ``c * K + p`` is colour ``c``, path
``p``), the channels that differ only by ``theta1`` form a length-``L``
signal per output unit; with ``axes="theta1_theta2"`` the order-2 channels
that differ only by ``(theta1, theta2)`` form ``L x L`` signals. Their
orthonormal discrete Fourier transforms are the coefficients analysed here
(the talk: W1 is sparse in this basis; zeroing 80 % of the coefficients
costs about 2 % accuracy). Order-0 channels carry no angle and are left as
they are.
"""

import copy
from dataclasses import dataclass

import numpy as np
import torch

__all__ = [
    "WeightFourier",
    "fourier_sparsity",
    "fourier_threshold_accuracy",
    "threshold_fourier",
    "weight_fourier",
]

_AXES = ("theta1", "theta1_theta2")
_FIELDS = ("order", "j1", "theta1", "j2", "theta2")


@dataclass(frozen=True)
class WeightFourier:
    """Fourier coefficients of a weight matrix, grouped by the angles they transform.

    Attributes
    ----------
    channels : list of ndarray of int
        One array per block, of shape ``(n_groups, L)`` (1-D transforms
        along ``theta1``) or ``(n_groups, L, L)`` (2-D transforms along
        ``(theta1, theta2)``): the input channels of each signal, in angle order.
    coefficients : list of ndarray of complex
        Per block, shape ``(out, *channels.shape)``: the orthonormal DFT along
        the angle axes.
    fixed : ndarray of int
        Input channels with no angle (order 0), not transformed.
    """

    channels: list
    coefficients: list
    fixed: np.ndarray


def weight_fourier(weight, paths, *, axes="theta1"):
    """Fourier transform of a 1x1 convolution's weight along the scattering angles.

    Parameters
    ----------
    weight : array-like or Tensor of shape (out, C * K) or (out, C * K, 1, 1)
        For example ``SharedLocalEncoder.encoder[0].weight``.
    paths : mapping of str to array of int
        The path table of the ``K`` scattering paths (keys ``order``, ``j1``,
        ``theta1``, ``j2``, ``theta2`` and, for the roto-translation
        scattering, ``angular_scale``; ``-1`` where a field does not apply),
        e.g. ``front_end.scattering.paths`` or
        :func:`~skscat.scattering.roto_translation_paths`. Each signal is
        transformed on the angle values it has (a roto-translation angular
        filter's subsampled ``theta1``, the ``2 L`` values of its ``theta2``).
    axes : {"theta1", "theta1_theta2"}, default="theta1"
        Transform along ``theta1`` only (orders 1 and 2), or along
        ``theta1`` for order 1 and ``(theta1, theta2)`` jointly for order 2.

    Returns
    -------
    WeightFourier
        The coefficients, their channel layout and the paths kept fixed.

    Examples
    --------
    >>> import numpy as np
    >>> from skscat.analysis import weight_fourier
    >>> from skscat.scattering import scattering_paths
    >>> paths = scattering_paths(J=2, L=4)
    >>> W = np.ones((2, 3 * len(paths["order"])))
    >>> wf = weight_fourier(W, paths)
    >>> [c.shape for c in wf.channels], wf.fixed.tolist()
    ([(6, 4), (12, 4)], [0, 25, 50])
    >>> bool(np.allclose(wf.coefficients[0][..., 1:], 0))
    True
    """
    W = _as_matrix(weight)
    table = _check_paths(paths)
    if axes not in _AXES:
        raise ValueError(f"axes={axes!r} is not an option; use one of {_AXES}.")
    n_colors = _n_colors(W.shape[1], table)
    blocks = _blocks(table, n_colors, axes)
    coefficients = [np.fft.fftn(W[:, idx], axes=_fft_axes(idx), norm="ortho") for idx in blocks]
    fixed = np.flatnonzero(np.tile(table["order"] == 0, n_colors))
    return WeightFourier(blocks, coefficients, fixed)


def fourier_sparsity(weight, paths, *, axes="theta1", energy=0.9):
    """Fraction of coefficients needed to hold ``energy`` of the weight's energy, Fourier vs direct.

    Parameters
    ----------
    weight : array-like or Tensor
        See :func:`weight_fourier`.
    paths : mapping
        Path table, see :func:`weight_fourier`.
    axes : {"theta1", "theta1_theta2"}, default="theta1"
    energy : float, default=0.9
        Fraction of the (angle-dependent channels') squared norm to hold.

    Returns
    -------
    dict
        ``fourier`` and ``direct``: smallest fraction of coefficients (largest
        first) whose squared magnitudes add up to ``energy`` of the total, in
        the Fourier basis and in the original channel basis. A sparser
        Fourier representation gives ``fourier < direct``.
    """
    if not 0 < energy <= 1:
        raise ValueError(f"energy={energy!r} must be in (0, 1].")
    wf = weight_fourier(weight, paths, axes=axes)
    W = _as_matrix(weight)
    direct = np.concatenate([W[:, idx].ravel() for idx in wf.channels])
    fourier = np.concatenate([c.ravel() for c in wf.coefficients])
    return {"fourier": _energy_fraction(fourier, energy), "direct": _energy_fraction(direct, energy)}


def _energy_fraction(values, energy):
    power = np.sort(np.abs(values) ** 2)[::-1]
    if power.sum() == 0:
        return 0.0
    needed = np.searchsorted(np.cumsum(power), energy * power.sum() * (1 - 1e-12)) + 1
    return float(min(needed, power.size) / power.size)


def threshold_fourier(weight, paths, *, fraction=0.8, axes="theta1"):
    """Zero the smallest ``fraction`` of the Fourier coefficients and transform back.

    Parameters
    ----------
    weight : array-like or Tensor
        See :func:`weight_fourier`.
    paths : mapping
        Path table, see :func:`weight_fourier`.
    fraction : float, default=0.8
        Fraction of the coefficients (all blocks together, by magnitude) set
        to zero.
    axes : {"theta1", "theta1_theta2"}, default="theta1"

    Returns
    -------
    ndarray
        The thresholded weight (real part of the inverse transform), of the
        shape of ``weight``; order-0 channels unchanged.

    Examples
    --------
    >>> import numpy as np
    >>> from skscat.analysis import threshold_fourier
    >>> from skscat.scattering import scattering_paths
    >>> paths = scattering_paths(J=1, L=4)
    >>> W = np.array([[5.0, 1.0, 1.0, 1.0, 1.0]])
    >>> threshold_fourier(W, paths, fraction=0.75).tolist()
    [[5.0, 1.0, 1.0, 1.0, 1.0]]
    """
    if not 0 <= fraction <= 1:
        raise ValueError(f"fraction={fraction!r} must be in [0, 1].")
    shape = tuple(np.shape(weight))
    W = _as_matrix(weight).copy()
    wf = weight_fourier(W, paths, axes=axes)
    magnitudes = np.concatenate([np.abs(c).ravel() for c in wf.coefficients])
    # int(): with NumPy 1.x, round() of a NumPy scalar ``fraction`` is not an int.
    n_zero = int(round(fraction * magnitudes.size))  # noqa: RUF046
    cut = np.sort(magnitudes)[n_zero - 1] if n_zero > 0 else -np.inf
    for idx, coef in zip(wf.channels, wf.coefficients):
        kept = np.where(np.abs(coef) > cut, coef, 0)
        W[:, idx] = np.fft.ifftn(kept, axes=_fft_axes(idx), norm="ortho").real
    return W.reshape(shape)


def fourier_threshold_accuracy(
    classifier, X, y, *, fraction=0.8, axes="theta1", layer="encoder.0", paths=None
):
    """Accuracy of a fitted network before and after thresholding a 1x1 layer in Fourier.

    Parameters
    ----------
    classifier : fitted estimator with ``module_`` and ``score``
        E.g. ``TorchCNNClassifier(module="scat_sle")`` after ``fit``. It is
        not modified: a copy gets the thresholded weight.
    X, y : array-like
        Evaluation data.
    fraction : float, default=0.8
        Fraction of the Fourier coefficients zeroed.
    axes : {"theta1", "theta1_theta2"}, default="theta1"
    layer : str, default="encoder.0"
        Name (in ``module_``) of the 1x1 convolution to threshold.
    paths : mapping, default=None
        Path table; ``None`` reads ``module_.front_end.scattering.paths``.

    Returns
    -------
    dict
        ``accuracy`` (original), ``thresholded_accuracy``, ``drop``
        (difference), ``fraction`` and ``sparsity`` (see
        :func:`fourier_sparsity`).
    """
    module = getattr(classifier, "module_", None)
    if module is None:
        raise TypeError(f"classifier must be fitted and have a module_ attribute; got {type(classifier).__name__}.")
    paths = _default_paths(module) if paths is None else paths
    weight = _layer_weight(module, layer)
    thresholded = threshold_fourier(weight, paths, fraction=fraction, axes=axes)
    clone = copy.deepcopy(classifier)
    with torch.no_grad():
        target = clone.module_.get_submodule(layer).weight
        target.copy_(torch.as_tensor(thresholded, dtype=target.dtype))
    before, after = float(classifier.score(X, y)), float(clone.score(X, y))
    sparsity = fourier_sparsity(weight, paths, axes=axes)
    return {"accuracy": before, "thresholded_accuracy": after, "drop": before - after,
            "fraction": fraction, "sparsity": sparsity}


def _default_paths(module):
    try:
        return module.front_end.scattering.paths
    except AttributeError as exc:
        raise ValueError(
            f"{type(module).__name__} has no front_end.scattering.paths; pass paths= (a scattering path table)."
        ) from exc


def _layer_weight(module, layer):
    valid = [name for name, m in module.named_modules() if isinstance(getattr(m, "weight", None), torch.Tensor)]
    if layer not in valid:
        raise ValueError(f"layer={layer!r} is not a layer with a weight; valid names: {valid}.")
    return module.get_submodule(layer).weight.detach().cpu().numpy()


def _as_matrix(weight):
    W = weight.detach().cpu().numpy() if torch.is_tensor(weight) else np.asarray(weight)
    W = np.asarray(W, dtype=np.float64)
    if W.ndim == 4 and W.shape[2:] == (1, 1):
        W = W[:, :, 0, 0]
    if W.ndim != 2:
        raise ValueError(f"weight has shape {W.shape}; pass a 1x1 convolution weight (out, in[, 1, 1]).")
    if not np.isfinite(W).all():
        raise ValueError("weight contains NaN or infinity; pass a finite weight.")
    return W


def _check_paths(paths):
    missing = [field for field in _FIELDS if field not in paths]
    if missing:
        raise ValueError(f"paths lacks the columns {missing}; pass a table with {list(_FIELDS)}.")
    fields = (*_FIELDS, "angular_scale") if "angular_scale" in paths else _FIELDS
    table = {field: np.asarray(paths[field]) for field in fields}
    if len({column.shape for column in table.values()}) != 1 or table["order"].ndim != 1:
        raise ValueError(f"paths has columns of different lengths ({ {f: c.shape for f, c in table.items()} }); "
                         "pass one row per scattering path.")
    return table


def _n_colors(n_in, table):
    n_paths = table["order"].shape[0]
    if n_paths == 0 or n_in % n_paths:
        raise ValueError(f"weight has {n_in} input channels, not a multiple of the {n_paths} scattering paths.")
    return n_in // n_paths


def _blocks(table, n_colors, axes):
    """Channel-index arrays, one per block of signals on the same angle grid.

    Signals are the channels of one order that agree on every field but the
    transformed angles (``angular_scale`` included: roto-translation paths
    have one signal per angular filter, on that filter's subsampled angles).
    """
    K = table["order"].shape[0]
    blocks = []
    for order in (1, 2):
        sel = np.flatnonzero(table["order"] == order)
        if sel.size == 0:
            continue
        angles = ("theta1", "theta2") if order == 2 and axes == "theta1_theta2" else ("theta1",)
        keys = [field for field in table if field not in (*angles, "order")]
        for grid in _signals_by_grid(table, sel, keys, angles, order).values():
            signals = np.stack(grid)
            blocks.append(np.concatenate([c * K + signals for c in range(n_colors)]))
    return blocks


def _signals_by_grid(table, sel, keys, angles, order):
    """``{angle grid: [channels of one signal arranged on it, ...]}`` for the channels ``sel``."""
    _, group = np.unique(np.stack([table[f][sel] for f in keys], 1), axis=0, return_inverse=True)
    grids = {}
    for g in range(group.max() + 1):
        members = sel[group.ravel() == g]
        values = [np.unique(table[a][members]) for a in angles]
        positions = tuple(np.searchsorted(v, table[a][members]) for v, a in zip(values, angles))
        signal = np.full([len(v) for v in values], -1, dtype=np.int64)
        signal[positions] = members
        if (signal < 0).any() or signal.size != members.size:
            fixed = {f: int(table[f][members[0]]) for f in keys}
            raise ValueError(f"paths: the order-{order} channels with {fixed} do not cover each "
                             f"{' x '.join(angles)} value exactly once; pass a complete path table.")
        grid = tuple(tuple(v.tolist()) for v in values)
        scale = int(table["angular_scale"][members[0]]) if "angular_scale" in table else -1
        # One angle grid per angular filter: a signal with fewer angles lacks channels.
        if grids.setdefault(scale, (grid, []))[0] != grid:
            raise ValueError(f"paths: the order-{order} channels with angular_scale={scale} lie on different "
                             f"{' x '.join(angles)} grids ({grids[scale][0]} and {grid}); pass a complete path table.")
        grids[scale][1].append(signal)
    by_grid = {}
    for grid, signals in grids.values():
        by_grid.setdefault(grid, []).extend(signals)
    return by_grid


def _fft_axes(idx):
    return tuple(range(2, idx.ndim + 1))
