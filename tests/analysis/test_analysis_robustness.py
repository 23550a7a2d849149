"""Regression tests of the fuzzing findings (issue 16) on skscat.analysis.

Named ``test_analysis_robustness.py`` (not ``test_robustness.py``): the test folders are not
packages, so two files of one name in different folders would collide at collection.
"""

import numpy as np
import pytest
import torch

from skscat.analysis import (
    class_pca_spectra,
    intra_class_distances,
    layer_representations,
    local_support_vectors,
    nearest_neighbors,
    scattering_order_representations,
    standardize_representations,
    threshold_fourier,
    weight_fourier,
)
from skscat.scattering import (
    RotoTranslationScattering,
    ScatteringTransformer,
    roto_translation_paths,
)

RNG = np.random.default_rng(0)
POINTS = RNG.normal(size=(40, 5))
LABELS = np.arange(40) % 3


# Neighbours at any finite scale ------------------------------------------------------------------------------


@pytest.mark.parametrize("scale", [1e-300, 1e-30, 1e-19, 1e19, 1e20, 1e30, 1e300])
def test_neighbours_are_exact_at_any_finite_scale(scale, brute_neighbors):
    dist, ind = nearest_neighbors(POINTS * scale, 2, device="cpu")
    expected_dist, expected_ind = brute_neighbors(POINTS, 2)
    np.testing.assert_array_equal(ind, expected_ind)
    assert (ind != np.arange(40)[:, None]).all()  # never a point as its own neighbour
    np.testing.assert_allclose(dist / scale, expected_dist, rtol=1e-12)


@pytest.mark.parametrize("scale", [1e-30, 1e20, 1e30])
def test_float32_neighbours_and_queries_at_extreme_scales(scale, brute_neighbors):
    X = (POINTS * scale).astype(np.float32)
    queries = (POINTS[:7] * 0.5 * scale).astype(np.float32)
    _, ind = nearest_neighbors(X, 3, queries=queries, device="cpu")
    _, expected = brute_neighbors(X.astype(np.float64) / scale, 3, queries.astype(np.float64) / scale)
    np.testing.assert_array_equal(ind, expected)


@pytest.mark.parametrize("scale", [1e-30, 1e20, 1e300])
def test_local_support_vectors_do_not_depend_on_scale(scale):
    reference = local_support_vectors(POINTS, LABELS, 5, device="cpu")
    scaled = local_support_vectors(POINTS * scale, LABELS, 5, device="cpu")
    np.testing.assert_array_equal(scaled.counts, reference.counts)
    assert reference.counts[0] > 0


@pytest.mark.parametrize("scale", [1e-300, 1e200, 1e300])
def test_contraction_statistics_are_homogeneous(scale):
    reference = intra_class_distances(POINTS, LABELS, device="cpu")
    scaled = intra_class_distances(POINTS * scale, LABELS, device="cpu")
    np.testing.assert_allclose(scaled["intra"] / scale, reference["intra"], rtol=1e-12)
    np.testing.assert_allclose(scaled["ratio"], reference["ratio"], rtol=1e-12)
    np.testing.assert_allclose(class_pca_spectra(POINTS * scale, LABELS)["cumulative"],
                               class_pca_spectra(POINTS, LABELS)["cumulative"], rtol=1e-10)


@pytest.mark.parametrize("margin", [-1, 1.5, "8", True])
def test_bad_margin_is_a_clear_error(margin):
    with pytest.raises(ValueError, match="margin="):
        nearest_neighbors(POINTS, 2, margin=margin, device="cpu")


# The channel count of scattering_order_representations -------------------------------------------------------


def _rgb(n=3, size=16):
    return np.random.default_rng(1).random((n, 3, size, size))


