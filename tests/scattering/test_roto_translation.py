"""RotoTranslationScattering: rotation covariance, angular filters, sklearn contract, colour and log."""

import pickle

import numpy as np
import pytest
import torch

# Same reasons as there: the check data are not images.
from _estimator_checks import EXPECTED_FAILED_CHECKS
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC
from sklearn.utils.estimator_checks import parametrize_with_checks

from skscat.datasets import load_cifar10
from skscat.scattering import (
    RotoTranslationScattering,
    RotoTranslationScattering2D,
    Scattering2D,
    ScatteringTransformer,
    rgb_to_yuv,
)
from skscat.scattering._roto import angular_operator, angular_subsampling
from skscat.scattering.filter_bank import angular_filter_bank, littlewood_paley_sum


def _periodic_pair(period=16, tiles=5, centre=40, seed=0):
    """A periodic image and its 90-degree rotation about the grid point (centre, centre).

    ``rotated[i, j] == image[j, 2 * centre - i]``: np.rot90's direction, about a
    point of the transform's sampling grid instead of the image centre.
    """
    pattern = np.random.default_rng(seed).random((period, period))
    i, j = np.meshgrid(np.arange(period), np.arange(period), indexing="ij")
    rotated = pattern[j, (2 * centre - i) % period]
    return np.tile(pattern, (tiles, tiles)), np.tile(rotated, (tiles, tiles))


def test_rotation_covariance_is_exact_away_from_boundaries():
    image, rotated = _periodic_pair()
    module = RotoTranslationScattering2D(J=2, shape=image.shape).double()
    S = module(torch.from_numpy(image)).numpy()
    S_rot = module(torch.from_numpy(rotated)).numpy()
    perm = module.rotation_permutation()
    # Output sample g sits at pixel 4g; the rotation about pixel 40 maps (a, b) to (b, 20 - a).
    interior = range(5, 16)
    error = max(np.abs(S_rot[:, a, b] - S[perm, b, 20 - a]).max() for a in interior for b in interior)
    wrong_perm = max(np.abs(S_rot[:, a, b] - S[:, b, 20 - a]).max() for a in interior for b in interior)
    scale = np.abs(S).max()
    # Residual ~1e-5: the low-pass filters cropped to coarser grids keep the Nyquist row and column of an
    # even grid, which a quarter turn cannot map onto itself (with J=1 there is no crop: see next test).
    assert error < 1e-4 * scale
    assert wrong_perm > 1e3 * error


def test_rotation_covariance_without_cropped_filters_is_float_rounding():
    image, rotated = _periodic_pair(centre=40)
    module = Scattering2D(J=1, shape=image.shape).double()
    S, S_rot = (module(torch.from_numpy(x)).numpy() for x in (image, rotated))
    perm = np.r_[0, 1 + (np.arange(8) + 4) % 8]
    interior = range(12, 30)  # output sample g sits at pixel 2g; the rotation maps (a, b) to (b, 40 - a)
    error = max(np.abs(S_rot[:, a, b] - S[perm, b, 40 - a]).max() for a in interior for b in interior)
    assert error < 1e-7 * np.abs(S).max()  # the filters are built in float32, as kymatio's


