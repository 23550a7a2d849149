"""The properties behind scikit-learn's checks that cannot feed images, checked on images.

scikit-learn's generic checks give the transformers rows of 1-10 features, which are not images of
2**J x 2**J pixels (see EXPECTED_FAILED_CHECKS); these tests check the same contracts on real image input.
"""

import pickle

import joblib
import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from skscat.scattering import RotoTranslationScattering, ScatteringTransformer

ESTIMATORS = [
    ScatteringTransformer(J=1, L=2, device="cpu"),
    RotoTranslationScattering(J=2, L=4, colorspace="rgb", pooling="mean", device="cpu"),
]


@pytest.fixture
def images():
    return np.random.default_rng(0).random((7, 64))  # flat rows of 8x8 images, shape inferred


@pytest.fixture(params=ESTIMATORS, ids=lambda est: type(est).__name__)
def estimator(request):
    return clone(request.param)


def test_fit_returns_self_and_is_idempotent(estimator, images):
    assert estimator.fit(images) is estimator
    first = estimator.transform(images)
    np.testing.assert_array_equal(estimator.fit(images).transform(images), first)
    np.testing.assert_array_equal(clone(estimator).fit_transform(images), first)
    assert estimator.n_features_in_ == 64


def test_unfitted_transform_raises(estimator, images):
    with pytest.raises(NotFittedError):
        estimator.transform(images)


def test_sample_order_and_subset_invariance(estimator, images):
    out = estimator.fit(images).transform(images)
    order = np.random.default_rng(1).permutation(len(images))
    np.testing.assert_allclose(estimator.transform(images[order]), out[order], rtol=1e-12)
    np.testing.assert_allclose(estimator.transform(images[2:5]), out[2:5], rtol=1e-12)
    np.testing.assert_allclose(estimator.transform(images[:1]), out[:1], rtol=1e-12)


@pytest.mark.parametrize("dtype, expected", [(np.float32, np.float32), (np.float64, np.float64),
                                             (np.int64, np.float64), (np.uint8, np.float64)])
def test_dtypes(estimator, images, dtype, expected):
    data = (images * 255).astype(dtype)
    assert estimator.fit(data).transform(data).dtype == expected


def test_pickle_and_joblib_round_trip(estimator, images, tmp_path):
    out = estimator.fit(images).transform(images)
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(estimator)).transform(images), out)
    joblib.dump(estimator, tmp_path / "model.joblib")
    np.testing.assert_array_equal(joblib.load(tmp_path / "model.joblib").transform(images), out)


def test_transform_leaves_state_and_input_unchanged(estimator, images):
    estimator.fit(images)
    state = {key: value for key, value in vars(estimator).items() if key != "_module"}
    before = images.copy()
    estimator.transform(images)
    np.testing.assert_array_equal(images, before)
    assert set(state) == {key for key in vars(estimator) if key != "_module"}
    assert estimator.get_params() == clone(estimator).get_params()


def test_readonly_memmap_and_fortran_input(estimator, images, tmp_path):
    path = tmp_path / "images.npy"
    np.save(path, images)
    readonly = np.load(path, mmap_mode="r")
    out = estimator.fit(readonly).transform(readonly)
    np.testing.assert_array_equal(estimator.transform(np.asfortranarray(images)), out)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_values_are_refused(estimator, images, bad):
    images[3, 5] = bad
    with pytest.raises(ValueError, match="NaN|infinity"):
        estimator.fit(images)


def test_one_sample_and_list_input(estimator, images):
    one = estimator.fit(images[:1]).transform(images[:1])
    assert one.shape[0] == 1
    np.testing.assert_allclose(estimator.transform(images[:1].tolist()), one)
