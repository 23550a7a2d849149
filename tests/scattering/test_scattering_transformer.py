"""ScatteringTransformer: scikit-learn contract, input handling, errors."""

import pickle

import numpy as np
import pandas as pd
import pytest
import torch
from _estimator_checks import EXPECTED_FAILED_CHECKS
from sklearn.base import clone
from sklearn.datasets import load_digits
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC
from sklearn.utils.estimator_checks import parametrize_with_checks

from skscat.scattering import ScatteringTransformer


@parametrize_with_checks([ScatteringTransformer(J=1, L=2, device="cpu")],
                         expected_failed_checks=lambda est: EXPECTED_FAILED_CHECKS)
def test_sklearn_compatible(estimator, check):
    check(estimator)


@pytest.fixture(scope="module")
def digits():
    return load_digits(return_X_y=True)


def _images(n=6, channels=3, size=16, seed=0):
    return np.random.default_rng(seed).random((n, channels, size, size))


def test_flat_and_image_input_agree():
    images = _images()
    flat = images.reshape(len(images), -1)
    from_images = ScatteringTransformer(J=2, L=4, device="cpu").fit_transform(images)
    from_flat = ScatteringTransformer(J=2, L=4, shape=(3, 16, 16), device="cpu").fit_transform(flat)
    inferred = ScatteringTransformer(J=2, L=4, device="cpu").fit(flat)
    np.testing.assert_array_equal(from_images, from_flat)
    assert inferred.image_shape_ == (3, 16, 16)


def test_output_layout_matches_module():
    images = _images(n=2)
    transformer = ScatteringTransformer(J=2, L=4, device="cpu").fit(images)
    out = transformer.transform(images)
    from_module = transformer._module(torch.from_numpy(images)).numpy()  # (n, C, K, H', W')
    np.testing.assert_array_equal(out, from_module.reshape(2, -1))
    assert out.shape[1] == 3 * transformer.n_paths_ * np.prod(transformer.output_shape_)
    assert len(transformer.get_feature_names_out()) == out.shape[1]


def test_mean_pooling_averages_the_grid():
    images = _images(n=3)
    grid = ScatteringTransformer(J=2, L=4, device="cpu").fit(images)
    pooled = ScatteringTransformer(J=2, L=4, pooling="mean", device="cpu").fit_transform(images)
    expected = grid.transform(images).reshape(3, 3, grid.n_paths_, -1).mean(axis=-1).reshape(3, -1)
    np.testing.assert_allclose(pooled, expected, rtol=1e-12)


def test_paths_table_and_feature_names():
    transformer = ScatteringTransformer(J=3, L=8, pooling="mean", device="cpu").fit(_images(n=1, size=32))
    paths = pd.DataFrame(transformer.paths_)
    assert len(paths) == transformer.n_paths_ == 1 + 8 * 3 + 64 * 3
    assert (paths.order.value_counts().sort_index().tolist()) == [1, 24, 192]
    second = paths[paths.order == 2]
    assert (second.j2 > second.j1).all()
    names = transformer.get_feature_names_out()
    assert names[0] == "c0_S0" and names[1] == "c0_S1_j0_t0" and names[-1] == "c2_S2_j1_t7_j2_t7"


def test_batch_size_does_not_change_the_result():
    images = _images(n=7)
    whole = ScatteringTransformer(J=2, L=4, batch_size=7, device="cpu").fit_transform(images)
    batched = ScatteringTransformer(J=2, L=4, batch_size=3, device="cpu", verbose=True).fit_transform(images)
    np.testing.assert_array_equal(whole, batched)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_preserves_float_dtype(dtype):
    out = ScatteringTransformer(J=2, L=4, device="cpu").fit_transform(_images().astype(dtype))
    assert out.dtype == dtype


def test_set_params_rebuilds_filters_and_feature_count():
    images = _images(n=2, size=32)
    transformer = ScatteringTransformer(J=2, L=4, device="cpu").fit(images)
    n_before = transformer.transform(images).shape[1]
    transformer.set_params(J=3, L=8).fit(images)
    assert transformer.transform(images).shape[1] != n_before
    assert transformer.n_paths_ == 217


def test_pickle_round_trip_rebuilds_module():
    images = _images(n=2)
    transformer = ScatteringTransformer(J=2, L=4, device="cpu").fit(images)
    payload = pickle.dumps(transformer)
    assert b"torch" not in payload  # no tensors or modules travel: the filters are a cache
    restored = pickle.loads(payload)
    np.testing.assert_array_equal(restored.transform(images), transformer.transform(images))


def test_clone_is_unfitted_with_same_params():
    transformer = ScatteringTransformer(J=3, L=6, pooling="mean", device="cpu").fit(_images(n=1, size=32))
    copy = clone(transformer)
    assert copy.get_params() == transformer.get_params()
    assert not hasattr(copy, "image_shape_")