@pytest.mark.data
def test_rotated_real_images(data_dir):
    """Real CIFAR images at 64x64 and their quarter turn about a sampling-grid point.

    Interior coefficients follow the permutation to ~1e-5; mean-pooled features also include
    the reflect-padded borders, whose effect is quantified against the spread between images.
    """
    images = load_cifar10(data_dir, subset="test", return_X_y=True)[0][:8].astype(np.float64)
    big = torch.nn.functional.interpolate(torch.from_numpy(images), size=(65, 65), mode="bilinear").numpy()
    i = np.arange(64)
    image = np.ascontiguousarray(big[..., :64, :64])
    rotated = np.ascontiguousarray(big[..., i[None, :], 64 - i[:, None]])  # rotated[i, j] = big[j, 64 - i]

    grid = RotoTranslationScattering(J=2, colorspace="gray", device="cpu").fit(image)
    perm = grid._module.rotation_permutation()
    S, S_rot = (grid.transform(x).reshape(8, grid.n_paths_, 16, 16) for x in (image, rotated))
    interior = range(4, 13)  # sample g sits at pixel 4g; the turn about pixel 32 maps (a, b) to (b, 16 - a)
    error = max(np.abs(S_rot[:, :, a, b] - S[:, perm, b, 16 - a]).max() for a in interior for b in interior)
    assert error < 1e-4 * np.abs(S).max()

    pooled = clone(grid).set_params(pooling="mean").fit(image)
    features, features_rot = pooled.transform(image), pooled.transform(rotated)
    border_effect = np.linalg.norm(features_rot[:, perm] - features, axis=1).max()
    spread = np.median([np.linalg.norm(features[a] - features[b]) for a in range(8) for b in range(a)])
    print(f"interior error {error:.2e}; pooled: border effect {border_effect:.4f}, median distance {spread:.4f}")
    assert border_effect < 0.2 * spread


@pytest.mark.parametrize("L, n_scales", [(8, 2), (16, 3), (12, 2), (4, 1)])
def test_angular_filters_littlewood_paley_bound(L, n_scales):
    bank = angular_filter_bank(L, n_scales)
    A = littlewood_paley_sum(bank)
    assert A.max() == pytest.approx(1.0) and A[0] == pytest.approx(1.0) and A.min() > 0.2
    assert np.abs(bank[:-1, 0]).max() < 1e-12  # wavelets have zero mean
    # Non-expansive on real signals along the angle: ||f * phi||^2 + sum_k ||f * psi_k||^2 <= ||f||^2.
    f = np.random.default_rng(L).standard_normal((100, L))
    f_hat = np.fft.fft(f, axis=1)
    energy = sum(np.linalg.norm(np.fft.ifft(f_hat * h, axis=1), axis=1) ** 2 for h in bank)
    assert (energy <= np.linalg.norm(f, axis=1) ** 2 * (1 + 1e-12)).all()


def test_angular_operator_is_the_periodic_convolution():
    bank = angular_filter_bank(8, 2)
    steps = angular_subsampling(2, 1)
    operator = angular_operator(bank, steps)
    signal = np.random.default_rng(0).standard_normal(8) + 1j
    direct = np.concatenate([np.fft.ifft(np.fft.fft(signal) * h)[::s] for h, s in zip(bank, steps)])
    np.testing.assert_allclose(operator @ signal, direct, atol=1e-12)
    assert steps == [1, 1, 2] and operator.shape == (20, 8)


def test_orders_0_and_1_equal_translation_scattering():
    x = torch.rand(2, 3, 24, 24, dtype=torch.float64)
    roto = RotoTranslationScattering2D(J=3, shape=(24, 24))
    translation = Scattering2D(J=3, shape=(24, 24))
    n = 1 + 3 * 8
    torch.testing.assert_close(roto(x)[..., :n, :, :], translation(x)[..., :n, :, :], rtol=0, atol=0)


@pytest.mark.parametrize("J, L, n_scales, oversampling, expected", [
    (2, 8, 2, 1, 1 + 16 + 1 * 16 * 20), (4, 8, 2, 1, 1953), (3, 8, 2, 0, 1 + 24 + 3 * 16 * 14),
    (2, 4, 1, 1, 1 + 8 + 8 * 8),
])
def test_output_dimension_formula(J, L, n_scales, oversampling, expected):
    module = RotoTranslationScattering2D(J, (2**J, 2**J), L=L, n_angular_scales=n_scales,
                                         angular_oversampling=oversampling)
    assert module.n_paths == expected == len(module.paths["order"])
    assert module(torch.rand(1, 2**J, 2**J)).shape[1] == expected


