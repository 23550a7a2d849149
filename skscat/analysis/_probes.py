"""Representation probes: what a network (or a scattering cascade) computes at each depth."""

import copy
from collections.abc import Mapping
from numbers import Real

import numpy as np
import torch

from ..utils import batch_slices, resolve_device
from ._validation import check_positive_int

__all__ = [
    "layer_names",
    "layer_representations",
    "scattering_order_representations",
    "standardize_representations",
]

_SPATIAL = ("mean", None)


def layer_names(model):
    """List the submodules of ``model`` that :func:`layer_representations` can probe.

    Parameters
    ----------
    model : torch.nn.Module or fitted estimator with a ``module_`` attribute
        For example a fitted :class:`~skscat.networks.TorchCNNClassifier`.

    Returns
    -------
    list of str
        Every name of ``model.named_modules()`` except the root.

    Examples
    --------
    >>> import torch
    >>> from skscat.analysis import layer_names
    >>> layer_names(torch.nn.Sequential(torch.nn.Conv2d(1, 2, 3), torch.nn.ReLU()))
    ['0', '1']
    """
    module, _ = _module_and_shape(model)
    return [name for name, _ in module.named_modules() if name]


def layer_representations(model, X, layers, *, spatial="mean", batch_size=256, device="auto", verbose=False):
    """Collect the outputs of named layers for a data set, batch by batch.

    Forward hooks record each layer's output; the network runs in evaluation
    mode without gradients. ``model`` itself is left untouched (a copy moves
    to ``device`` when it lives elsewhere).

    Parameters
    ----------
    model : torch.nn.Module or fitted estimator with a ``module_`` attribute
        A fitted :class:`~skscat.networks.TorchCNNClassifier` works
        directly: its ``module_`` is probed and flat ``X`` is reshaped to its
        ``image_shape_``.
    X : array-like or Tensor of shape (n_samples, ...)
        Inputs of the network.
    layers : sequence of str
        Names from :func:`layer_names`, in the order to report them.
    spatial : {"mean", None}, default="mean"
        "mean" averages every axis after the channel axis (one vector per
        image); ``None`` keeps the grid (arrays of shape ``(n, C, H, W)``).
    batch_size : int, default=256
        Images per forward pass; bounds memory, never changes the result.
    device : str, default="auto"
        Where the network runs.
    verbose : bool, default=False
        Progress bar over batches.

    Returns
    -------
    dict of str to ndarray
        ``{layer: features}`` in the order of ``layers``; features are
        float32 of shape ``(n_samples, C)`` (or the full output shape).

    Raises
    ------
    ValueError
        If a layer name does not exist (the message lists the valid names),
        is given twice, or its module does not run exactly once per forward
        pass (a module reused at two depths has no single output to report:
        probe the layers around it, or wrap each use in its own module).

    Examples
    --------
    >>> import torch
    >>> from skscat.analysis import layer_representations
    >>> net = torch.nn.Sequential(torch.nn.Conv2d(3, 4, 3), torch.nn.ReLU())
    >>> feats = layer_representations(net, torch.zeros(5, 3, 8, 8), ["0", "1"], device="cpu")
    >>> {name: f.shape for name, f in feats.items()}
    {'0': (5, 4), '1': (5, 4)}
    """
    module, in_shape = _module_and_shape(model)
    _check_layers(module, layers)
    if spatial not in _SPATIAL:
        raise ValueError(f"spatial={spatial!r} is not an option; use 'mean' (one vector per image) or None.")
    X = _as_input(X, in_shape)
    dev = resolve_device(device)
    module = _on_device(module, dev)
    chunks = {name: [] for name in layers}
    handles = [_hook(module.get_submodule(name), chunks[name], spatial) for name in layers]
    was_training = module.training
    module.eval()
    try:
        with torch.no_grad():
            batches = batch_slices(len(X), batch_size, verbose=verbose, desc="probe")  # checks batch_size
            for n_batches, sl in enumerate(batches, 1):
                module(X[sl].to(dev))
                _check_ran_once(chunks, n_batches)
    finally:
        for handle in handles:
            handle.remove()
        module.train(was_training)
    return {name: np.concatenate(chunks[name]) for name in layers}


def _check_ran_once(chunks, n_batches):
    """Every probed layer ran once in the last forward pass (one output per batch)."""
    for name, sink in chunks.items():
        if len(sink) != n_batches:
            runs = len(sink) - (n_batches - 1)
            raise ValueError(
                f"layer {name!r} ran {runs} times in one forward pass: "
                + ("it is not used by the network's forward; probe a layer that is."
                   if runs == 0 else "the module is reused, so it has no single output per sample; probe the "
                   "layers around it, or give each use its own module.")
            )


