"""
Morlet filters and the scattering of a photograph
=================================================

The translation scattering transform convolves an image with Morlet wavelets at
``J`` scales and ``L`` orientations, takes the modulus, and averages with a Gaussian
low-pass: order 1 measures how much energy each scale and orientation carries,
locally. Here we draw the filters (in space) and the order-1 maps of one of
scikit-learn's sample photographs.
"""

# %%
# The filter bank
# ---------------
# :func:`skscat.scattering.filter_bank.filter_bank` builds the filters in Fourier (pure NumPy);
# an inverse FFT shows them in space. Each row is one scale ``j``, each column one orientation.
import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_sample_image

from skscat.scattering import ScatteringTransformer
from skscat.scattering.filter_bank import filter_bank

J, L = 3, 6
bank = filter_bank(64, 64, J=J, L=L)
fig, axes = plt.subplots(J, L, figsize=(L * 1.3, J * 1.3))
for j in range(J):
    for t in range(L):
        psi = np.fft.fftshift(np.fft.ifft2(bank["psi"][j][0][t]))
        axes[j, t].imshow(psi.real[16:48, 16:48], cmap="RdBu_r")  # the central 32 x 32 pixels
        axes[j, t].set_axis_off()
    axes[j, 0].set_title(f"j={j}", fontsize=8, loc="left")
fig.suptitle("Real part of the Morlet wavelets (scale j, orientation t)")

# %%
# Scattering a real image
# -----------------------
# A grey, 128 x 128 crop of ``china.jpg`` (shipped with scikit-learn, nothing is downloaded).
# :class:`~skscat.scattering.ScatteringTransformer` takes ``(n, H, W)`` images and returns
# flat rows; ``get_feature_names_out`` and ``paths_`` say which path each channel is.
image = load_sample_image("china.jpg").mean(axis=2)[100:356:2, 150:406:2] / 255.0
scattering = ScatteringTransformer(J=J, L=L, device="cpu").fit(image[None])
S = scattering.transform(image[None]).reshape(1, -1, *scattering.output_shape_)  # (n, paths, H', W')
print("image", image.shape, "-> coefficients", S.shape)

paths = scattering.paths_
order1 = np.flatnonzero(paths["order"] == 1)
fig, axes = plt.subplots(J, L + 1, figsize=((L + 1) * 1.3, J * 1.4))
for ax in axes.ravel():
    ax.set_axis_off()
axes[0, 0].imshow(image, cmap="gray")
axes[0, 0].set_title("image", fontsize=8)
for p in order1:
    j, t = paths["j1"][p], paths["theta1"][p]
    axes[j, t + 1].imshow(S[0, p], cmap="magma")
    axes[j, t + 1].set_title(f"j={j}, t={t}", fontsize=7)
fig.suptitle("Order-1 scattering |x * psi| * phi: energy per scale and orientation")
plt.show()