def test_orders_of_a_gray_roto_translation_on_rgb_images():
    images = _rgb()
    pooled = RotoTranslationScattering(J=2, L=4, colorspace="gray", pooling="mean", device="cpu").fit(images)
    full = RotoTranslationScattering(J=2, L=4, colorspace="gray", device="cpu").fit(images)
    order = pooled.paths_["order"]
    orders = scattering_order_representations(full, images)
    expected = pooled.transform(images)
    for o in (0, 1, 2):
        assert orders[f"order{o}"].shape == (3, int((order == o).sum()))  # one channel, not three
        np.testing.assert_allclose(orders[f"order{o}"], expected[:, order == o], rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("klass", [ScatteringTransformer, RotoTranslationScattering])
def test_orders_in_scatnet_layout_average_each_path(klass):
    """ScatNetLight's coefficient vectors are not (paths, H', W') blocks: the columns say which path."""
    images = _rgb(size=32)
    kwargs = {"J": 2, "L": 4, "Q": 2, "convention": "scatnet", "device": "cpu"}
    full = klass(**kwargs).fit(images)
    pooled = klass(pooling="mean", **kwargs).fit(images)
    order = np.tile(pooled.paths_["order"], pooled.n_output_channels_)
    orders = scattering_order_representations(full, images)
    for o in sorted(set(order)):
        np.testing.assert_allclose(orders[f"order{o}"], pooled.transform(images)[:, order == o], rtol=1e-5)
    grid = scattering_order_representations(full, images, orders=[1], spatial=None)["order1"]
    assert grid.shape[1] == int((np.asarray(full.paths_["order"])[full.get_feature_paths_out()["path"]] == 1).sum())


def test_a_transformer_without_a_channel_count_is_a_clear_error():
    class Bare:
        paths_ = {"order": np.array([0, 1])}  # noqa: RUF012

        def transform(self, X):
            return np.asarray(X)

    with pytest.raises(TypeError, match="n_channels"):
        scattering_order_representations(Bare(), np.zeros((2, 6)))
    assert scattering_order_representations(Bare(), np.zeros((2, 6)), n_channels=3)["order1"].shape == (2, 3)


# layer_representations --------------------------------------------------------------------------------------


class _Reused(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = torch.nn.Conv2d(3, 3, 1)
        self.unused = torch.nn.ReLU()

    def forward(self, x):
        return self.conv(self.conv(x))


def _net():
    return torch.nn.Sequential(torch.nn.Conv2d(3, 4, 3), torch.nn.ReLU())


def test_duplicate_layer_names_are_refused():
    with pytest.raises(ValueError, match=r"layers names \['0'\] more than once"):
        layer_representations(_net(), torch.zeros(5, 3, 8, 8), ["0", "0"], device="cpu")


@pytest.mark.parametrize("layer, match", [("conv", "ran 2 times.*reused"), ("unused", "ran 0 times.*not used")])
def test_a_layer_that_does_not_run_once_per_forward_is_refused(layer, match):
    with pytest.raises(ValueError, match=match):
        layer_representations(_Reused(), torch.zeros(5, 3, 4, 4), [layer], batch_size=2, device="cpu")


@pytest.mark.parametrize("batch_size", [0, -1, 2.5, True])
def test_bad_batch_size_names_the_parameter(batch_size):
    with pytest.raises(ValueError, match="batch_size="):
        layer_representations(_net(), torch.zeros(5, 3, 8, 8), ["0"], batch_size=batch_size, device="cpu")


def test_empty_input_is_a_clear_error():
    with pytest.raises(ValueError, match="at least one sample"):
        layer_representations(_net(), torch.zeros(0, 3, 8, 8), ["0"], device="cpu")


# standardize_representations ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "train, other, error, match",
    [
        ({"a": np.zeros((3, 2))}, {"a": np.zeros((3, 4))}, ValueError, "4 features in set 1 but 2 in train"),
        ({"a": np.zeros((0, 2))}, {"a": np.zeros((3, 2))}, ValueError, "at least one sample"),
        ({"a": np.zeros((3, 2))}, {"a": np.zeros((0, 2))}, ValueError, "at least one sample"),
        ({"a": np.array([[np.nan]])}, {"a": np.zeros((1, 1))}, ValueError, "NaN or infinity"),
        ({"a": np.zeros((3, 2))}, [np.zeros((3, 2))], TypeError, "set 1 is a list"),
    ],
)
def test_standardize_refuses_mismatched_or_empty_sets(train, other, error, match):
    with pytest.raises(error, match=match):
        standardize_representations(train, other)


def test_standardize_refuses_a_negative_eps():
    with pytest.raises(ValueError, match="eps=-1"):
        standardize_representations({"a": np.zeros((2, 1))}, eps=-1)


# weight_fourier on roto-translation paths ---------------------------------------------------------------------


@pytest.mark.parametrize("axes", ["theta1", "theta1_theta2"])
def test_weight_fourier_uses_every_roto_translation_angle_channel_once(axes):
    paths = roto_translation_paths(2, 4)
    n_colors, K = 2, len(paths["order"])
    W = np.random.default_rng(2).normal(size=(3, n_colors * K))
    wf = weight_fourier(W, paths, axes=axes)
    used = np.sort(np.concatenate([c.ravel() for c in wf.channels]))
    angle_channels = np.flatnonzero(np.tile(paths["order"] > 0, n_colors))
    np.testing.assert_array_equal(used, angle_channels)  # all 2 x 88, each once
    np.testing.assert_allclose(threshold_fourier(W, paths, fraction=0.0, axes=axes), W, atol=1e-12)
    energy = sum((np.abs(c) ** 2).sum() for c in wf.coefficients)
    np.testing.assert_allclose(energy, (W[:, angle_channels] ** 2).sum())  # orthonormal: Parseval


def test_weight_fourier_refuses_an_incomplete_path_table():
    paths = {key: np.asarray(column)[:-1] for key, column in roto_translation_paths(2, 4).items()}
    with pytest.raises(ValueError, match="different theta1 grids"):
        weight_fourier(np.ones((1, len(paths["order"]))), paths)
    paths["theta1"] = paths["theta1"].copy()
    paths["theta1"][1] = paths["theta1"][2]  # two order-1 channels on one angle
    with pytest.raises(ValueError, match="exactly once"):
        weight_fourier(np.ones((1, len(paths["order"]))), paths)


def test_weight_fourier_refuses_a_non_finite_weight():
    paths = roto_translation_paths(1, 4)
    with pytest.raises(ValueError, match="NaN or infinity"):
        weight_fourier(np.full((1, len(paths["order"])), np.nan), paths)


# No optional-sibling guard ----------------------------------------------------------------------------------


def test_svm_backend_auto_is_torch_svc():
    from skscat.analysis._depth import _svm
    from skscat.svm import TorchSVC

    assert isinstance(_svm("auto", 1.0, 0.5, "cpu"), TorchSVC)


def test_one_nn_names_the_mismatched_sets():
    from skscat.analysis import depth_accuracy_table, one_nn_accuracy

    with pytest.raises(ValueError, match="X_test has 2 features but X_train has 5"):
        one_nn_accuracy(POINTS, LABELS, POINTS[:, :2], LABELS, device="cpu")
    with pytest.raises(ValueError, match="train has no layers"):
        depth_accuracy_table({}, LABELS, {}, LABELS, device="cpu")
