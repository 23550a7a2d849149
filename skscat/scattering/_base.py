"""What every scattering transformer shares: input handling, batching, devices, feature names."""

import warnings
from numbers import Integral
from typing import ClassVar

import numpy as np
import torch
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.exceptions import NotFittedError
from sklearn.utils.validation import check_is_fitted, validate_data

from ..utils import (
    as_images,
    batch_slices,
    infer_image_shape,
    resolve_device,
    runtime_device,
    split_images,
)
from ..utils._device import DEVICE_CONSTRAINT
from ..utils._sklearn import Interval, StrOptions, _fit_context
from ._paths import path_names

__all__ = ["BaseScatteringTransformer"]

# Parameters that only say where and how fast to compute: set_params takes them at once.
# Every other parameter shapes the fitted filters and output, and needs a refit.
_RUNTIME_PARAMS = frozenset({"device", "batch_size", "verbose"})


def _same(a, b):
    """Parameter values equal (tuples and arrays compared element-wise)."""
    try:
        return bool(np.array_equal(np.asarray(a, dtype=object), np.asarray(b, dtype=object)))
    except (TypeError, ValueError):
        return a is b


def _pool(module, coefficients):
    """Mean of every channel over its grid (ScatNetLight's flat layout has its own)."""
    scatnet = getattr(module, "scatnet", None)
    if scatnet is not None:
        return scatnet.pool(coefficients)
    return coefficients.mean(dim=(-2, -1))


def _positions(module):
    """``(path, y, x)`` of every coefficient of one channel's output, in the output's order."""
    scatnet = getattr(module, "scatnet", None)
    if scatnet is not None:
        return scatnet.positions()
    height, width = module.output_shape
    return [(k, y, x) for k in range(module.n_paths) for y in range(height) for x in range(width)]


