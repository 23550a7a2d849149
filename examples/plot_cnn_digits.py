"""
Training a small CNN with TorchCNNClassifier
============================================

:class:`~skscat.networks.TorchCNNClassifier` trains a torch module with SGD behind the
scikit-learn API: ``fit`` / ``predict`` / ``score``, ``clone``, grid searches over
``module__*`` arguments, a ``history_`` of every epoch. Here a
:class:`~skscat.networks.SmallCNN` on the 8 x 8 digits, for a few epochs on the CPU.
"""

import matplotlib.pyplot as plt
import numpy as np
import torch
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

from skscat.networks import TorchCNNClassifier

torch.set_num_threads(1)
X, y = load_digits(return_X_y=True)
X = (X / 16.0).reshape(-1, 1, 8, 8).astype(np.float32)  # images (n, C, H, W)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=0)

cnn = TorchCNNClassifier(
    module="small_cnn",
    module__width=32,
    max_epochs=20,
    batch_size=64,
    lr=0.1,
    lr_schedule="cosine",
    crop_padding=1,
    horizontal_flip=False,  # a mirrored digit is another symbol
    early_stopping=True,
    validation_fraction=0.15,
    random_state=0,
    device="cpu",
).fit(X_train, y_train)
print(f"test accuracy {cnn.score(X_test, y_test):.3f} after {cnn.n_epochs_} epochs (best epoch {cnn.best_epoch_})")

# %%
# The training history: one row per epoch, validation scores from the held-out fraction.
history = cnn.history_
fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(8, 3.3))
ax_loss.plot(history["epoch"], history["train_loss"], "o-", label="train")
ax_loss.plot(history["epoch"], history["valid_loss"], "s--", label="validation")
ax_loss.set_xlabel("epoch")
ax_loss.set_ylabel("cross-entropy")
ax_loss.legend()
ax_acc.plot(history["epoch"], history["train_accuracy"], "o-", label="train")
ax_acc.plot(history["epoch"], history["valid_accuracy"], "s--", label="validation")
ax_acc.set_xlabel("epoch")
ax_acc.set_ylabel("accuracy")
fig.suptitle("SmallCNN on digits through TorchCNNClassifier")
fig.tight_layout()
plt.show()
