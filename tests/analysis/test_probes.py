"""Representation probes: forward hooks on torch modules, fitted estimators and scattering orders."""

from typing import ClassVar

import numpy as np
import pytest
import torch
from torch import nn

from skscat.analysis import (
    layer_names,
    layer_representations,
    scattering_order_representations,
    standardize_representations,
)


def _net():
    return nn.Sequential(
        nn.Conv2d(3, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(inplace=True),
        nn.Conv2d(4, 5, 3, stride=2), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(5, 2),
    )


@pytest.fixture
def images():
    return np.random.default_rng(0).normal(size=(23, 3, 8, 8)).astype(np.float32)


def test_outputs_match_manual_forward(images):
    net = _net().eval()
    feats = layer_representations(net, images, ["1", "3", "6"], batch_size=5, device="cpu")
    x = torch.from_numpy(images)
    with torch.no_grad():
        bn = net[1](net[0](x))
        conv = net[3](torch.relu(bn))
        logits = net(x)
    np.testing.assert_allclose(feats["1"], bn.mean((2, 3)).numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(feats["3"], conv.mean((2, 3)).numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(feats["6"], logits.numpy(), rtol=1e-5, atol=1e-6)
    assert list(feats) == ["1", "3", "6"]


def test_keeps_the_grid_and_survives_inplace_layers(images):
    net = _net().eval()
    grid = layer_representations(net, images, ["1"], spatial=None, device="cpu")["1"]
    with torch.no_grad():
        expected = net[1](net[0](torch.from_numpy(images))).numpy()
    assert grid.shape == (23, 4, 8, 8)
    np.testing.assert_allclose(grid, expected, rtol=1e-5, atol=1e-6)  # not rectified by the in-place ReLU
    assert (grid < 0).any()


def test_batch_size_does_not_change_the_result(images):
    net = _net()
    a = layer_representations(net, images, ["2", "3"], batch_size=4, device="cpu")
    b = layer_representations(net, images, ["2", "3"], batch_size=100, device="cpu")
    for name in a:
        np.testing.assert_allclose(a[name], b[name], rtol=1e-5, atol=1e-6)


def test_model_state_is_restored_and_hooks_removed(images):
    net = _net().train()
    running = net[1].running_mean.clone()
    layer_representations(net, images, ["1"], device="cpu")
    assert net.training
    torch.testing.assert_close(net[1].running_mean, running)  # evaluation mode: statistics untouched
    assert all(not m._forward_hooks for m in net.modules())


def test_unknown_layers_list_the_valid_names(images):
    with pytest.raises(ValueError, match=r"\['conv9'\] are not layers of Sequential; valid names: \['0', '1'"):
        layer_representations(_net(), images, ["0", "conv9"], device="cpu")
    with pytest.raises(TypeError, match="list of layer names"):
        layer_representations(_net(), images, "0", device="cpu")
    with pytest.raises(ValueError, match="spatial='max'"):
        layer_representations(_net(), images, ["0"], spatial="max", device="cpu")
    with pytest.raises(TypeError, match="torch.nn.Module or a fitted estimator"):
        layer_representations(object(), images, ["0"], device="cpu")


def test_nan_input_is_rejected(images):
    images[3, 0, 0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        layer_representations(_net(), images, ["0"], device="cpu")


def test_fitted_classifier_with_flat_input():
    from skscat.networks import TorchCNNClassifier

    rng = np.random.RandomState(0)
    X = rng.rand(30, 1, 8, 8).astype(np.float32)
    y = np.arange(30) % 2
    clf = TorchCNNClassifier(module="small_cnn", module__width=4, max_epochs=1, horizontal_flip=False,
                             device="cpu", random_state=0).fit(X, y)
    names = layer_names(clf)
    assert "features.2" in names
    flat = layer_representations(clf, X.reshape(30, -1), ["features.2", "classifier"], device="cpu")
    full = layer_representations(clf.module_, X, ["features.2", "classifier"], device="cpu")
    np.testing.assert_allclose(flat["classifier"], full["classifier"])
    assert flat["features.2"].shape == (30, 4)


def test_standardize_uses_training_statistics():
    rng = np.random.default_rng(1)
    train = {"a": rng.normal(3.0, 2.0, size=(200, 4)), "b": np.ones((200, 2))}
    test = {"a": rng.normal(3.0, 2.0, size=(50, 4)), "b": np.ones((50, 2))}
    tr, te = standardize_representations(train, test)
    np.testing.assert_allclose(tr["a"].mean(0), 0, atol=1e-12)
    np.testing.assert_allclose(tr["a"].std(0), 1)
    np.testing.assert_allclose(te["a"], (test["a"] - train["a"].mean(0)) / train["a"].std(0))
    np.testing.assert_array_equal(te["b"], 0)  # constant coordinates are only centred
    with pytest.raises(ValueError, match="missing"):
        standardize_representations(train, {"a": test["a"]})


class _FakeScattering:
    """A transformer-like object: 2 colour channels, 3 paths of orders (0, 1, 1), a 2x2 grid."""

    paths_: ClassVar[dict] = {"order": np.array([0, 1, 1])}

    def transform(self, X):
        return np.asarray(X).reshape(len(X), -1)


def test_scattering_orders_split_by_the_path_table():
    X = np.arange(2 * 2 * 3 * 4, dtype=float).reshape(2, 2, 3, 4)  # (n, C, paths, H'W')
    orders = scattering_order_representations(_FakeScattering(), X, n_channels=2)
    np.testing.assert_allclose(orders["order0"], X[:, :, 0].mean(-1))
    np.testing.assert_allclose(orders["order1"], X[:, :, 1:].mean(-1).reshape(2, -1))
    with pytest.raises(ValueError, match="orders contains 2"):
        scattering_order_representations(_FakeScattering(), X, orders=[2], n_channels=2)


class _Scattering2DTransformer:
    """Adapter: Scattering2D output flattened as a transformer would, with its path table."""

    def __init__(self):
        from skscat.scattering import Scattering2D

        self.module = Scattering2D(J=1, shape=(8, 8), L=4)
        self.paths_ = self.module.paths
        self.n_output_channels_ = 3

    def transform(self, X):
        with torch.no_grad():
            return self.module(torch.as_tensor(X)).reshape(len(X), -1).numpy()


def test_scattering_orders_of_a_real_scattering(images):
    scat = _Scattering2DTransformer()
    orders = scattering_order_representations(scat, images)
    with torch.no_grad():
        S = scat.module(torch.from_numpy(images)).numpy()  # (n, 3, K, 4, 4)
    order = np.asarray(scat.paths_["order"])
    assert sorted(orders) == ["order0", "order1"] and orders["order1"].shape == (23, 3 * 4)
    np.testing.assert_allclose(orders["order0"], S[:, :, order == 0].mean((-1, -2)).reshape(23, -1), rtol=1e-6)
    np.testing.assert_allclose(orders["order1"], S[:, :, order == 1].mean((-1, -2)).reshape(23, -1), rtol=1e-6)
    grid = scattering_order_representations(scat, images, orders=[1], spatial=None)
    assert grid["order1"].shape == (23, 3 * 4 * 16)


def test_scattering_orders_of_the_scattering_transformer(images):
    from skscat.scattering import ScatteringTransformer

    scat = ScatteringTransformer(J=1, L=4, device="cpu").fit(images)
    orders = scattering_order_representations(scat, images)  # channels from image_shape_
    expected = scattering_order_representations(_Scattering2DTransformer(), images)
    for name in ("order0", "order1"):
        np.testing.assert_allclose(orders[name], expected[name], rtol=1e-5, atol=1e-7)