def test_set_output_pandas():
    images = _images(n=2).reshape(2, -1)
    transformer = ScatteringTransformer(J=2, L=4, pooling="mean", device="cpu").set_output(transform="pandas")
    frame = transformer.fit_transform(images)
    assert isinstance(frame, pd.DataFrame)
    assert list(frame.columns) == list(transformer.get_feature_names_out())


def test_pipeline_with_svc_on_digits(digits):
    X, y = digits
    model = make_pipeline(ScatteringTransformer(J=1, L=4, device="cpu"), StandardScaler(), SVC())
    score = model.fit(X[:1200], y[:1200]).score(X[1200:], y[1200:])
    assert score > 0.9


def test_grid_search_over_J_and_L_in_parallel(digits):
    X, y = digits
    X, y = X[:300], y[:300]
    pipeline = make_pipeline(ScatteringTransformer(J=1, pooling="mean", device="cpu"), StandardScaler(), SVC())
    search = GridSearchCV(pipeline, {"scatteringtransformer__J": [1, 2], "scatteringtransformer__L": [2, 4]},
                          cv=2, n_jobs=2)
    search.fit(X, y)
    assert set(search.cv_results_["param_scatteringtransformer__J"]) == {1, 2}
    best = search.best_estimator_.named_steps["scatteringtransformer"]
    expected_paths = 1 + best.L * best.J + best.L**2 * best.J * (best.J - 1) // 2
    assert best.transform(X[:1]).shape[1] == expected_paths


# --- bad input ---------------------------------------------------------------------------------

def test_images_smaller_than_2_to_the_J_are_refused():
    with pytest.raises(ValueError, match=r"too small for J=4.*2\*\*J <= min"):
        ScatteringTransformer(J=4, device="cpu").fit(_images(size=8))


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_non_finite_input_is_refused(bad):
    images = _images()
    images[0, 0, 0, 0] = bad
    with pytest.raises(ValueError, match="NaN|infinity"):
        ScatteringTransformer(J=2, device="cpu").fit(images)
    fitted = ScatteringTransformer(J=2, device="cpu").fit(_images())
    with pytest.raises(ValueError, match="NaN|infinity"):
        fitted.transform(images)


def test_feature_count_must_match_fit():
    fitted = ScatteringTransformer(J=2, device="cpu").fit(_images().reshape(6, -1))
    with pytest.raises(ValueError, match=r"X has 256 features, but ScatteringTransformer is expecting 768"):
        fitted.transform(_images(channels=1).reshape(6, -1))
    with pytest.raises(ValueError, match=r"fitted on images of shape \(3, 16, 16\)"):
        fitted.transform(_images(size=32))


def test_shape_must_match_flat_rows():
    with pytest.raises(ValueError, match=r"shape=\(3, 10, 10\) holds 300 values per image but X has 768"):
        ScatteringTransformer(J=2, shape=(3, 10, 10), device="cpu").fit(_images().reshape(6, -1))
    with pytest.raises(ValueError, match="Cannot infer the image shape.*Pass shape="):
        ScatteringTransformer(J=1, device="cpu").fit(np.ones((4, 10)))


@pytest.mark.parametrize("params, message", [
    ({"J": 0}, "'J' parameter"), ({"L": 0}, "'L' parameter"), ({"max_order": 3}, "'max_order' parameter"),
    ({"pooling": "max"}, "'pooling' parameter"), ({"batch_size": 0}, "'batch_size' parameter"),
])
def test_invalid_parameters_are_named(params, message):
    with pytest.raises(ValueError, match=message):
        ScatteringTransformer(**params).fit(_images())


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the error raised on CPU-only machines")
def test_cuda_without_cuda_is_refused():
    with pytest.raises(ValueError, match="device='cuda'.*CUDA is not available.*device='cpu'"):
        ScatteringTransformer(J=2, device="cuda").fit(_images())


def test_wrong_dtype_is_refused():
    with pytest.raises(ValueError, match="[Cc]omplex"):
        ScatteringTransformer(J=2, device="cpu").fit(_images().astype(np.complex128))
    with pytest.raises(ValueError):
        ScatteringTransformer(J=2, device="cpu").fit(np.array([["a"] * 16] * 2))


def test_empty_input_is_refused():
    with pytest.raises(ValueError, match="0 sample"):
        ScatteringTransformer(J=2, device="cpu").fit(np.empty((0, 3, 16, 16)))


# --- GPU ----------------------------------------------------------------------------------------

@pytest.mark.gpu
def test_cuda_matches_cpu_and_loads_on_cpu():
    images = _images(n=4, size=32)
    on_gpu = ScatteringTransformer(J=2, device="cuda").fit(images)
    on_cpu = ScatteringTransformer(J=2, device="cpu").fit(images)
    np.testing.assert_allclose(on_gpu.transform(images), on_cpu.transform(images), rtol=1e-6, atol=1e-9)
    restored = pickle.loads(pickle.dumps(on_gpu))
    restored.set_params(device="cpu")
    np.testing.assert_allclose(restored.transform(images), on_cpu.transform(images), rtol=1e-12)
