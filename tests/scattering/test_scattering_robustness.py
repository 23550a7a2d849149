"""Regression tests of the fuzzing findings (issue 16) on the scattering modules and transformers.

Named ``test_scattering_robustness.py`` (not ``test_robustness.py``): the test folders are not
packages, so two files of one name in different folders would collide at collection.
"""

import pickle
import warnings

import numpy as np
import pytest
import torch
from sklearn.exceptions import NotFittedError

from skscat.scattering import (
    RotoTranslationScattering,
    RotoTranslationScattering2D,
    Scattering2D,
    ScatteringTransformer,
    path_names,
    rgb_to_gray,
    rgb_to_yuv,
    roto_translation_paths,
    scattering_paths,
)
from skscat.scattering.filter_bank import (
    angular_filter_bank,
    compute_padding,
    filter_bank,
)


def _images(n=3, channels=3, size=16, seed=0):
    return np.random.default_rng(seed).random((n, channels, size, size))


# Output channel count ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "transformer, expected",
    [
        (ScatteringTransformer(J=1, L=4, device="cpu"), 3),
        (RotoTranslationScattering(J=1, L=4, colorspace="gray", device="cpu"), 1),
        (RotoTranslationScattering(J=1, L=4, colorspace="yuv", device="cpu"), 3),
        (RotoTranslationScattering(J=1, L=4, colorspace="rgb", device="cpu"), 3),
    ],
)
def test_transformers_say_their_output_channel_count(transformer, expected):
    images = _images()
    transformer.set_params(pooling="mean").fit(images)
    assert transformer.n_output_channels_ == expected
    assert transformer.transform(images).shape[1] == expected * transformer.n_paths_
    columns = transformer.get_feature_paths_out()
    assert columns["channel"].max() + 1 == expected and len(columns["path"]) == expected * transformer.n_paths_


@pytest.mark.parametrize("convention", ["kymatio", "scatnet"])
def test_feature_paths_name_every_column_in_order(convention):
    scat = RotoTranslationScattering(J=2, L=4, convention=convention, colorspace="gray", device="cpu").fit(_images())
    columns = scat.get_feature_paths_out()
    names = scat.get_feature_names_out()
    assert len(names) == scat.transform(_images(1)).shape[1] == len(columns["path"])
    order = scat.paths_["order"][columns["path"]]
    assert all(name.startswith(f"c0_S{o}") for name, o in zip(names, order))


# Empty batches -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("convention", ["kymatio", "scatnet"])
@pytest.mark.parametrize("module_class", [Scattering2D, RotoTranslationScattering2D])
def test_empty_batch_gives_an_empty_output_of_the_right_shape(module_class, convention):
    module = module_class(1, (8, 8), L=4, convention=convention)
    full = module(torch.zeros(2, 3, 8, 8))
    for batch in [(0,), (0, 3), (2, 0)]:
        out = module(torch.zeros(*batch, 8, 8))
        assert out.shape == (*batch, *full.shape[2:])


def test_transformer_refuses_an_empty_batch_clearly():
    scat = ScatteringTransformer(J=1, L=4, device="cpu").fit(_images())
    with pytest.raises(ValueError, match="0 sample"):
        scat.transform(np.zeros((0, 3, 16, 16)))


# set_params after fit: one rule ------------------------------------------------------------------------------


@pytest.mark.parametrize("klass", [ScatteringTransformer, RotoTranslationScattering])
@pytest.mark.parametrize("change", [{"pooling": "mean"}, {"J": 2}, {"L": 2}])
def test_changed_parameters_need_a_refit_also_after_pickling(klass, change):
    images = _images()
    scat = klass(J=1, L=4, device="cpu").fit(images)
    scat.set_params(**change)
    for obj in (scat, pickle.loads(pickle.dumps(scat))):
        for method in (obj.transform, obj.get_feature_names_out, obj.get_feature_paths_out):
            with pytest.raises(NotFittedError, match=f"{next(iter(change))}=.*call fit again"):
                method(images) if method == obj.transform else method()
    refit = scat.fit(images)
    assert refit.transform(images).shape[0] == 3
    assert pickle.loads(pickle.dumps(refit)).transform(images).shape == refit.transform(images).shape


