"""Image resizing as MATLAB's ``imresize`` does it (the preprocessing of ScatNetLight).

MATLAB's default method: bicubic interpolation with Keys' kernel (a = -0.5),
output pixel ``x = 1 .. M`` sampling the input at ``u = x / s + (1 - 1 / s) / 2``
(``s = M / m``, pixel centres aligned), symmetric (mirror) padding at the
borders, and, when shrinking (``s < 1``), the kernel widened by ``1 / s``
(``s * k(s t)``) to low-pass before subsampling. The weights of every output
pixel are normalised to sum to one. Each axis is resized independently (the
aspect ratio is not kept), so the whole resize is ``W_rows @ image @ W_cols.T``.
"""

import functools
import numbers

import numpy as np

from ..utils._sklearn import validate_params

__all__ = ["imresize", "resize_weights"]

_KERNEL_WIDTH = 4.0  # support of the cubic kernel: [-2, 2]


def _cubic(t):
    """Keys' cubic convolution kernel with a = -0.5 (MATLAB's and Octave's)."""
    a = np.abs(t)
    near = (1.5 * a - 2.5) * a * a + 1.0
    far = ((-0.5 * a + 2.5) * a - 4.0) * a + 2.0
    return np.where(a <= 1.0, near, np.where(a < 2.0, far, 0.0))


@functools.lru_cache(maxsize=64)
def _weights(in_size, out_size, antialias):
    scale = out_size / in_size
    widen = antialias and scale < 1.0
    width = _KERNEL_WIDTH / scale if widen else _KERNEL_WIDTH
    x = np.arange(1, out_size + 1, dtype=np.float64)
    u = x / scale + 0.5 * (1.0 - 1.0 / scale)  # MATLAB's 1-based input coordinate of each output pixel
    left = np.floor(u - width / 2.0)
    taps = left[:, None] + np.arange(int(np.ceil(width)) + 2)[None, :]
    distance = u[:, None] - taps
    weights = scale * _cubic(scale * distance) if widen else _cubic(distance)
    weights /= weights.sum(axis=1, keepdims=True)
    # Symmetric padding: index sequence 1..n, n..1 repeated.
    mirror = np.concatenate([np.arange(in_size), np.arange(in_size)[::-1]])
    columns = mirror[(taps.astype(np.int64) - 1) % (2 * in_size)]
    matrix = np.zeros((out_size, in_size))
    np.add.at(
        matrix,
        (np.repeat(np.arange(out_size), taps.shape[1]), columns.ravel()),
        weights.ravel(),
    )
    matrix.setflags(write=False)
    return matrix


def _check_size(name, value):
    if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value < 1:
        raise ValueError(f"{name}={value!r} is not a size. Use a positive int.")
    return int(value)


@validate_params({"antialias": ["boolean"]}, prefer_skip_nested_validation=True)
def resize_weights(in_size, out_size, *, antialias=True):
    """The linear map of MATLAB's bicubic ``imresize`` along one axis.

    Parameters
    ----------
    in_size, out_size : int
        Input and output lengths.
    antialias : bool, default=True
        Widen the kernel by ``in_size / out_size`` when shrinking (MATLAB's default).

    Returns
    -------
    ndarray of shape (out_size, in_size), float64, read-only
        Row ``i`` holds the weights of output pixel ``i`` (summing to one).
    """
    return _weights(
        _check_size("in_size", in_size),
        _check_size("out_size", out_size),
        bool(antialias),
    )


@validate_params(
    {"images": ["array-like"], "output_shape": [numbers.Integral, tuple, list], "antialias": ["boolean"]},
    prefer_skip_nested_validation=True,
)
def imresize(images, output_shape, *, antialias=True):
    """Resize images to ``output_shape`` exactly as MATLAB's ``imresize(x, [M N])``.

    Bicubic (Keys, a = -0.5), antialiased when shrinking, symmetric borders,
    each axis scaled independently (see the module docstring). Agrees with
    MATLAB/Octave to float64 rounding (tested against Octave's image package).

    Parameters
    ----------
    images : array-like of shape (..., H, W)
        One image or a stack (the last two axes are resized); real values.
    output_shape : int or (int, int)
        ``(M, N)``; an int means a square.
    antialias : bool, default=True
        MATLAB's ``'Antialiasing'`` option.

    Returns
    -------
    ndarray of shape (..., M, N)
        The resized images: float32 for float32 input, float64 otherwise.

    Examples
    --------
    >>> import numpy as np
    >>> from skscat.datasets import imresize
    >>> imresize(np.ones((5, 7)), (3, 9)).round(12).tolist() == np.ones((3, 9)).tolist()
    True
    >>> imresize(np.arange(4.0).reshape(2, 2), 4)[0].round(4)
    array([-0.2812,  0.0156,  0.6094,  0.9062])
    """
    images = np.asarray(images)
    if images.ndim < 2 or not np.issubdtype(images.dtype, np.number) or np.iscomplexobj(images):
        raise ValueError(
            f"images of shape {images.shape} and dtype {images.dtype} cannot be resized: pass real "
            "values of shape (..., H, W)."
        )
    if isinstance(output_shape, numbers.Integral):
        output_shape = (output_shape, output_shape)
    if len(output_shape) != 2:
        raise ValueError(f"output_shape={output_shape!r} is not a size. Use an int or a pair (M, N).")
    rows = resize_weights(images.shape[-2], output_shape[0], antialias=antialias)
    cols = resize_weights(images.shape[-1], output_shape[1], antialias=antialias)
    out = rows @ images.astype(np.float64, copy=False) @ cols.T
    return out.astype(np.float32) if images.dtype == np.float32 else out
