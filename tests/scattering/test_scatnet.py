"""convention="scatnet" and Q: colour, the estimator contract, errors, rotations, torch behaviour."""

import pickle

import numpy as np
import pytest
import torch

# Same reasons as for the kymatio convention: the check data are not images.
from _estimator_checks import EXPECTED_FAILED_CHECKS
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC
from sklearn.utils.estimator_checks import parametrize_with_checks

from skscat.scattering import (
    RotoTranslationScattering,
    RotoTranslationScattering2D,
    Scattering2D,
    ScatteringTransformer,
    rgb_to_yuv,
)

PAPER = {"L": 8, "Q": 2, "convention": "scatnet", "device": "cpu"}


@pytest.fixture(scope="module")
def reference(reference_dir):
    return np.load(reference_dir / "scatnetlight_scattering2d.npz")


def _upsampled_rgb(reference, size):
    """The reference's CIFAR images, bilinearly resized as its planes were (pixels in [0, 255])."""
    rgb = torch.from_numpy(reference["source_images_rgb"].astype(np.float32))
    return torch.nn.functional.interpolate(
        rgb, size=(size, size), mode="bilinear", align_corners=False
    ).numpy()


def _relative_error(got, expected):
    return (np.abs(got - expected).max(axis=-1) / np.abs(expected).max(axis=-1)).max()


def test_yuv_is_scatnetlight_rgb2yuv(reference):
    """ScatNetLight's rgb2yuv.m: Y = wr R + (1 - wr - wb) G + wb B, U = .436 (B - Y) / (1 - wb),
    V = .615 (R - Y) / (1 - wr), with BT.709's wr, wb; the reference's planes are those of its images."""
    wr, wb = reference["rgb2yuv_weights"]
    rgb = _upsampled_rgb(reference, 64).astype(np.float64)
    r, g, b = rgb[:, 0], rgb[:, 1], rgb[:, 2]
    y = wr * r + (1 - wr - wb) * g + wb * b
    expected = np.stack([y, 0.436 * (b - y) / (1 - wb), 0.615 * (r - y) / (1 - wr)], axis=1)
    np.testing.assert_allclose(rgb_to_yuv(torch.from_numpy(rgb)).numpy(), expected, rtol=1e-12, atol=1e-9)
    planes = reference["cifar_tr_luma_input"][:6].reshape(2, 3, 64, 64)
    np.testing.assert_allclose(planes, expected, atol=1e-4)


def test_cifar_rgb_images_give_scatnetlight_yuv_features(reference):
    """colorspace="yuv" on RGB images: each row is ScatNetLight's [S_y; S_u; S_v]."""
    roto = RotoTranslationScattering(J=4, colorspace="yuv", **PAPER)
    got = roto.fit_transform(_upsampled_rgb(reference, 64))
    expected = reference["cifar_tr_luma_output"][:6].reshape(2, -1)
    assert got.shape == expected.shape
    assert _relative_error(got.reshape(6, -1), expected.reshape(6, -1)) <= 1e-4


def test_caltech_colour_operator_on_u_and_v(reference):
    """The Caltech colour operator on the U and V planes of an image, as a 2-channel input."""
    planes = reference["caltech_tr_color_input"][None]  # (1, 2, 64, 64): U, V of one image
    roto = RotoTranslationScattering(J=4, order2_averaging_J=6, colorspace="rgb", **PAPER).fit(planes)
    assert roto._module.order2_shape == (1, 1) and roto.output_shape_ == (4, 4)
    expected = reference["caltech_tr_color_output"].reshape(1, -1)
    assert _relative_error(roto.transform(planes).reshape(2, -1), expected.reshape(2, -1)) <= 1e-4


def _periodic_pair(period=16, tiles=5, centre=40, seed=0):
    """A periodic image and its quarter turn ``rotated[i, j] = image[j, 2 centre - i]``."""
    pattern = np.random.default_rng(seed).random((period, period))
    i, j = np.meshgrid(np.arange(period), np.arange(period), indexing="ij")
    rotated = pattern[j, (2 * centre - i) % period]
    return np.tile(pattern, (tiles, tiles)), np.tile(rotated, (tiles, tiles))


