"""
Local support vectors across depth
==================================

A point is a *local support vector* of order ``k`` when a strict majority of its ``l``
nearest neighbours carries another label, for every ``l <= k`` (Oyallon, CVPR 2017). Their
number ``|Gamma^k|`` measures how locally separable a representation is: a deep
representation should have fewer of them. Here the "depths" are the raw pixels and the
cumulative scattering orders of the digits, measured with
:func:`~skscat.analysis.local_support_vectors`.
"""

import matplotlib.pyplot as plt
import numpy as np
import torch
from sklearn.datasets import load_digits

from skscat.analysis import (
    local_support_vectors,
    plot_lsv_curves,
    scattering_order_representations,
    standardize_representations,
)
from skscat.scattering import ScatteringTransformer

torch.set_num_threads(1)
X, y = load_digits(return_X_y=True)
X, y = X[:1000] / 16.0, y[:1000]

scattering = ScatteringTransformer(J=2, L=8, device="cpu").fit(X)
orders = scattering_order_representations(scattering, X, spatial=None)
layers = {
    "pixels": X,
    "order 0-1": np.hstack([orders["order0"], orders["order1"]]),
    "order 0-2": np.hstack([orders["order0"], orders["order1"], orders["order2"]]),
}
(layers,) = standardize_representations(layers)

counts = {}
for name, features in layers.items():
    lsv = local_support_vectors(features, y, k_max=15, device="cpu")
    counts[name] = lsv
    print(f"{name:10s} {features.shape[1]:5d} features  |Gamma^1| = {lsv.counts[0]:4d}  "
          f"|Gamma^15| = {lsv.counts[-1]:4d}")

# %%
ax = plot_lsv_curves(counts)
ax.set_title("Local support vectors of the digits, pixels vs scattering orders")
plt.show()
