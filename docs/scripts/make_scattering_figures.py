"""Make the scattering user-guide figures (docs/figures/scattering_*.png, roto_*.png).

Uses scikit-learn's bundled sample photograph, so nothing is downloaded::

    python docs/scripts/make_scattering_figures.py
"""

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import torch
from scipy.fft import ifft2
from sklearn.datasets import load_sample_image

from skscat.scattering import RotoTranslationScattering, Scattering2D
from skscat.scattering.filter_bank import angular_filter_bank, filter_bank

FIGURES = Path(__file__).resolve().parents[1] / "figures"


def _save(fig, name):
    """Write ``FIGURES/name.png`` and free the figure."""
    fig.tight_layout()
    fig.savefig(FIGURES / f"{name}.png", dpi=90)
    plt.close(fig)


def photo(size=128):
    """A greyscale crop of scikit-learn's sample photograph, in [0, 1]."""
    image = load_sample_image("china.jpg").astype(np.float64) / 255
    gray = image @ np.array([0.2126, 0.7152, 0.0722])
    return gray[100 : 100 + 2 * size : 2, 200 : 200 + 2 * size : 2]


def filter_bank_figure(J=3, L=8, size=64):
    bank = filter_bank(size, size, J, L)
    fig, axes = plt.subplots(J + 1, L, figsize=(1.6 * L, 1.6 * (J + 1)))
    for j in range(J):
        for t in range(L):
            spatial = np.fft.fftshift(ifft2(bank["psi"][j][0][t]))
            axes[j, t].imshow(spatial.real, cmap="RdBu_r")
            axes[j, t].set_title(f"j={j}, t={t}", fontsize=8)
    littlewood = sum((levels[0] ** 2).sum(0) for levels in bank["psi"]) + bank["phi"][0] ** 2
    axes[J, 0].imshow(np.fft.fftshift(ifft2(bank["phi"][0]).real), cmap="gray")
    axes[J, 0].set_title("phi (space)", fontsize=8)
    axes[J, 1].imshow(np.fft.fftshift(littlewood), cmap="viridis")
    axes[J, 1].set_title("sum |psi_hat|^2 + |phi_hat|^2", fontsize=8)
    for ax in axes.flat:
        ax.axis("off")
    fig.suptitle(f"Morlet wavelets (real part, in space) and low-pass, J={J}, L={L}")
    _save(fig, "scattering_filters")


def coefficients_figure(J=3, L=8):
    image = photo()
    module = Scattering2D(J, image.shape, L=L)
    S = module(torch.from_numpy(image)).numpy()
    order = module.paths["order"]
    first = S[order == 1].reshape(J, L, *S.shape[-2:])
    fig, axes = plt.subplots(J, L + 1, figsize=(1.6 * (L + 1), 1.7 * J))
    for j in range(J):
        axes[j, 0].imshow(image if j == 0 else S[0], cmap="gray")
        axes[j, 0].set_title("image" if j == 0 else "S0", fontsize=8)
        for t in range(L):
            axes[j, t + 1].imshow(first[j, t], cmap="magma")
            axes[j, t + 1].set_title(f"S1 j1={j} t1={t}", fontsize=7)
    for ax in axes.flat:
        ax.axis("off")
    fig.suptitle(f"First-order scattering of a photograph (128x128, J={J}: {S.shape[-2]}x{S.shape[-1]} maps)")
    _save(fig, "scattering_coefficients")


def angular_filters_figure(L=8, n_scales=2):
    bank = angular_filter_bank(L, n_scales)
    labels = [f"psi_{k}" for k in range(n_scales)] + ["phi"]
    fig, (fourier, space) = plt.subplots(1, 2, figsize=(10, 3.2))
    frequencies = np.fft.fftshift(np.fft.fftfreq(L) * 2 * np.pi)
    for row, label in zip(bank, labels):
        fourier.plot(frequencies, np.fft.fftshift(row), marker="o", label=label)
        impulse = np.fft.fftshift(np.fft.ifft(row))
        space.plot(np.arange(L) - L // 2, impulse.real, marker="o", label=f"Re {label}")
    fourier.set(title="angular filters in Fourier (along theta1)", xlabel="frequency (rad / sample)")
    space.set(title="in angle (samples of pi / L)", xlabel="theta1 offset")
    fourier.legend()
    space.legend(fontsize=7)
    _save(fig, "roto_angular_filters")


def rotation_figure(J=2, L=8):
    image = photo(64)
    images = np.stack([image, np.rot90(image)])[:, None]
    roto = RotoTranslationScattering(J=J, L=L, colorspace="rgb", pooling="mean", device="cpu").fit(images)
    features = roto.transform(np.ascontiguousarray(images))
    paths = roto.paths_
    fig, axes = plt.subplots(1, 3, figsize=(13, 3.4))
    axes[0].imshow(image, cmap="gray")
    axes[0].set_title("x (64x64); rot90(x) turns it by pi/2")
    half = L // 2
    first = (paths["order"] == 1) & (paths["j1"] == 0)
    axes[1].plot(features[0, first], marker="o", label="x")
    axes[1].plot(features[1, first], ls=":", color="gray", label="rot90(x)")
    axes[1].plot(np.roll(features[1, first], half), marker="s", ls="--", label="rot90(x), t1 shifted by L/2")
    axes[1].set(title="order 1, j1=0: pooled |x * psi_t1| * phi", xlabel="theta1 index t1")
    axes[1].legend(fontsize=8)
    low = (paths["order"] == 2) & (paths["angular_scale"] == roto.n_angular_scales)
    original = features[0, low & (paths["theta1"] == 0)]
    turned = features[1, low & (paths["theta1"] == half)]
    axes[2].plot(original, marker="o", label="x at theta1 = 0")
    axes[2].plot(np.roll(turned, half), marker="s", ls="--", label="rot90(x) at theta1 = L/2, theta2 shifted by L/2")
    axes[2].set(title="order 2 (angular low-pass) vs theta2 in [0, 2 pi)", xlabel="theta2 index")
    axes[2].legend(fontsize=7)
    fig.suptitle("A quarter turn shifts both angle axes by L/2 (differences: borders and sampling grid)")
    _save(fig, "roto_rotation")


def main():
    FIGURES.mkdir(parents=True, exist_ok=True)
    filter_bank_figure()
    coefficients_figure()
    angular_filters_figure()
    rotation_figure()
    print(f"figures written to {FIGURES}")


if __name__ == "__main__":
    main()
