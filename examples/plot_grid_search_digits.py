"""
A scattering + SVM pipeline, grid-searched over J and C
=======================================================

:class:`~skscat.scattering.ScatteringTransformer` builds its filters in ``fit``, so its
parameters can be searched like any other: here ``J`` (the averaging scale) and the SVM's
``C`` on scikit-learn's 8 x 8 digits, with :class:`~skscat.svm.TorchSVC` as the classifier.
"""

import matplotlib.pyplot as plt
import numpy as np
import torch
from sklearn.datasets import load_digits
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skscat.scattering import ScatteringTransformer
from skscat.svm import TorchSVC

torch.set_num_threads(1)
X, y = load_digits(return_X_y=True)  # flat rows of 8 x 8 images: the shape is inferred
X_train, X_test, y_train, y_test = train_test_split(X[:900], y[:900], test_size=0.3, random_state=0)

model = make_pipeline(ScatteringTransformer(L=8, device="cpu"), StandardScaler(), TorchSVC(device="cpu"))
grid = {"scatteringtransformer__J": [1, 2], "torchsvc__C": [0.1, 1, 10, 100]}
search = GridSearchCV(model, grid, cv=3).fit(X_train, y_train)
print("best", search.best_params_, f"cv accuracy {search.best_score_:.3f}, test {search.score(X_test, y_test):.3f}")

# %%
# Cross-validated accuracy of every (J, C).
scores = search.cv_results_["mean_test_score"].reshape(len(grid["scatteringtransformer__J"]), -1)
fig, ax = plt.subplots(figsize=(5.5, 3.5))
for J, row in zip(grid["scatteringtransformer__J"], scores):
    ax.semilogx(grid["torchsvc__C"], row, "o-", label=f"J = {J}")
ax.set_xlabel("C")
ax.set_ylabel("3-fold accuracy")
ax.set_ylim(np.floor(scores.min() * 20) / 20, 1)
ax.legend()
ax.set_title("ScatteringTransformer + TorchSVC on digits")
fig.tight_layout()
plt.show()
