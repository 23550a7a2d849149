"""MATLAB-compatible imresize: agreement with Octave's image package, and its invariants."""

from pathlib import Path

import numpy as np
import pytest

from skscat.datasets import imresize, resize_weights

REFERENCE = Path(__file__).with_name("data") / "imresize_reference.npz"


def _cases():
    reference = np.load(REFERENCE)
    return [(reference[f"x{k}"], reference[f"y{k}"]) for k in range(1, len(reference.files) // 2 + 1)]


@pytest.mark.parametrize("case", range(len(_cases())))
def test_agrees_with_octave(case):
    """Up, down (by 1/integer and not), mixed: within 1e-4 of Octave (values 0..255, stored as float32)."""
    x, expected = _cases()[case]
    out = imresize(x.astype(np.float64), expected.shape)
    np.testing.assert_allclose(out, expected, rtol=0, atol=1e-4)


def test_reference_covers_up_and_down():
    shapes = [(x.shape, y.shape) for x, y in _cases()]
    assert any(a[0] < b[0] and a[1] < b[1] for a, b in shapes)  # upsampling
    assert any(a[0] > b[0] and a[1] > b[1] for a, b in shapes)  # shrinking (antialiased)
    assert any((a[0] - b[0]) * (a[1] - b[1]) < 0 for a, b in shapes)  # one axis each way


def test_weights_sum_to_one_and_constants_stay():
    for n_in, n_out in [(300, 64), (64, 256), (33, 7), (5, 5)]:
        np.testing.assert_allclose(resize_weights(n_in, n_out).sum(axis=1), 1.0, atol=1e-12)
    np.testing.assert_allclose(imresize(np.full((37, 53), 3.5), (256, 19)), 3.5, atol=1e-12)


def test_same_size_is_identity_and_stacks_resize_plane_by_plane():
    rng = np.random.default_rng(0)
    x = rng.random((3, 20, 30))
    np.testing.assert_allclose(imresize(x, (20, 30)), x, atol=1e-12)
    stacked = imresize(x, (8, 11))
    np.testing.assert_allclose(stacked[1], imresize(x[1], (8, 11)), atol=1e-12)
    assert imresize(x.astype(np.float32), 16).dtype == np.float32 and stacked.dtype == np.float64


def test_antialias_low_passes_when_shrinking():
    """A pixel-rate checkerboard: antialiased shrinking averages it out, plain bicubic keeps aliases."""
    board = np.indices((63, 63)).sum(axis=0) % 2 * 1.0
    smooth = imresize(board, (21, 21))  # the kernel spans 12 pixels: about the mean, 0.5
    aliased = imresize(board, (21, 21), antialias=False)  # samples single pixels: 0 or 1
    assert np.abs(smooth[3:-3, 3:-3] - 0.5).max() < 1e-3 and np.ptp(aliased) > 0.9


@pytest.mark.parametrize(
    "images, shape, message",
    [
        (np.zeros(5), (2, 2), "cannot be resized"),
        (np.zeros((4, 4), dtype=complex), (2, 2), "cannot be resized"),
        (np.zeros((4, 4)), (2, 0), "out_size=0 is not a size"),
        (np.zeros((4, 4)), (2, 2, 2), "is not a size"),
    ],
)
def test_bad_input(images, shape, message):
    with pytest.raises(ValueError, match=message):
        imresize(images, shape)