@pytest.mark.parametrize("klass", [ScatteringTransformer, RotoTranslationScattering])
def test_runtime_parameters_take_effect_without_refit(klass):
    images = _images()
    scat = klass(J=1, L=4, device="cpu", batch_size=2).fit(images)
    before = scat.transform(images)
    scat.set_params(batch_size=1, verbose=False, device="cpu")
    np.testing.assert_array_equal(scat.transform(images), before)
    scat.set_params(J=2).set_params(J=1)  # set back: fitted again
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(scat)).transform(images), before)


# Scale: no overflow or underflow, a warning when the result itself overflows ----------------------------------


@pytest.mark.parametrize("scale", [1e-30, 1e-20, 1e20, 1e30])
@pytest.mark.parametrize("module_class", [Scattering2D, RotoTranslationScattering2D])
def test_float32_scattering_is_homogeneous_at_extreme_scales(module_class, scale):
    module = module_class(2, (16, 16), L=4)
    x = torch.rand(2, 16, 16, generator=torch.Generator().manual_seed(0))
    S = module(x)
    S_scaled = module(x * scale)
    assert torch.isfinite(S_scaled).all()
    torch.testing.assert_close(S_scaled / scale, S, rtol=1e-5, atol=1e-6 * float(S.abs().max()))


def test_normal_range_is_bit_identical_to_the_unscaled_cascade():
    module = Scattering2D(2, (16, 16), L=4)
    x = torch.rand(2, 16, 16, dtype=torch.float64, generator=torch.Generator().manual_seed(1))
    phi, psi, separable = module.cascade_filters(x.dtype)
    from skscat.scattering._core import scattering2d

    direct = scattering2d(module.pad(x), phi, psi, 2, 2, separable)
    assert torch.equal(module(x), direct)


@pytest.mark.parametrize("klass", [ScatteringTransformer, RotoTranslationScattering])
def test_float32_data_near_1e20_transforms_finitely(klass):
    images = (_images() * 1e20).astype(np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = klass(J=1, L=4, device="cpu").fit_transform(images)
    assert np.isfinite(out).all()


def test_the_largest_float32_images_transform_finitely_without_warning():
    images = np.full((2, 1, 8, 8), 3e38, dtype=np.float32)
    images[:, :, :, ::2] = -3e38  # the scattering is non-expansive: no coefficient exceeds ~max |x|
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = ScatteringTransformer(J=1, L=4, device="cpu").fit_transform(images)
    assert np.isfinite(out).all() and np.abs(out).max() > 1e37
    assert not [w for w in caught if "not finite" in str(w.message)]


def test_non_finite_coefficients_warn_naming_the_cause_and_fix(monkeypatch):
    images = _images().astype(np.float32)
    scat = ScatteringTransformer(J=1, L=4, device="cpu").fit(images)
    # Coefficients beyond the dtype's range (no finite image makes them since the rescaling):
    width = scat.transform(images).shape[1]
    monkeypatch.setattr(scat, "_transform_batch", lambda module, batch, device: np.full((len(batch), width), np.inf))
    with pytest.warns(RuntimeWarning, match="not finite although the input is.*Rescale the input.*float64"):
        scat.transform(images)


# Clear errors --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"J": 10**6, "shape": (8, 8)}, ValueError, "J=1000000.*Use J <= 3"),
        ({"J": 1, "shape": (1, 8, 8)}, ValueError, r"shape=\(1, 8, 8\) has 3 entries"),
        ({"J": 1, "shape": 8}, TypeError, "shape=8 is not a sequence"),
        ({"J": 1, "shape": (0, 8)}, ValueError, "positive sizes"),
        ({"J": 1, "shape": (-8, -8)}, ValueError, "positive sizes"),
        ({"J": 1, "shape": (8.5, 8)}, TypeError, "must hold integers"),
        ({"J": 1, "shape": None}, TypeError, "shape=None"),
        ({"J": True, "shape": (8, 8)}, ValueError, "J=True"),
        ({"J": 1, "shape": (8, 8), "L": 10**6}, ValueError, "lower L"),
        ({"J": 1, "shape": (8, 8), "Q": 10**6, "convention": "scatnet"}, ValueError, "or Q"),
        ({"J": 1, "shape": (8, 8), "max_order": True}, ValueError, "max_order=True"),
    ],
)
def test_bad_module_parameters_name_parameter_value_and_fix(kwargs, error, match):
    with pytest.raises(error, match=match):
        Scattering2D(**kwargs)


