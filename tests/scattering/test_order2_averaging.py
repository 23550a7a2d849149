"""order2_averaging_J on the translation transform: ScatNetLight's Caltech colour operator of type 't'.

``data/scatnetlight_t_colour.npz`` holds ScatNetLight's own vector (commit 63e76a8, Octave; made by
``data/make_scatnetlight_t_colour.m``) for one 64x64 plane through the translation-only colour operator
(J=4, Q=2, third layer copied from the J=6 luma operator, so order 2 ends on a 1x1 grid).
"""

from pathlib import Path

import numpy as np
import pytest
import torch

from skscat.scattering import (
    RotoTranslationScattering,
    Scattering2D,
    ScatteringTransformer,
)

DATA = Path(__file__).parent / "data" / "scatnetlight_t_colour.npz"


def test_translation_colour_operator_matches_scatnetlight():
    reference = np.load(DATA)
    plane, expected = reference["x"], reference["S"]
    transformer = ScatteringTransformer(J=4, L=8, Q=2, convention="scatnet", order2_averaging_J=6, device="cpu")
    got = transformer.fit_transform(plane[None])[0]
    assert got.shape == expected.shape == (int(reference["order_sizes"].sum()),)
    assert np.abs(got - expected).max() <= 1e-4 * np.abs(expected).max()


def test_order2_averaging_changes_only_order_2():
    planes = np.random.default_rng(0).random((2, 64, 64), dtype=np.float32)
    params = {"J": 4, "L": 8, "Q": 2, "convention": "scatnet", "device": "cpu"}
    plain = ScatteringTransformer(**params).fit(planes)
    coarse = ScatteringTransformer(**params, order2_averaging_J=6).fit(planes)
    n01 = 16 * (1 + 8 * 4 * 2)  # orders 0 and 1 on the 4x4 grid
    np.testing.assert_allclose(coarse.transform(planes)[:, :n01], plain.transform(planes)[:, :n01], rtol=1e-6)
    n2_paths = int((plain.paths_["order"] == 2).sum())
    assert coarse.transform(planes).shape[1] == n01 + n2_paths  # order 2 on a 1x1 grid


def test_order2_averaging_follows_set_params():
    planes = np.random.default_rng(1).random((1, 64, 64), dtype=np.float32)
    transformer = ScatteringTransformer(J=4, Q=2, convention="scatnet", device="cpu")
    width = transformer.fit_transform(planes).shape[1]
    assert transformer.set_params(order2_averaging_J=6).fit_transform(planes).shape[1] < width


@pytest.mark.parametrize("cls", [ScatteringTransformer, RotoTranslationScattering])
def test_order2_averaging_errors_name_the_fix(cls):
    planes = np.random.default_rng(2).random((1, 64, 64), dtype=np.float32)
    extra = {"colorspace": "gray"} if cls is RotoTranslationScattering else {}
    with pytest.raises(ValueError, match="order2_averaging_J=6 needs convention='scatnet'"):
        cls(J=4, order2_averaging_J=6, device="cpu", **extra).fit(planes)
    with pytest.raises(ValueError, match="use an integer >= J=4"):
        cls(J=4, Q=2, convention="scatnet", order2_averaging_J=3, device="cpu", **extra).fit(planes)
    with pytest.raises(ValueError, match="too large"):
        cls(J=4, Q=2, convention="scatnet", order2_averaging_J=9, device="cpu", **extra).fit(planes)


def test_module_reports_its_order2_scale():
    module = Scattering2D(J=4, shape=(64, 64), Q=2, convention="scatnet", order2_averaging_J=6)
    assert module.order2_averaging_J == 6 and "order2_averaging_J=6" in repr(module)
    assert module(torch.rand(1, 64, 64)).shape == (1, module.n_coefficients)
