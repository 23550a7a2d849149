"""Blockwise features on dask arrays (dask-ml's ParallelPostFit) and the resumable zarr feature store."""

import os
import pickle
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import dask
import numpy as np
import pytest
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skscat.feature_selection import OrthogonalLeastSquaresSelector
from skscat.parallel import ZarrFeatureStore, blockwise_transform
from skscat.scattering import ScatteringTransformer
from skscat.svm import TorchSVC

da = pytest.importorskip("dask.array")
dask_ml_wrappers = pytest.importorskip("dask_ml.wrappers")
pytest.importorskip("zarr")

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def scattering(digits_images):
    X, _ = digits_images
    return ScatteringTransformer(J=1, L=4, device="cpu").fit(X)


def test_parallel_post_fit_is_lazy_chunked_and_equal_on_the_cluster(client, digits_images, scattering):
    X, y = digits_images
    rows = X.reshape(len(X), -1)  # ParallelPostFit takes 2-D input only: flat images
    X_dask = da.from_array(rows, chunks=(25, 64))
    features = dask_ml_wrappers.ParallelPostFit(scattering).transform(X_dask)
    assert isinstance(features, da.Array)  # a graph, nothing computed yet
    assert features.chunks[0] == X_dask.chunks[0]
    np.testing.assert_allclose(features.compute(), scattering.transform(X), rtol=1e-6, atol=1e-7)

    model = make_pipeline(ScatteringTransformer(J=1, L=4, device="cpu"), StandardScaler(), TorchSVC(device="cpu"))
    wrapped = dask_ml_wrappers.ParallelPostFit(model).fit(rows, y)
    labels = wrapped.predict(X_dask)
    assert isinstance(labels, da.Array)
    np.testing.assert_array_equal(labels.compute(), wrapped.estimator.predict(rows))


def test_blockwise_transform_knows_the_output_shape_of_image_input(client, digits_images, scattering):
    X, y = digits_images
    X_dask = da.from_array(X, chunks=(25, 1, 4, 8))  # images, chunked inside the samples too
    features = blockwise_transform(scattering, X_dask)
    expected = scattering.transform(X)
    assert features.shape == expected.shape and features.chunks == ((25, 25, 25, 25, 20), (expected.shape[1],))
    np.testing.assert_allclose(features.compute(), expected, rtol=1e-6, atol=1e-7)
    model = make_pipeline(StandardScaler(), TorchSVC(device="cpu")).fit(expected, y)
    labels = blockwise_transform(model, features, method="predict")
    assert labels.shape == (len(X),)
    np.testing.assert_array_equal(labels.compute(), model.predict(expected))
    with pytest.raises(TypeError, match="pass a dask array"):
        blockwise_transform(scattering, X)


def test_zarr_store_written_by_the_cluster_equals_the_in_memory_transform(client, tmp_path, digits_images,
                                                                           scattering):
    X, _ = digits_images
    store = ZarrFeatureStore(tmp_path / "features.zarr").write(scattering, da.from_array(X, chunks=(32, 1, 8, 8)))
    assert store.missing() == []
    assert store.array.chunks[0] == 32 and sorted(store.last_computed) == [0, 1, 2, 3]
    np.testing.assert_allclose(store.array[:], scattering.transform(X), rtol=1e-6, atol=1e-7)


_KILLED_RUN = """
import os, pickle, signal, sys
import dask, numpy as np
sys.path.insert(0, {root!r})
from skscat.parallel import ZarrFeatureStore, blockwise_transform
from skscat.scattering import ScatteringTransformer

with open({model!r}, "rb") as f:
    transformer = pickle.load(f)
X = np.load({data!r})
calls = []
original = ScatteringTransformer.transform

def transform(self, X):
    calls.append(len(X))
    if len(calls) == {kill_at}:  # the probe of one row, then chunks 0, 1, ...: killed inside a chunk
        os.kill(os.getpid(), signal.SIGKILL)
    return original(self, X)

ScatteringTransformer.transform = transform
with dask.config.set(scheduler="synchronous"):
    ZarrFeatureStore({store!r}).write(transformer, X, chunk_rows=20)
"""


