"""Representation probes: what a network (or a scattering cascade) computes at each depth."""

import copy

import numpy as np
import torch

from ..utils import batch_slices, resolve_device

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
        If a layer name does not exist (the message lists the valid names).

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
            for sl in batch_slices(len(X), batch_size, verbose=verbose, desc="probe"):
                module(X[sl].to(dev))
    finally:
        for handle in handles:
            handle.remove()
        module.train(was_training)
    return {name: np.concatenate(chunks[name]) for name in layers}


def scattering_order_representations(transformer, X, *, orders=None, spatial="mean", n_channels=None):
    """Split a fitted scattering transformer's output by scattering order.

    Parameters
    ----------
    transformer : fitted ScatteringTransformer-like
        Needs ``transform(X)`` returning the coefficients flattened from
        ``(n, C, n_paths, H', W')`` (or ``(n, C, n_paths)`` after pooling),
        and a path table ``paths_`` (a mapping or DataFrame with an
        ``order`` column, one row per path).
    X : array-like
        Inputs accepted by ``transformer.transform``.
    orders : sequence of int, default=None
        Orders to return; ``None`` returns every order in the table.
    spatial : {"mean", None}, default="mean"
        Average the spatial positions, or keep them.
    n_channels : int, default=None
        Number ``C`` of input channels transformed separately; ``None`` reads
        ``transformer.n_channels_`` or ``transformer.image_shape_[0]`` (as
        :class:`~skscat.scattering.ScatteringTransformer` sets), or the first
        entry of a 3-D ``transformer.shape``, and otherwise assumes 1.

    Returns
    -------
    dict of str to ndarray
        ``{"order0": ..., "order1": ..., "order2": ...}``, each of shape
        ``(n, C * n_paths_of_that_order)`` (times ``H' W'`` with
        ``spatial=None``), channels first, then paths.
    """
    if spatial not in _SPATIAL:
        raise ValueError(f"spatial={spatial!r} is not an option; use 'mean' or None.")
    order = np.asarray(_paths_of(transformer)["order"])
    coeffs = np.asarray(transformer.transform(X))
    n, n_paths = coeffs.shape[0], order.shape[0]
    channels = _n_channels(transformer) if n_channels is None else int(n_channels)
    if coeffs.shape[1] % (channels * n_paths):
        raise ValueError(
            f"transform gives {coeffs.shape[1]} features, not a multiple of n_channels * n_paths = "
            f"{channels} * {n_paths}; pass the right n_channels."
        )
    coeffs = coeffs.reshape(n, channels, n_paths, -1)
    orders = sorted(set(order.tolist())) if orders is None else list(orders)
    result = {}
    for o in orders:
        picked = coeffs[:, :, order == o, :]
        if picked.shape[2] == 0:
            raise ValueError(f"orders contains {o}, but the transformer's paths have orders {sorted(set(order))}.")
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
    out = tuple({} for _ in range(1 + len(others)))
    for name, Z in train.items():
        Z = np.asarray(Z, dtype=np.float64).reshape(len(Z), -1)
        mean, std = Z.mean(0), Z.std(0)
        std = np.where(std < eps, 1.0, std)
        for target, source in zip(out, (train, *others)):
            if name not in source:
                raise ValueError(f"layer {name!r} is in train but missing from another set ({sorted(source)}).")
            target[name] = (np.asarray(source[name], dtype=np.float64).reshape(len(source[name]), -1) - mean) / std
    return out


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


def _as_input(X, in_shape):
    X = torch.as_tensor(np.asarray(X) if not torch.is_tensor(X) else X).float()
    if in_shape is not None and tuple(X.shape[1:]) != tuple(in_shape):
        if int(np.prod(X.shape[1:])) != int(np.prod(in_shape)):
            raise ValueError(f"X has samples of shape {tuple(X.shape[1:])}; the model expects {tuple(in_shape)}.")
        X = X.reshape(len(X), *in_shape)
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
    channels = getattr(transformer, "n_channels_", None)
    if channels is not None:
        return int(channels)
    image_shape = getattr(transformer, "image_shape_", None)
    if image_shape is not None and len(image_shape) == 3:
        return int(image_shape[0])
    shape = getattr(transformer, "shape", None)
    return int(shape[0]) if shape is not None and len(shape) == 3 else 1
