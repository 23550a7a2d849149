"""Fourier analysis of 1x1 weights along the scattering angles (synthetic and Shared Local Encoder weights)."""

import numpy as np
import pytest
import torch

from skscat.analysis import (
    fourier_sparsity,
    fourier_threshold_accuracy,
    threshold_fourier,
    weight_fourier,
)
from skscat.scattering import scattering_paths

PATHS = scattering_paths(J=3, L=4)  # K = 1 + 12 + 48 = 61
K = len(PATHS["order"])


def _random_weight(seed=0, colors=3):
    return np.random.default_rng(seed).normal(size=(5, colors * K))


@pytest.mark.parametrize("axes", ["theta1", "theta1_theta2"])
def test_blocks_group_channels_by_angle(axes):
    wf = weight_fourier(_random_weight(), PATHS, axes=axes)
    covered = np.concatenate([idx.ravel() for idx in wf.channels] + [wf.fixed])
    np.testing.assert_array_equal(np.sort(covered), np.arange(3 * K))  # each channel exactly once
    for idx in wf.channels:
        path = idx % K
        theta1 = PATHS["theta1"][path]
        np.testing.assert_array_equal(theta1, np.broadcast_to(np.arange(4).reshape((1, 4) + (1,) * (idx.ndim - 2)),
                                                              idx.shape))
        for field in ("j1", "j2"):  # constant within a signal
            values = PATHS[field][path].reshape(len(idx), -1)
            assert (values == values[:, :1]).all()
        assert ((idx // K).reshape(len(idx), -1) == (idx // K).reshape(len(idx), -1)[:, :1]).all()
    shapes = sorted(idx.shape for idx in wf.channels)
    if axes == "theta1":
        assert shapes == [(9, 4), (36, 4)]  # order 1: 3 colours x 3 j1; order 2: 3 x 3 (j1<j2) x 4 theta2
    else:
        assert shapes == [(9, 4), (9, 4, 4)]


@pytest.mark.parametrize("axes", ["theta1", "theta1_theta2"])
def test_parseval_and_identity_round_trip(axes):
    W = _random_weight(1)
    wf = weight_fourier(W, PATHS, axes=axes)
    for idx, coef in zip(wf.channels, wf.coefficients):
        np.testing.assert_allclose((np.abs(coef) ** 2).sum(), (W[:, idx] ** 2).sum())
    np.testing.assert_allclose(threshold_fourier(W, PATHS, fraction=0.0, axes=axes), W, atol=1e-12)


def test_threshold_keeps_the_largest_coefficients():
    # Each angle signal is a constant plus one cosine: 2 or 3 of 4 Fourier coefficients are zero.
    theta = np.arange(4)
    W = _random_weight(2)
    wf = weight_fourier(W, PATHS)
    for idx in wf.channels:
        W[:, idx] = 1.5 + np.cos(np.pi * theta / 2)  # frequencies 0, +1, -1 only
    out = threshold_fourier(W, PATHS, fraction=0.25)
    np.testing.assert_allclose(out, W, atol=1e-12)  # the zeroed quarter were the zero coefficients
    zeroed = threshold_fourier(W, PATHS, fraction=1.0)
    np.testing.assert_allclose(zeroed[:, wf.fixed], W[:, wf.fixed])  # order 0 untouched
    angle = np.concatenate([idx.ravel() for idx in wf.channels])
    np.testing.assert_allclose(zeroed[:, angle], 0, atol=1e-12)
    sparsity = fourier_sparsity(W, PATHS, energy=0.99)
    assert sparsity["fourier"] <= 0.75 < sparsity["direct"]


def test_accepts_conv_weights_and_tensors():
    W = torch.as_tensor(_random_weight(3)).reshape(5, 3 * K, 1, 1)
    out = threshold_fourier(W, PATHS, fraction=0.5)
    assert out.shape == (5, 3 * K, 1, 1)


def test_bad_weights_and_paths():
    with pytest.raises(ValueError, match="not a multiple of the 61 scattering paths"):
        weight_fourier(np.zeros((2, 60)), PATHS)
    with pytest.raises(ValueError, match=r"lacks the columns \['theta2'\]"):
        weight_fourier(np.zeros((2, K)), {k: v for k, v in PATHS.items() if k != "theta2"})
    with pytest.raises(ValueError, match="axes='theta2'"):
        weight_fourier(np.zeros((2, K)), PATHS, axes="theta2")
    with pytest.raises(ValueError, match="fraction=1.5"):
        threshold_fourier(np.zeros((2, K)), PATHS, fraction=1.5)
    with pytest.raises(ValueError, match="1x1 convolution"):
        weight_fourier(np.zeros((2, K, 3, 3)), PATHS)


def test_threshold_accuracy_on_a_fitted_shared_local_encoder():
    from skscat.networks import TorchCNNClassifier

    rng = np.random.RandomState(0)
    X = rng.rand(40, 3, 8, 8).astype(np.float32)
    y = np.arange(40) % 2
    clf = TorchCNNClassifier(module="scat_sle", module__J=1, module__L=4, module__encoder_widths=(8,),
                             module__fc_widths=(8,), max_epochs=1, horizontal_flip=False, device="cpu",
                             random_state=0).fit(X, y)
    before = clf.module_.encoder[0].weight.detach().clone()
    same = fourier_threshold_accuracy(clf, X, y, fraction=0.0)
    assert same["drop"] == 0 and same["accuracy"] == clf.score(X, y)
    cut = fourier_threshold_accuracy(clf, X, y, fraction=0.8, axes="theta1_theta2")
    assert 0 <= cut["thresholded_accuracy"] <= 1 and set(cut["sparsity"]) == {"fourier", "direct"}
    torch.testing.assert_close(clf.module_.encoder[0].weight, before)  # the classifier is not modified
    with pytest.raises(ValueError, match="layer='encoder.9' is not a layer with a weight; valid names"):
        fourier_threshold_accuracy(clf, X, y, layer="encoder.9")
