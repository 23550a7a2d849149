"""A loopback dask cluster shared by the scale-out tests, and a small image problem."""

import numpy as np
import pytest
import torch
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skscat.scattering import ScatteringTransformer
from skscat.svm import TorchSVC
from skscat.utils import worker_threads

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="session")
def cluster():
    """Two worker processes, one thread each, no dashboard (the acceptance setting).

    The workers start with ``OMP_NUM_THREADS=2``, as when a user's shell exports it or a worker runs
    without a nanny: torch then sizes its pool to two threads, which skscat's plugin must bring back
    to the worker's one.
    """
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
        env={"OMP_NUM_THREADS": "2", "MKL_NUM_THREADS": "2"},
    ) as local:
        yield local


@pytest.fixture
def client(cluster):
    with distributed.Client(cluster) as dask_client:
        yield dask_client


@pytest.fixture(scope="session")
def digits_images():
    """120 digits as (n, 1, 8, 8) float32 images, four classes."""
    from sklearn.datasets import load_digits

    X, y = load_digits(n_class=4, return_X_y=True)
    X = (X[:120] / 16.0).astype(np.float32).reshape(-1, 1, 8, 8)
    return X, y[:120]


@pytest.fixture(scope="session")
def make_search():
    """Factory of the grid search every backend runs."""
    return _search


def _search(n_jobs=None):
    """Scattering + TorchSVC over J and C; two extra scores report the threads seen inside the fits."""
    def torch_threads(estimator, X, y):
        return float(torch.get_num_threads())

    def workers_threads(estimator, X, y):
        return float(worker_threads() or 0)

    pipeline = make_pipeline(
        ScatteringTransformer(J=1, L=4, device="cpu"), StandardScaler(), TorchSVC(device="cpu")
    )
    grid = {"scatteringtransformer__J": [1, 2], "torchsvc__C": [0.1, 10.0]}
    scoring = {"accuracy": "accuracy", "torch_threads": torch_threads, "worker_threads": workers_threads}
    return GridSearchCV(pipeline, grid, cv=3, scoring=scoring, refit="accuracy", n_jobs=n_jobs)