def _as_maps(module, coefficients):
    """ScatNetLight's column-major vector as (n_paths, H', W') maps (one grid for all orders)."""
    height, width = module.output_shape
    return coefficients.reshape(module.n_paths, width, height).transpose(0, 2, 1)


@pytest.mark.parametrize("L", [8, 4])
def test_rotation_covariance_under_scatnet(L):
    image, rotated = _periodic_pair()
    module = RotoTranslationScattering2D(J=2, shape=image.shape, L=L, Q=2, convention="scatnet").double()
    S, S_rot = (_as_maps(module, module(torch.from_numpy(x)).numpy()) for x in (image, rotated))
    perm = module.rotation_permutation()
    # Output sample g sits at pixel 4g (ScatNetLight keeps the first samples); (a, b) maps to (b, 20 - a).
    interior = range(5, 16)
    error = max(np.abs(S_rot[:, a, b] - S[perm, b, 20 - a]).max() for a in interior for b in interior)
    wrong = max(np.abs(S_rot[:, a, b] - S[:, b, 20 - a]).max() for a in interior for b in interior)
    assert error < 1e-4 * np.abs(S).max()
    assert wrong > 1e2 * error


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda: Scattering2D(2, (16, 16), Q=0, convention="scatnet"), "Q=0 is invalid"),
        (lambda: Scattering2D(2, (16, 16), convention="matlab"), "convention='matlab' is invalid"),
        (lambda: Scattering2D(2, (16, 16), Q=2), "Q=2 needs convention='scatnet'"),
        (lambda: RotoTranslationScattering2D(2, (16, 16), Q=2), "Q=2 needs convention='scatnet'"),
        (
            lambda: RotoTranslationScattering2D(2, (16, 16), order2_averaging_J=3),
            "needs convention='scatnet'",
        ),
        (
            lambda: RotoTranslationScattering2D(2, (16, 16), convention="scatnet", order2_averaging_J=1),
            "order2_averaging_J=1 is invalid",
        ),
        (lambda: RotoTranslationScattering2D(2, (16, 16), L=6, convention="scatnet"), "L a power of two"),
        (
            lambda: RotoTranslationScattering2D(2, (16, 16), L=4, n_angular_scales=4, convention="scatnet"),
            "n_angular_scales between 1 and 3",
        ),
    ],
)
def test_bad_parameters_name_the_fix(make, message):
    with pytest.raises(ValueError, match=message):
        make()


@pytest.mark.parametrize(
    "params, message",
    [
        ({"Q": 0}, "'Q' parameter"),
        ({"convention": "matlab"}, "'convention' parameter"),
        ({"Q": 2, "convention": "kymatio"}, "Q=2 needs convention='scatnet'"),
        ({"order2_averaging_J": 3}, "order2_averaging_J=3 needs convention='scatnet'"),
    ],
)
def test_transformers_refuse_bad_parameters(params, message):
    images = np.random.default_rng(0).random((2, 16, 16))
    with pytest.raises(ValueError, match=message):
        RotoTranslationScattering(J=2, colorspace="gray", device="cpu", **params).fit(images)
    if "order2_averaging_J" not in params:
        with pytest.raises(ValueError, match=message):
            ScatteringTransformer(J=2, device="cpu", **params).fit(images)


@parametrize_with_checks(
    [
        ScatteringTransformer(J=1, L=4, Q=2, convention="scatnet", device="cpu"),
        RotoTranslationScattering(J=1, L=4, Q=2, convention="scatnet", colorspace="rgb", device="cpu"),
    ],
    expected_failed_checks=lambda est: EXPECTED_FAILED_CHECKS,
)
def test_sklearn_compatible(estimator, check):
    check(estimator)


def _stripes(n=40, size=16, seed=0):
    """Two classes: horizontal or vertical stripes, plus noise."""
    rng = np.random.default_rng(seed)
    stripes = np.sin(np.arange(size) * 1.3)[None, :] * np.ones((size, 1))
    X = np.stack([stripes if k % 2 else stripes.T for k in range(n)]) + 0.3 * rng.random((n, size, size))
    return X, np.arange(n) % 2