@pytest.mark.parametrize(
    "kwargs, match",
    [({"L": 1}, "L=1.*L >= 2"), ({"n_angular_scales": 0}, "n_angular_scales=0"), ({"L": 1, "convention": "scatnet"}, "L=1")],
)
def test_bad_roto_parameters_name_parameter_value_and_fix(kwargs, match):
    with pytest.raises(ValueError, match=match):
        RotoTranslationScattering2D(1, (8, 8), **kwargs)
    with pytest.raises(ValueError, match=match.split("=")[0]):
        RotoTranslationScattering(J=1, device="cpu", **kwargs).fit(_images())


@pytest.mark.parametrize("klass", [ScatteringTransformer, RotoTranslationScattering])
def test_huge_J_on_a_transformer_is_a_clear_error(klass):
    with pytest.raises(ValueError, match="J=1000000.*Use J <= 4"):
        klass(J=10**6, device="cpu").fit(_images())


# The roto-translation front end is the translation module ---------------------------------------------------


def test_roto_second_layer_wavelets_come_from_the_translation_front_end():
    roto = RotoTranslationScattering2D(3, (16, 16), L=4)
    bank = filter_bank(*compute_padding(16, 16, 3), 3, 4)
    for j2 in range(1, 3):
        for j1 in range(j2):
            np.testing.assert_array_equal(roto.translation.wavelet_hat(j2, j1), bank["psi"][j2][j1])
    x = torch.rand(2, 16, 16, generator=torch.Generator().manual_seed(2))
    torch.testing.assert_close(roto(x)[:, : 1 + 3 * 4], roto.translation(x)[:, : 1 + 3 * 4], rtol=0, atol=0)


# Further bad inputs on the public functions (same classes of fault) ------------------------------------------


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda: scattering_paths(-1, 4), ValueError, "J=-1"),
        (lambda: scattering_paths(2, 0), ValueError, "L=0"),
        (lambda: scattering_paths(2, 4, 5), ValueError, "max_order=5"),
        (lambda: roto_translation_paths(0, 4), ValueError, "J=0"),
        (lambda: roto_translation_paths(2, 4, -1), ValueError, "n_angular_scales=-1"),
        (lambda: path_names({}), ValueError, "paths lacks the columns"),
        (lambda: rgb_to_gray(torch.zeros(2, 8, 8)), ValueError, "not RGB"),
        (lambda: rgb_to_yuv(torch.zeros(4, 8, 8)), ValueError, "not RGB"),
        (lambda: rgb_to_yuv(np.zeros((3, 8, 8))), TypeError, "torch.Tensor"),
        (lambda: filter_bank(16, 16, 0), ValueError, "J=0"),
        (lambda: filter_bank(16, 16, 1, 0), ValueError, "L=0"),
        (lambda: filter_bank(18, 16, 2), ValueError, "M=18 is not a multiple of 2\\*\\*J"),
        (lambda: angular_filter_bank(1), ValueError, "L=1"),
        (lambda: angular_filter_bank(8, 0), ValueError, "n_scales=0"),
        (lambda: ScatteringTransformer(J=1, shape=(8.5, 8), device="cpu").fit(np.zeros((2, 64))), ValueError,
         r"shape=\(8.5, 8\)"),
    ],
)
def test_public_functions_refuse_bad_input_clearly(call, error, match):
    with pytest.raises(error, match=match):
        call()
