"""convention="scatnet" reproduces ScatNetLight's coefficient vectors (../shared/reference).

The reference holds ScatNetLight's own output (commit 63e76a8, run in Octave) for the operators of the
paper's configuration files, plane by plane, as ``[S{1}(:); S{2}(:); S{3}(:)]``.
"""

import numpy as np
import pytest

from skscat.scattering import RotoTranslationScattering, ScatteringTransformer

# tag -> (transformer parameters) for ScatNetLight's operators of that configuration.
ROTO_CASES = {
    "cifar_tr_luma": {"J": 4},
    "small_tr_luma": {"J": 3},
    "caltech_tr_luma": {"J": 6},
    "caltech_tr_color": {
        "J": 4,
        "order2_averaging_J": 6,
    },  # the colour operator's third layer is the luma one's
}
TOLERANCE = 1e-4  # of each plane's largest coefficient, float32


@pytest.fixture(scope="module")
def reference(reference_dir):
    return np.load(reference_dir / "scatnetlight_scattering2d.npz")


def _relative_errors(got, expected):
    return np.abs(got - expected).max(axis=1) / np.abs(expected).max(axis=1)


def _roto(params):
    return RotoTranslationScattering(
        L=8, Q=2, convention="scatnet", colorspace="gray", device="cpu", **params
    )


@pytest.mark.parametrize("tag", ROTO_CASES)
def test_roto_translation_matches_scatnetlight(reference, tag):
    planes, expected = reference[f"{tag}_input"], reference[f"{tag}_output"]
    assert planes.dtype == np.float32
    got = _roto(ROTO_CASES[tag]).fit_transform(planes)
    assert got.shape == expected.shape and got.dtype == np.float32
    errors = _relative_errors(got, expected)
    assert errors.max() <= TOLERANCE, f"{tag}: relative errors per plane {errors}"


def test_translation_matches_scatnetlight(reference):
    planes, expected = reference["cifar_t_luma_input"], reference["cifar_t_luma_output"]
    got = ScatteringTransformer(J=4, L=8, Q=2, convention="scatnet", device="cpu").fit_transform(planes)
    assert got.shape == expected.shape
    errors = _relative_errors(got, expected)
    assert errors.max() <= TOLERANCE, f"relative errors per plane {errors}"


def test_float64_agrees(reference):
    planes, expected = reference["cifar_tr_luma_input"], reference["cifar_tr_luma_output"]
    got = _roto({"J": 4}).fit_transform(planes.astype(np.float64))
    assert got.dtype == np.float64
    assert _relative_errors(got, expected).max() <= TOLERANCE


@pytest.mark.parametrize("tag", [*ROTO_CASES, "cifar_t_luma"])
def test_coefficients_per_order(reference, tag):
    """Each order fills ScatNetLight's share of the vector: channels times their grid."""
    if tag == "cifar_t_luma":
        model = ScatteringTransformer(J=4, Q=2, convention="scatnet", device="cpu")
    else:
        model = _roto(ROTO_CASES[tag])
    model.fit(reference[f"{tag}_input"][:1])
    order = model.paths_["order"]
    grid1 = int(np.prod(model.output_shape_))
    grid2 = int(np.prod(model._module.order2_shape if tag != "cifar_t_luma" else model.output_shape_))
    sizes = [(order == 0).sum() * grid1, (order == 1).sum() * grid1, (order == 2).sum() * grid2]
    np.testing.assert_array_equal(sizes, reference[f"{tag}_order_sizes"])


def test_paths_follow_scatnetlight_meta(reference):
    """j1 in 1/Q octaves (ScatNetLight's meta.j = j1 / Q), cells of order 2 in its (j2, angular filter) order."""
    translation = ScatteringTransformer(J=4, Q=2, convention="scatnet", device="cpu")
    paths = translation.fit(reference["cifar_t_luma_input"][:1]).paths_
    first = paths["order"] == 1
    # Order-1 cells, one per j1, each with the L orientations.
    np.testing.assert_array_equal(np.unique(paths["j1"][first]) / 2, reference["cifar_t_luma_meta1_j"][0])
    np.testing.assert_array_equal(paths["theta1"][first][:8], np.arange(8))

    roto = _roto({"J": 4}).fit(reference["cifar_tr_luma_input"][:1]).paths_
    second = roto["order"] == 2
    cells = [(j2, k) for j2, k in zip(roto["j2"][second], roto["angular_scale"][second])]
    cells = list(dict.fromkeys(cells))  # cell order as the channels run
    np.testing.assert_array_equal([c[0] for c in cells], reference["cifar_tr_luma_meta2_j"][0])
    np.testing.assert_array_equal([c[1] for c in cells], reference["cifar_tr_luma_meta2_lambda_theta"][0])
    # Within the cell (j2=1, k=0): 2 conjugates x 1 j1 x 8 theta2 x 8 theta1, theta1 fastest.
    cell = second & (roto["j2"] == 1) & (roto["angular_scale"] == 0)
    assert cell.sum() == 128
    np.testing.assert_array_equal(roto["theta1"][cell][:8], np.arange(8))
    np.testing.assert_array_equal(roto["theta2"][cell][::8], np.arange(16))
