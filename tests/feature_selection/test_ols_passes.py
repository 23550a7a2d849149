"""ColumnPasses and the lockstep algorithm below the estimator."""

import doctest

import numpy as np
import pytest
import torch

from skscat.feature_selection import (
    ColumnPasses,
    _selector,
    one_vs_all_targets,
    select_atoms,
)
from skscat.feature_selection._passes import TILE_COLUMNS


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_passes_compute_products_norms_and_columns(dtype):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((50, 2 * TILE_COLUMNS + 77)).astype(dtype)
    V = torch.from_numpy(rng.standard_normal((3, 50)))
    passes = ColumnPasses(X, torch.device("cpu"), batch_size=100)
    assert len(passes.blocks) == 3  # 100 columns round up to one tile per block
    tol = 1e-4 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(
        passes.left_product(V).numpy(), V.numpy().astype(dtype) @ X, rtol=tol, atol=tol
    )
    np.testing.assert_allclose(passes.squared_norms().numpy(), (X.astype(np.float64) ** 2).sum(0), rtol=1e-12)
    index = torch.tensor([5, 0, TILE_COLUMNS + 3])
    np.testing.assert_array_equal(passes.columns(index).numpy(), X[:, [5, 0, TILE_COLUMNS + 3]])


def test_streamed_blocks_equal_resident_ones():
    """The CUDA path that streams blocks from the host, exercised on the CPU."""
    rng = np.random.default_rng(1)
    X = rng.standard_normal((40, 3 * TILE_COLUMNS)).astype(np.float32)
    y = np.arange(40) % 4
    resident = ColumnPasses(X, torch.device("cpu"), batch_size=TILE_COLUMNS)
    streamed = ColumnPasses(X, torch.device("cpu"), batch_size=TILE_COLUMNS)
    streamed._matrix, streamed._batched = None, False  # CUDA's tile loop over streamed blocks
    V = torch.from_numpy(rng.standard_normal((4, 40)))
    torch.testing.assert_close(streamed.left_product(V), resident.left_product(V), rtol=1e-5, atol=1e-5)
    atoms = [select_atoms(p, y, 4, n_atoms=5, n_rounds=2) for p in (resident, streamed)]
    torch.testing.assert_close(atoms[0], atoms[1], rtol=0, atol=0)


def test_passes_do_not_copy_or_modify_the_matrix():
    X = np.random.default_rng(2).standard_normal((30, 500)).astype(np.float32)
    X.flags.writeable = False  # read-only input is used in place too
    before = X.copy()
    passes = ColumnPasses(X, torch.device("cpu"), batch_size=64)
    assert passes._matrix.data_ptr() == X.ctypes.data
    select_atoms(passes, np.arange(30) % 2, 2, n_atoms=3, n_rounds=2)
    np.testing.assert_array_equal(X, before)


@pytest.mark.parametrize("layout", ["F", "reversed", "strided"])
def test_any_memory_layout_gives_the_same_atoms(layout):
    rng = np.random.default_rng(3)
    base = rng.standard_normal((60, 3 * TILE_COLUMNS + 10))
    y = np.arange(60) % 3
    views = {
        "F": (np.asfortranarray(base), base),
        "reversed": (base[:, ::-1], np.ascontiguousarray(base[:, ::-1])),
        "strided": (base[:, ::2], np.ascontiguousarray(base[:, ::2])),
    }
    view, contiguous = views[layout]
    atoms = [select_atoms(ColumnPasses(m, torch.device("cpu"), 4096), y, 3, 4, 2) for m in (view, contiguous)]
    torch.testing.assert_close(atoms[0], atoms[1], rtol=0, atol=0)


def test_one_vs_all_targets_are_scatnetlight_s():
    targets = one_vs_all_targets(np.array([0, 2, 1, 2]), 3, torch.device("cpu")).numpy()
    expected = np.array([[3, 0, 0, 0], [0, 0, 3, 0], [0, 3, 0, 3]], dtype=float)
    np.testing.assert_allclose(targets, expected - expected.mean(1, keepdims=True))


def test_docstring_example_runs():
    result = doctest.testmod(_selector, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0