class BaseScatteringTransformer(TransformerMixin, BaseEstimator):
    """Scikit-learn plumbing shared by the scattering transformers.

    Subclasses say which torch module to build for an image size
    (``_build_module``) and check their own parameters against that size
    (``_check_image_size``); the module's ``paths`` describe the channels.
    Everything else - input validation, flat or image-shaped input, batches,
    devices, pooling, pickling and feature names - lives here.

    ``set_params`` after ``fit``: ``device``, ``batch_size`` and ``verbose``
    take effect at once; any other changed parameter makes ``transform`` (and
    the other fitted methods) raise :class:`~sklearn.exceptions.NotFittedError`
    asking for a refit, also after pickling, rather than mix old filters with
    new parameters.
    """

    _parameter_constraints: ClassVar[dict] = {
        "shape": ["array-like", None],
        "pooling": [StrOptions({"mean"}), None],
        "device": DEVICE_CONSTRAINT,
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "verbose": ["verbose"],
    }

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Learn the image shape and build the filters.

        Parameters
        ----------
        X : array-like of shape (n_samples, C*H*W), (n_samples, H, W) or (n_samples, C, H, W)
            Images. Flat rows need ``shape`` unless their length is a square
            (one channel) or three times a square (three channels).
        y : None
            Ignored.

        Returns
        -------
        self : object
            The fitted transformer.
        """
        rows, image_shape = split_images(X)
        rows = validate_data(self, rows, reset=True, dtype=[np.float64, np.float32])
        images = rows if image_shape is None else rows.reshape(-1, *image_shape)
        self.image_shape_ = infer_image_shape(images, self.shape)
        self._check_image_size(self.image_shape_[1:])
        device = resolve_device(self.device)
        self._module = self._build_module(self.image_shape_[1:]).to(device)
        self.paths_ = {field: column.copy() for field, column in self._module.paths.items()}
        self.n_paths_ = len(self.paths_["order"])
        self.output_shape_ = () if self.pooling == "mean" else tuple(self._module.output_shape)
        self._n_coefficients = self._module.n_coefficients
        self.n_output_channels_ = self._n_output_channels()
        self._fitted_params = self._state_params()
        return self

    def transform(self, X):
        """Scattering coefficients of each image, one row per image.

        Parameters
        ----------
        X : array-like of shape (n_samples, C*H*W), (n_samples, H, W) or (n_samples, C, H, W)
            Images of the shape seen in ``fit``.

        Returns
        -------
        ndarray of shape (n_samples, n_features_out)
            The row-major flattening of (C, n_paths, H', W') (or (C, n_paths)
            with ``pooling="mean"``), in the input's float dtype. Under
            ``convention="scatnet"`` each channel's block is ScatNetLight's
            coefficient vector (see :meth:`get_feature_paths_out`).

        Warns
        -----
        RuntimeWarning
            When a coefficient is not finite (the input is): its value
            exceeds the dtype's range.
        """
        self._check_fitted()
        rows = self._validate_rows(X)
        images = as_images(rows, self.image_shape_)
        module, device = self._runtime_module()
        out = np.empty((len(images), self._n_features_out), dtype=rows.dtype)
        desc = type(self).__name__
        for batch in batch_slices(len(images), self.batch_size, verbose=self.verbose, desc=desc):
            out[batch] = self._transform_batch(module, images[batch], device)
        _warn_non_finite(out, rows, type(self).__name__)
        return out

    def _state_params(self):
        return {k: v for k, v in self.get_params(deep=False).items() if k not in _RUNTIME_PARAMS}

    def _check_fitted(self):
        """Fitted, and with the parameters it was fitted with (see the class notes)."""
        check_is_fitted(self)
        fitted = getattr(self, "_fitted_params", {})
        changed = [f"{k}={fitted[k]!r} -> {v!r}" for k, v in self._state_params().items()
                   if k in fitted and not _same(v, fitted[k])]
        if changed:
            raise NotFittedError(
                f"{type(self).__name__} was fitted with other parameters ({', '.join(changed)}, changed by "
                "set_params): call fit again to use them, or set them back. Only device, batch_size and verbose "
                "take effect without a refit."
            )

    def _validate_rows(self, X):
        rows, image_shape = split_images(X)
        if image_shape is not None and image_shape != self.image_shape_:
            raise ValueError(f"X holds images of shape (C, H, W) = {image_shape}, but {type(self).__name__} was "
                             f"fitted on images of shape {self.image_shape_}. Refit on these images.")
        n_features = rows.shape[1] if getattr(rows, "ndim", 0) == 2 else None
        if n_features is not None and n_features != self.n_features_in_:
            raise ValueError(f"X has {n_features} features, but {type(self).__name__} is expecting "
                             f"{self.n_features_in_} features as input (images of shape (C, H, W) = "
                             f"{self.image_shape_}, flattened). Refit on these images or pass images of that shape.")
        return validate_data(self, rows, reset=False, dtype=[np.float64, np.float32])

    def _transform_batch(self, module, images, device):
        # C-contiguous and writable (torch refuses to wrap read-only memory, e.g. a memmap).
        batch = torch.from_numpy(np.require(images, requirements=["C", "W"])).to(device)
        with torch.no_grad():
            coefficients = module(self._prepare_images(batch))
            if self.pooling == "mean":
                coefficients = _pool(module, coefficients)
            coefficients = self._finish_coefficients(coefficients)
        return coefficients.reshape(len(images), -1).cpu().numpy()

    def _prepare_images(self, images):
        """Hook: turn a batch (b, C, H, W) into the channels to scatter (identity here)."""
        return images

    def _finish_coefficients(self, coefficients):
        """Hook: post-process (b, C', K, ...) coefficients (identity here)."""
        return coefficients

    def _n_output_channels(self):
        """Hook: number of channels scattered (one per input channel here)."""
        return self.image_shape_[0]

    @property
    def _n_features_out(self):
        per_channel = self.n_paths_ if self.pooling == "mean" else self._n_coefficients
        return self.n_output_channels_ * per_channel

    def _runtime_module(self):
        """The cached torch module on this process's device, rebuilt after unpickling."""
        device = self._runtime_device()
        module = getattr(self, "_module", None)
        if module is None:
            module = self._build_module(self.image_shape_[1:])
        self._module = module.to(device)
        return self._module, device

    def _runtime_device(self):
        # A transformer fitted on a GPU machine and loaded on a CPU-only one still runs.
        return runtime_device(self.device, type(self).__name__)

    def get_feature_names_out(self, input_features=None):
        """Get the names of the output columns: channel, scattering path and, without pooling, position.

        Parameters
        ----------
        input_features : array-like of str or None, default=None
            Ignored except for its length, which must match the input.

        Returns
        -------
        ndarray of str
            E.g. ``c0_S2_j0_t3_j1_t5_y2_x1``: colour channel 0, the
            second-order path (j1=0, theta1=3, j2=1, theta2=5), row 2, column 1.
        """
        self._check_fitted()
        if input_features is not None and len(input_features) != self.n_features_in_:
            raise ValueError(f"input_features has {len(input_features)} names; expected {self.n_features_in_}.")
        columns = self.get_feature_paths_out()
        paths = path_names(self.paths_)
        names = [f"c{c}_{paths[p]}" + (f"_y{y}_x{x}" if self.output_shape_ else "")
                 for c, p, y, x in zip(*(columns[key].tolist() for key in ("channel", "path", "y", "x")))]
        return np.asarray(names, dtype=object)

    def get_feature_paths_out(self):
        """Scattered channel, path and position of every output column.

        Returns
        -------
        dict of ndarray of int, each of shape (n_features_out,)
            ``channel`` (``0 .. n_output_channels_ - 1``), ``path`` (a row of
            ``paths_``), ``y`` and ``x`` (the position in the coefficient
            grid, -1 with ``pooling="mean"``). Selecting columns by
            ``paths_["order"][path]`` splits the output by scattering order in
            every layout, ScatNetLight's coefficient vectors included.
        """
        self._check_fitted()
        if self.output_shape_:
            per_channel = np.asarray(_positions(self._runtime_module()[0]), dtype=np.int64).reshape(-1, 3)
        else:
            per_channel = np.stack([np.arange(self.n_paths_), *np.full((2, self.n_paths_), -1)], axis=1)
        tiled = np.tile(per_channel, (self.n_output_channels_, 1))
        channel = np.repeat(np.arange(self.n_output_channels_), len(per_channel))
        return {"channel": channel, "path": tiled[:, 0], "y": tiled[:, 1], "x": tiled[:, 2]}

    def __getstate__(self):
        # A copy: on Python >= 3.11 object.__getstate__ returns the live __dict__.
        state = dict(super().__getstate__())
        # The torch module (filters on some device) is a cache: rebuilt where the object is loaded.
        state.pop("_module", None)
        return state

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags


def _warn_non_finite(out, rows, owner):
    """Warn when coefficients overflowed: the input was validated finite."""
    finite = np.isfinite(out)
    if finite.all():
        return
    warnings.warn(
        f"{owner}.transform: {out.size - int(finite.sum())} of {out.size} {out.dtype} coefficients are not "
        f"finite although the input is (its largest magnitude is {float(np.abs(rows).max()):.3g}): they exceed "
        f"the {out.dtype} range. Rescale the input (e.g. divide by its largest value) or pass float64 data.",
        RuntimeWarning, stacklevel=3,
    )