@pytest.mark.parametrize(
    "estimator, prefix",
    [
        (
            RotoTranslationScattering(J=2, L=4, colorspace="rgb", pooling="mean", log=True, device="cpu"),
            "rototranslationscattering",
        ),
        (ScatteringTransformer(J=2, L=4, pooling="mean", device="cpu"), "scatteringtransformer"),
    ],
)
def test_q_and_convention_follow_set_params_in_grid_search(estimator, prefix):
    X, y = _stripes()
    grid = [
        {f"{prefix}__convention": ["kymatio"], f"{prefix}__Q": [1]},
        {f"{prefix}__convention": ["scatnet"], f"{prefix}__Q": [1, 2]},
    ]
    search = GridSearchCV(make_pipeline(estimator, StandardScaler(), SVC()), grid, cv=2, error_score="raise")
    search.fit(X, y)
    assert np.isfinite(search.cv_results_["mean_test_score"]).all() and search.best_score_ > 0.9
    # Each candidate's fitted transformer is the one its parameters describe.
    for params in search.cv_results_["params"]:
        fitted = clone(search.estimator).set_params(**params).fit(X, y)[0]
        fresh = clone(estimator).set_params(
            Q=params[f"{prefix}__Q"], convention=params[f"{prefix}__convention"]
        )
        np.testing.assert_array_equal(fitted.transform(X), fresh.fit(X).transform(X))
        assert fitted._module.Q == fitted.Q and fitted._module.convention == fitted.convention
        assert int((fitted.paths_["order"] == 1).sum()) == 2 * 4 * fitted.Q


def test_pooling_names_pickle_and_batch_size():
    images = np.random.default_rng(0).random((5, 2, 16, 16))
    roto = RotoTranslationScattering(J=2, order2_averaging_J=4, colorspace="rgb", batch_size=2, **PAPER)
    full = roto.fit_transform(images)
    names = roto.get_feature_names_out()
    assert len(names) == full.shape[1] == 2 * roto._module.n_coefficients
    assert names[0] == "c0_S0_y0_x0" and names[1] == "c0_S0_y1_x0"  # the row index varies fastest
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(roto)).transform(images), full)
    np.testing.assert_array_equal(clone(roto).set_params(batch_size=5).fit(images).transform(images), full)
    pooled = clone(roto).set_params(pooling="mean").fit(images)
    module = roto._module
    expected = module.scatnet.pool(torch.from_numpy(full.reshape(5, 2, -1))).numpy().reshape(5, -1)
    np.testing.assert_allclose(pooled.transform(images), expected, rtol=1e-12)
    assert len(pooled.get_feature_names_out()) == 2 * roto.n_paths_
    # Order 2 on the 1x1 grid of order2_averaging_J=4: its channels are one coefficient each.
    order2 = roto.paths_["order"] == 2
    assert module.order2_shape == (1, 1)
    np.testing.assert_allclose(
        pooled.transform(images)[:, : roto.n_paths_][:, order2],
        full[:, module.n_coefficients - order2.sum() : module.n_coefficients],
    )


@pytest.mark.parametrize(
    "make",
    [
        lambda: Scattering2D(3, (24, 24), Q=2, convention="scatnet"),
        lambda: RotoTranslationScattering2D(3, (24, 24), Q=2, convention="scatnet"),
    ],
)
def test_modules_batch_dtypes_and_gradients(make):
    module = make()
    x = torch.rand(2, 3, 24, 24, dtype=torch.float64)
    out64 = module(x)
    assert out64.shape == (2, 3, module.n_coefficients) and out64.dtype == torch.float64
    out32 = module(x.float())
    assert out32.dtype == torch.float32
    assert (out32.double() - out64).abs().max() <= 1e-5 * out64.abs().max()
    torch.testing.assert_close(module(x[1, 2]), out64[1, 2])  # (H, W) input, batch independent
    leaf = x[:1, :1].clone().requires_grad_(True)
    module.double()(leaf).sum().backward()
    assert torch.isfinite(leaf.grad).all() and leaf.grad.abs().sum() > 0


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_cuda_matches_cpu():
    module = RotoTranslationScattering2D(3, (32, 32), Q=2, convention="scatnet")
    x = torch.rand(3, 32, 32)
    cpu = module(x)
    cuda = module.to("cuda")(x.cuda()).cpu()
    assert (cuda - cpu).abs().max() <= 1e-5 * cpu.abs().max()