def test_zarr_store_resumes_a_killed_run_without_recomputing_finished_chunks(tmp_path, digits_images, scattering,
                                                                              monkeypatch):
    X, _ = digits_images
    paths = {"model": str(tmp_path / "model.pkl"), "data": str(tmp_path / "X.npy"),
             "store": str(tmp_path / "features.zarr"), "root": str(ROOT)}
    Path(paths["model"]).write_bytes(pickle.dumps(scattering))
    np.save(paths["data"], X)
    script = textwrap.dedent(_KILLED_RUN.format(kill_at=4, **paths))
    env = {**os.environ, "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    killed = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True,
                            timeout=300, check=False)
    assert killed.returncode == -signal.SIGKILL, killed.stderr

    store = ZarrFeatureStore(paths["store"])
    missing = store.missing()
    assert len(missing) == 4  # two of the six chunks finished, the third was killed inside its transform

    calls = []
    original = ScatteringTransformer.transform

    def counting(self, X):
        calls.append(len(X))
        return original(self, X)

    monkeypatch.setattr(ScatteringTransformer, "transform", counting)
    with dask.config.set(scheduler="synchronous"):
        store.write(pickle.loads(Path(paths["model"]).read_bytes()), X, chunk_rows=20)
    assert sorted(store.last_computed) == missing and calls == [20, 20, 20, 20]  # finished chunks kept
    assert store.missing() == []
    monkeypatch.undo()
    np.testing.assert_allclose(store.array[:], scattering.transform(X), rtol=1e-6, atol=1e-7)


def test_zarr_store_refuses_another_run_unless_overwritten(tmp_path, digits_images, scattering):
    X, _ = digits_images
    store = ZarrFeatureStore(tmp_path / "features.zarr").write(scattering, X, chunk_rows=40)
    other = ScatteringTransformer(J=2, L=4, device="cpu").fit(X)
    with pytest.raises(ValueError, match="holds another run.*overwrite=True"):
        store.write(other, X, chunk_rows=40)
    store.write(other, X, chunk_rows=40, overwrite=True)
    np.testing.assert_allclose(store.array[:], other.transform(X), rtol=1e-6, atol=1e-7)
    (tmp_path / "user_folder").mkdir()
    (tmp_path / "user_folder" / "notes.txt").write_text("keep me")
    with pytest.raises(ValueError, match="not a skscat feature store"):
        ZarrFeatureStore(tmp_path / "user_folder").write(scattering, X)


def test_ols_and_baseline_readers_take_the_store_blockwise(tmp_path, digits_images, scattering):
    X, y = digits_images
    features = scattering.transform(X).astype(np.float64)
    store = ZarrFeatureStore(tmp_path / "features.zarr").write(scattering, X, chunk_rows=32)
    order = np.random.RandomState(0).permutation(len(X))
    np.testing.assert_allclose(store.rows(order), features[order], rtol=1e-6, atol=1e-7)  # the baselines' reader

    ols = OrthogonalLeastSquaresSelector(n_atoms_per_class=3, n_rounds=2, device="cpu")
    stored = store.to_npy(tmp_path / "features.npy")  # OLS fit reads one array in place: a memory map
    assert isinstance(stored, np.memmap)
    in_memory = OrthogonalLeastSquaresSelector(n_atoms_per_class=3, n_rounds=2, device="cpu")
    in_memory.fit(np.asarray(stored).copy(), y)
    ols.fit(stored, y)
    np.testing.assert_array_equal(ols.selected_features_, in_memory.selected_features_)
    reduced = dask_ml_wrappers.ParallelPostFit(ols).transform(store.to_dask())  # OLS transform, blockwise
    assert reduced.chunks[0] == (32, 32, 32, 24)
    np.testing.assert_allclose(reduced.compute(scheduler="synchronous"), ols.transform(stored), rtol=1e-12)
