"""Grid searches on a dask cluster through joblib's dask backend."""

import joblib
import numpy as np
import pytest
import torch

from skscat.parallel import TorchThreads

pytest.importorskip("distributed")


def _task_threads(client):
    """torch's thread count in each worker's task thread (where tasks run, not the event loop's)."""
    futures = [client.submit(torch.get_num_threads, pure=False, workers=[address])
               for address in client.scheduler_info()["workers"]]
    return {future.result() for future in futures}


def test_dask_grid_search_matches_serial_with_one_torch_thread_per_worker(client, digits_images, make_search,
                                                                         one_torch_thread):
    X, y = digits_images
    serial = make_search().fit(X, y)
    # The workers started with torch sized by OMP_NUM_THREADS=2 (the contention the plugin removes); an
    # explicit plugin restores that state whatever ran before. The task threads have run torch code by then,
    # so they keep their own count unless the plugin reaches them.
    client.register_plugin(TorchThreads(n_threads=2))
    assert _task_threads(client) == {2}
    client.register_plugin(TorchThreads())
    assert _task_threads(client) == {1}
    with joblib.parallel_backend("dask"):
        distributed_search = make_search(n_jobs=-1).fit(X, y)
    results = distributed_search.cv_results_
    for key in [k for k in results if k.endswith("_test_accuracy")]:
        np.testing.assert_array_equal(results[key], serial.cv_results_[key], err_msg=key)
    assert results["mean_test_accuracy"].min() > 0.3  # a real search, not a constant score
    np.testing.assert_array_equal(results["mean_test_torch_threads"], 1.0)
    np.testing.assert_array_equal(results["mean_test_worker_threads"], 1.0)  # the fits ran inside workers
    assert distributed_search.best_params_ == serial.best_params_
    # After a search (whose joblib tasks leave and rejoin the pool), the plugin still reaches every task thread.
    client.register_plugin(TorchThreads(n_threads=2))
    assert _task_threads(client) == {2}
    client.register_plugin(TorchThreads())
    assert _task_threads(client) == {1}


def test_torch_threads_plugin_rejects_bad_counts():
    with pytest.raises(ValueError, match="n_threads=0"):
        TorchThreads(n_threads=0)
