"""Agreement with kymatio 0.3's coefficients on fixed inputs (../shared/reference)."""

import json

import numpy as np
import pytest
import torch

from skscat.scattering import Scattering2D

N_CASES = 7


@pytest.fixture(scope="module")
def reference(reference_dir):
    return np.load(reference_dir / "kymatio_scattering2d.npz")


@pytest.mark.parametrize("case", range(N_CASES))
@pytest.mark.parametrize("dtype, tolerance", [(torch.float64, 1e-8), (torch.float32, 1e-4)])
def test_matches_kymatio(reference, case, dtype, tolerance):
    x = reference[f"case{case}_x"]
    expected = reference[f"case{case}_S"]
    meta = json.loads(str(reference[f"case{case}_meta"]))
    module = Scattering2D(J=meta["J"], shape=x.shape[-2:], L=meta["L"], max_order=meta["max_order"])
    got = module(torch.from_numpy(x).to(dtype)).double().numpy()
    assert got.shape == expected.shape
    relative_error = np.abs(got - expected).max() / np.abs(expected).max()
    assert relative_error <= tolerance, f"{meta['name']}: relative error {relative_error:.2e}"


def test_reference_has_all_cases(reference):
    assert {f"case{k}_S" for k in range(N_CASES)} <= set(reference.files)
