"""The same grid search on a local ray instance through ray's joblib backend."""

import os
from pathlib import Path

import joblib
import numpy as np
import pytest

ray = pytest.importorskip("ray")
ray_joblib = pytest.importorskip("ray.util.joblib")

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def ray_instance(monkeypatch):
    monkeypatch.setenv("RAY_AUTH_MODE", "disabled")  # loopback only: no token files in the home folder
    # Ray workers get OMP_NUM_THREADS from runtime_env (one CPU per joblib task); PYTHONPATH makes
    # them import this checkout of skscat.
    env_vars = {"OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
                "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, runtime_env={"env_vars": env_vars})
    ray_joblib.register_ray()
    yield
    ray.shutdown()


def test_ray_grid_search_matches_serial_with_one_torch_thread(ray_instance, digits_images, make_search, one_torch_thread):
    X, y = digits_images
    serial = make_search().fit(X, y)
    with joblib.parallel_backend("ray"):
        on_ray = make_search(n_jobs=2).fit(X, y)
    for key in [k for k in on_ray.cv_results_ if k.endswith("_test_accuracy")]:
        np.testing.assert_array_equal(on_ray.cv_results_[key], serial.cv_results_[key], err_msg=key)
    np.testing.assert_array_equal(on_ray.cv_results_["mean_test_torch_threads"], 1.0)
    np.testing.assert_array_equal(on_ray.cv_results_["mean_test_worker_threads"], 0.0)  # not a dask worker