def test_gradients_flow_to_the_input():
    x = torch.rand(1, 8, 8, dtype=torch.float64, requires_grad=True)
    RotoTranslationScattering2D(J=2, shape=(8, 8), L=4)(x).sum().backward()
    assert torch.isfinite(x.grad).all() and x.grad.abs().sum() > 0


@parametrize_with_checks([RotoTranslationScattering(J=1, L=4, colorspace="rgb", device="cpu")],
                         expected_failed_checks=lambda est: EXPECTED_FAILED_CHECKS)
def test_sklearn_compatible(estimator, check):
    check(estimator)


def _images(n=4, channels=3, size=16, seed=0):
    return np.random.default_rng(seed).random((n, channels, size, size))


def test_yuv_scatters_the_converted_channels():
    images = _images()
    roto = RotoTranslationScattering(J=2, colorspace="yuv", device="cpu").fit(images)
    rgb = RotoTranslationScattering(J=2, colorspace="rgb", device="cpu").fit(images)
    yuv_images = rgb_to_yuv(torch.from_numpy(images)).numpy()
    np.testing.assert_allclose(roto.transform(images), rgb.transform(yuv_images), rtol=1e-12, atol=1e-14)


def test_gray_and_log():
    images = _images()
    gray = RotoTranslationScattering(J=2, colorspace="gray", pooling="mean", device="cpu").fit(images)
    logged = clone(gray).set_params(log=True).fit(images)
    assert gray.transform(images).shape == (4, gray.n_paths_)
    np.testing.assert_allclose(logged.transform(images), np.log(np.abs(gray.transform(images)) + 1e-6))
    assert len(gray.get_feature_names_out()) == gray.n_paths_


def test_pickle_clone_and_batch_size():
    images = _images(n=5)
    roto = RotoTranslationScattering(J=2, L=4, batch_size=2, device="cpu").fit(images)
    restored = pickle.loads(pickle.dumps(roto))
    whole = clone(roto).set_params(batch_size=5).fit(images)
    np.testing.assert_array_equal(restored.transform(images), roto.transform(images))
    np.testing.assert_array_equal(whole.transform(images), roto.transform(images))


def test_pipeline_and_grid_search():
    rng = np.random.default_rng(0)
    stripes = np.sin(np.arange(16) * 1.3)[None, :] * np.ones((16, 1))
    X = np.stack([stripes if k % 2 else stripes.T for k in range(40)]) + 0.3 * rng.random((40, 16, 16))
    y = np.arange(40) % 2
    model = make_pipeline(RotoTranslationScattering(J=2, L=4, colorspace="rgb", pooling="mean", log=True,
                                                    device="cpu"), StandardScaler(), SVC())
    search = GridSearchCV(model, {"rototranslationscattering__J": [1, 2]}, cv=2, n_jobs=2).fit(X, y)
    assert search.best_score_ > 0.9


@pytest.mark.parametrize("params, message", [
    ({"colorspace": "yuv"}, "colorspace='yuv' needs RGB images"),
    ({"J": 5}, "too small for J=5"),
    ({"colorspace": "hsv"}, "'colorspace' parameter"),
    ({"eps": 0}, "'eps' parameter"),
    ({"n_angular_scales": -1}, "'n_angular_scales' parameter"),
])
def test_bad_input(params, message):
    with pytest.raises(ValueError, match=message):
        RotoTranslationScattering(device="cpu", **params).fit(_images(channels=1))


def test_rotation_permutation_needs_L_divisible_by_4():
    with pytest.raises(ValueError, match="divisible by 4"):
        RotoTranslationScattering2D(J=2, shape=(8, 8), L=6).rotation_permutation()


def test_same_order_01_features_as_scattering_transformer():
    images = _images(channels=1)
    roto = RotoTranslationScattering(J=2, colorspace="rgb", pooling="mean", device="cpu").fit(images)
    translation = ScatteringTransformer(J=2, pooling="mean", device="cpu").fit(images)
    np.testing.assert_array_equal(roto.transform(images)[:, :17], translation.transform(images)[:, :17])