def scattering_order_representations(transformer, X, *, orders=None, spatial="mean", n_channels=None):
    """Split a fitted scattering transformer's output by scattering order.

    Parameters
    ----------
    transformer : fitted ScatteringTransformer-like
        Needs ``transform(X)`` and a path table ``paths_`` (a mapping or
        DataFrame with an ``order`` column, one row per path). The column of
        each output feature is read from ``get_feature_paths_out()`` (as
        :class:`~skscat.scattering.ScatteringTransformer` and
        :class:`~skscat.scattering.RotoTranslationScattering` have; every
        layout and colour space works); a transformer without it must return
        the coefficients flattened from ``(n, C, n_paths, H', W')`` (or
        ``(n, C, n_paths)`` after pooling) and say ``C``.
    X : array-like
        Inputs accepted by ``transformer.transform``.
    orders : sequence of int, default=None
        Orders to return; ``None`` returns every order in the table.
    spatial : {"mean", None}, default="mean"
        Average the spatial positions, or keep them.
    n_channels : int, default=None
        Number ``C`` of channels scattered separately, for a transformer
        without ``get_feature_paths_out``; ``None`` reads its
        ``n_output_channels_``. With ``get_feature_paths_out`` it is only
        checked against the transformer's.

    Returns
    -------
    dict of str to ndarray
        ``{"order0": ..., "order1": ..., "order2": ...}``, each of shape
        ``(n, C * n_paths_of_that_order)`` (times the positions with
        ``spatial=None``), channels first, then paths.

    Raises
    ------
    ValueError
        If ``orders`` names an order the table lacks, or the output does
        not match the table and the channel count.
    TypeError
        If the channel count cannot be read (pass ``n_channels``).
    """
    if spatial not in _SPATIAL:
        raise ValueError(f"spatial={spatial!r} is not an option; use 'mean' or None.")
    order = np.asarray(_paths_of(transformer)["order"])
    if n_channels is not None:
        check_positive_int(n_channels, "n_channels")
    columns = _feature_columns(transformer, order.shape[0], n_channels)
    coeffs = np.asarray(transformer.transform(X))
    present = sorted(set(order.tolist()))
    orders = present if orders is None else list(orders)
    absent = [o for o in orders if o not in present]
    if absent:
        raise ValueError(f"orders contains {absent[0]}, but the transformer's paths have orders {present}.")
    if columns is None:
        return _split_reshaped(coeffs, order, orders, spatial, n_channels or _n_channels(transformer))
    return {f"order{o}": _order_columns(coeffs, columns, order == o, spatial) for o in orders}


def _feature_columns(transformer, n_paths, n_channels):
    """``(channel, path)`` of each output column from ``get_feature_paths_out``, or None."""
    get_paths = getattr(transformer, "get_feature_paths_out", None)
    if get_paths is None:
        return None
    columns = get_paths()
    found = int(np.max(columns["channel"])) + 1
    if n_channels is not None and n_channels != found:
        raise ValueError(f"n_channels={n_channels} but {type(transformer).__name__} scatters {found} channels; "
                         "leave n_channels=None.")
    return np.asarray(columns["channel"]), np.asarray(columns["path"])


def _order_columns(coeffs, columns, selected_paths, spatial):
    """The columns of the selected paths, channel then path order (averaged per path with "mean")."""
    channel, path = columns
    keep = np.flatnonzero(selected_paths[path])
    order = keep[np.lexsort((keep, path[keep], channel[keep]))]  # stable within (channel, path)
    picked = coeffs[:, order]
    if spatial != "mean":
        return picked
    group = channel[order] * selected_paths.size + path[order]
    starts = np.flatnonzero(np.r_[True, group[1:] != group[:-1]])
    counts = np.diff(np.r_[starts, group.size])
    return np.add.reduceat(picked, starts, axis=1) / counts


def _split_reshaped(coeffs, order, orders, spatial, channels):
    n, n_paths = coeffs.shape[0], order.shape[0]
    if coeffs.shape[1] % (channels * n_paths):
        raise ValueError(
            f"transform gives {coeffs.shape[1]} features, not a multiple of n_channels * n_paths = "
            f"{channels} * {n_paths}; pass the right n_channels."
        )
    coeffs = coeffs.reshape(n, channels, n_paths, -1)
    result = {}
    for o in orders:
        picked = coeffs[:, :, order == o, :]
        result[f"order{o}"] = (picked.mean(-1) if spatial == "mean" else picked).reshape(n, -1)
    return result


