"""
Rotation covariance of the roto-translation scattering
======================================================

The roto-translation scattering (Oyallon & Mallat, CVPR 2015) filters along the
orientation axis too, so rotating the image permutes its channels: for a 90-degree
rotation, ``S(rot90(x))[c] == rot90(S(x)[perm[c]])`` up to border and sampling-grid
effects, with ``perm`` given by
:meth:`~skscat.scattering.RotoTranslationScattering2D.rotation_permutation`.
We check it on a photograph, on the spatially averaged coefficients (the sampling
grid of the subsampled maps does not rotate onto itself, the averages do not care).
"""

import matplotlib.pyplot as plt
import numpy as np
import torch
from sklearn.datasets import load_sample_image

from skscat.scattering import RotoTranslationScattering2D

torch.set_num_threads(1)
image = load_sample_image("flower.jpg").mean(axis=2)[40:424:3, 200:584:3] / 255.0  # 128 x 128, grey
x = torch.tensor(np.stack([image, np.rot90(image).copy()]), dtype=torch.float64)

scattering = RotoTranslationScattering2D(J=3, shape=image.shape, L=8)
with torch.no_grad():
    S, S_rotated = scattering(x).mean(dim=(-2, -1)).numpy()  # one value per channel
perm = scattering.rotation_permutation()

# %%
# Channel ``c`` of the rotated image against channel ``perm[c]`` of the original (and, for
# comparison, against channel ``c``): with the permutation the points sit on the diagonal.
with_perm = np.abs(S_rotated - S[perm]) / np.abs(S_rotated)
without = np.abs(S_rotated - S) / np.abs(S_rotated)
print(f"{len(perm)} channels; median relative difference {np.median(with_perm):.3f} with the "
      f"permutation, {np.median(without):.3f} without")

fig, axes = plt.subplots(1, 2, figsize=(8, 3.8), sharey=True)
for ax, other, title in [(axes[0], S, "channel c of S(x)"), (axes[1], S[perm], "channel perm[c] of S(x)")]:
    ax.loglog(other, S_rotated, ".", markersize=3)
    lims = [S_rotated.min(), S_rotated.max()]
    ax.plot(lims, lims, color="0.5", lw=0.8)
    ax.set_xlabel(title)
    ax.set_title(f"against {title.split(' of')[0]}", fontsize=9)
axes[0].set_ylabel("channel c of S(rot90(x))")
fig.suptitle("A 90-degree rotation permutes the roto-translation channels (spatial means)")
fig.tight_layout()
plt.show()
