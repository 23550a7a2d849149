"""TorchCNNClassifier under ``torchrun --standalone --nproc_per_node=2`` on the CPU (gloo).

Two launches of tests/scale/ddp_fits.py: the first runs fits (a) and (b) and a checkpointed fit that every rank
aborts in its third epoch; the second resumes that fit from rank 0's checkpoint.
"""

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from skscat.networks import TorchCNNClassifier

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = Path(__file__).with_name("ddp_fits.py")
sys.path.insert(0, str(SCRIPT.parent))
import ddp_fits  # the fits, shared with the launched script


def _launch(mode, out):
    env = {**os.environ, "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
           "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    for name in ("RANK", "WORLD_SIZE", "LOCAL_RANK", "MASTER_ADDR", "MASTER_PORT"):
        env.pop(name, None)
    command = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node=2",
               str(SCRIPT), mode, str(out)]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=240, check=False)


@pytest.fixture(scope="module")
def launches(tmp_path_factory):
    out = tmp_path_factory.mktemp("ddp")
    first = _launch("first", out)
    assert first.returncode != 0 and "killed in the third epoch" in first.stderr, first.stderr[-3000:]
    epochs_before_resume = [(out / f"epochs-rank{r}").read_text() for r in (0, 1)]
    resumed = _launch("resume", out)
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    return out, epochs_before_resume


def _ranks(out, name):
    return [dict(np.load(out / f"{name}-rank{rank}.npz")) for rank in (0, 1)]


@pytest.fixture(scope="module")
def single_process(one_torch_thread_module):
    X, y = ddp_fits.problem(0)
    return ddp_fits.mlp().fit(X, y), X


@pytest.fixture(scope="module")
def one_torch_thread_module():
    import torch

    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)


def test_same_data_on_every_rank_matches_a_single_process_fit(launches, single_process):
    out, _ = launches
    reference, X = single_process
    for rank in _ranks(out, "same-data"):
        np.testing.assert_allclose(rank["proba"], reference.predict_proba(X), atol=1e-3)
        np.testing.assert_allclose(rank["loss"], reference.history_["train_loss"], rtol=1e-4)


def test_different_data_on_each_rank_still_ends_with_identical_weights(launches, one_torch_thread_module):
    out, _ = launches
    rank0, rank1 = _ranks(out, "different-data")
    states = [key for key in rank0 if key.startswith("state/")]
    assert any("running_mean" in key for key in states)  # the network has batch norm
    for key in states:
        np.testing.assert_array_equal(rank0[key], rank1[key], err_msg=key)
    np.testing.assert_array_equal(rank0["proba"], rank1["proba"])
    # Both ranks' gradients shaped the weights: they differ from a fit on rank 0's data alone.
    X0, y0 = ddp_fits.images(seed=1)
    alone = TorchCNNClassifier(module="small_cnn", module__width=4, max_epochs=3, batch_size=8, lr=0.05,
                               crop_padding=1, device="cpu", random_state=0).fit(X0, y0)
    weights = alone.module_.state_dict()["classifier.weight"].numpy()
    assert np.abs(weights - rank0["state/classifier.weight"]).max() > 1e-4


def test_rank0_alone_writes_checkpoints_and_a_killed_fit_resumes(launches, single_process):
    out, epochs_before_resume = launches
    assert sorted(p.name for p in out.glob("checkpoint-written-by-rank*")) == ["checkpoint-written-by-rank0"]
    assert epochs_before_resume == ["3", "3"]  # both ranks died in epoch 3, after two checkpointed epochs
    assert [(out / f"epochs-rank{r}").read_text() for r in (0, 1)] == ["2", "2"]  # epochs 3 and 4 only
    reference, X = single_process
    for rank in _ranks(out, "checkpointed"):
        assert int(rank["n_epochs"]) == 4
        np.testing.assert_allclose(rank["proba"], reference.predict_proba(X), atol=1e-3)
