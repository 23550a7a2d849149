"""skscat.utils.batch_slices: the slices cover the rows in order; a bad batch_size is a clear error at the call."""

import numpy as np
import pytest

from skscat.utils import batch_slices


@pytest.mark.parametrize("n_samples, batch_size", [(0, 3), (1, 3), (7, 3), (9, 3), (5, 10), (4, np.int64(2))])
def test_slices_cover_every_row_once_in_order(n_samples, batch_size):
    slices = list(batch_slices(n_samples, batch_size))
    assert np.array_equal(np.concatenate([np.arange(n_samples)[s] for s in slices] or [[]]), np.arange(n_samples))
    assert all(s.stop - s.start <= batch_size for s in slices)
    assert all(s.stop - s.start == batch_size for s in slices[:-1])


@pytest.mark.parametrize("batch_size", [0, -1, 2.5, True, None])
def test_bad_batch_size_names_the_parameter_and_the_fix_before_any_batch(batch_size):
    with pytest.raises(ValueError, match=r"batch_size=.*integer >= 1.*pass batch_size=1 or more"):
        batch_slices(10, batch_size)  # not iterated: the check runs at the call