def standardize_representations(train, *others, eps=1e-12):
    """Standardise features per coordinate with the statistics of ``train``.

    Parameters
    ----------
    train : dict of str to ndarray
        ``{layer: (n_train, d)}``, for example from :func:`layer_representations`.
    *others : dict of str to ndarray
        Further sets (e.g. the test set) with the same keys, standardised with
        the *training* mean and standard deviation.
    eps : float, default=1e-12
        Coordinates whose training standard deviation is below ``eps`` are
        only centred.

    Returns
    -------
    tuple of dict
        The standardised ``train`` followed by the standardised ``others``
        (float64 arrays, flattened to 2-D).

    Examples
    --------
    >>> import numpy as np
    >>> from skscat.analysis import standardize_representations
    >>> tr, te = standardize_representations({"a": np.array([[0.0], [2.0]])}, {"a": np.array([[4.0]])})
    >>> tr["a"].ravel().tolist(), te["a"].ravel().tolist()
    ([-1.0, 1.0], [3.0])
    """
    if not isinstance(eps, Real) or not eps >= 0:
        raise ValueError(f"eps={eps!r} must be a number >= 0.")
    sets = (train, *others)
    for position, source in enumerate(sets):
        if not isinstance(source, Mapping):
            raise TypeError(f"set {position} is a {type(source).__name__}; pass dicts {{layer: (n, d) features}}.")
    out = tuple({} for _ in sets)
    for name in train:
        Z = _features_2d(train[name], name, "train")
        mean, std = Z.mean(0), Z.std(0)
        std = np.where(std < eps, 1.0, std)
        for position, (target, source) in enumerate(zip(out, sets)):
            if name not in source:
                raise ValueError(f"layer {name!r} is in train but missing from another set ({sorted(source)}).")
            features = Z if position == 0 else _features_2d(source[name], name, f"set {position}")
            if features.shape[1] != Z.shape[1]:
                raise ValueError(f"layer {name!r} has {features.shape[1]} features in set {position} but "
                                 f"{Z.shape[1]} in train; pass the same layer's features for every set.")
            target[name] = (features - mean) / std
    return out


def _features_2d(features, name, where):
    """One layer's features as a finite float64 (n, d) array with n >= 1."""
    Z = np.asarray(features, dtype=np.float64)
    if Z.ndim == 0 or Z.shape[0] == 0:
        raise ValueError(f"layer {name!r} of {where} has shape {Z.shape}: pass at least one sample.")
    Z = Z.reshape(Z.shape[0], -1)
    if not np.isfinite(Z).all():
        raise ValueError(f"layer {name!r} of {where} contains NaN or infinity; pass finite features.")
    return Z


def _module_and_shape(model):
    if isinstance(model, torch.nn.Module):
        return model, None
    module = getattr(model, "module_", None)
    if not isinstance(module, torch.nn.Module):
        raise TypeError(
            f"model must be a torch.nn.Module or a fitted estimator with a module_ attribute "
            f"(e.g. TorchCNNClassifier after fit); got {type(model).__name__}."
        )
    return module, getattr(model, "image_shape_", None)


def _check_layers(module, layers):
    if isinstance(layers, str):
        raise TypeError(f"layers must be a list of layer names, not the string {layers!r}; use [{layers!r}].")
    valid = [name for name, _ in module.named_modules() if name]
    missing = [name for name in layers if name not in valid]
    if missing or not layers:
        raise ValueError(
            f"layers {missing or list(layers)} are not layers of {type(module).__name__}; "
            f"valid names: {valid}."
        )
    repeated = sorted({name for name in layers if list(layers).count(name) > 1})
    if repeated:
        raise ValueError(f"layers names {repeated} more than once; pass each layer once (the result is a dict).")


def _as_input(X, in_shape):
    X = torch.as_tensor(np.asarray(X) if not torch.is_tensor(X) else X).float()
    if in_shape is not None and tuple(X.shape[1:]) != tuple(in_shape):
        if int(np.prod(X.shape[1:])) != int(np.prod(in_shape)):
            raise ValueError(f"X has samples of shape {tuple(X.shape[1:])}; the model expects {tuple(in_shape)}.")
        X = X.reshape(len(X), *in_shape)
    if X.ndim == 0 or len(X) == 0:
        raise ValueError(f"X has shape {tuple(X.shape)}: pass at least one sample (n_samples >= 1).")
    if not torch.isfinite(X).all():
        raise ValueError("X contains NaN or infinity; pass finite inputs.")
    return X


def _on_device(module, device):
    tensors = list(module.parameters()) + list(module.buffers())
    if all(t.device == device for t in tensors):
        return module
    return copy.deepcopy(module).to(device)


def _hook(layer, sink, spatial):
    def record(_module, _inputs, output):
        out = output[0] if isinstance(output, (tuple, list)) else output
        out = out.detach().float()
        # Copy now: a later in-place layer (ReLU(inplace=True)) would overwrite the output.
        out = out.flatten(2).mean(-1) if spatial == "mean" and out.dim() > 2 else out.clone()
        sink.append(out.cpu().numpy())

    return layer.register_forward_hook(record)


def _paths_of(transformer):
    for attr in ("paths_", "paths"):
        paths = getattr(transformer, attr, None)
        if paths is not None:
            return paths
    raise TypeError(
        f"{type(transformer).__name__} has no path table (paths_ with an 'order' column); "
        "pass a fitted ScatteringTransformer."
    )


def _n_channels(transformer):
    channels = getattr(transformer, "n_output_channels_", None)
    if channels is None:
        raise TypeError(
            f"{type(transformer).__name__} says neither its output columns (get_feature_paths_out) nor its "
            "channel count (n_output_channels_); pass n_channels=C, the number of channels it scatters."
        )
    return int(channels)
