"""
TorchSVC against scikit-learn's SVC
===================================

:class:`~skscat.svm.TorchSVC` solves the same problem as :class:`sklearn.svm.SVC` (one-vs-one
C-SVC, LIBSVM's working-set rules) with all the pairwise problems in lockstep on PyTorch. Its
predictions match SVC's; here we time both on the digits at a few small training sizes, on one
CPU thread. At these sizes TorchSVC's fixed cost per solver step dominates and SVC usually fits
faster, while TorchSVC already predicts faster (one batched kernel product). The fit overtakes
at thousands of samples: :doc:`../svm` measures 6.8x faster fits and 36x faster predictions at
5,000 x 2,000 features x 10 classes, more on a GPU. The numbers printed below are whatever the
machine building this page measured.
"""

import time

import matplotlib.pyplot as plt
import numpy as np
import torch
from sklearn.datasets import load_digits
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from skscat.svm import TorchSVC

torch.set_num_threads(1)
X, y = load_digits(return_X_y=True)
X = StandardScaler().fit_transform(X)
sizes = [200, 400, 800, 1600]


def seconds(model, n):
    start = time.perf_counter()
    model.fit(X[:n], y[:n])
    fit = time.perf_counter() - start
    start = time.perf_counter()
    predictions = model.predict(X)
    return fit, time.perf_counter() - start, predictions


rows = []
for n in sizes:
    fit_t, predict_t, p_t = seconds(TorchSVC(C=10, device="cpu"), n)
    fit_s, predict_s, p_s = seconds(SVC(C=10), n)
    rows.append((fit_t, predict_t, fit_s, predict_s))
    print(f"n={n:5d}  TorchSVC fit {fit_t:.3f}s predict {predict_t:.3f}s | SVC fit {fit_s:.3f}s "
          f"predict {predict_s:.3f}s | same predictions: {np.mean(p_t == p_s):.1%}")

# %%
rows = np.array(rows)
fig, axes = plt.subplots(1, 2, figsize=(8, 3.5), sharey=True)
for ax, column, title in [(axes[0], 0, "fit"), (axes[1], 1, "predict (1,797 rows)")]:
    ax.loglog(sizes, rows[:, column], "o-", label="TorchSVC (CPU)")
    ax.loglog(sizes, rows[:, column + 2], "s--", label="sklearn SVC")
    ax.set_xlabel("training samples")
    ax.set_title(title)
axes[0].set_ylabel("seconds")
axes[0].legend()
fig.tight_layout()
plt.show()
