"""skscat.utils image shapes: one rule for transformers, the CNN classifier and the networks."""

import numpy as np
import pytest

from skscat.utils import check_image_shape, infer_image_shape, split_images


def test_split_images_flattens_three_and_four_dimensional_input():
    rows, shape = split_images(np.zeros((5, 3, 4, 6)))
    assert (rows.shape, shape) == ((5, 72), (3, 4, 6))
    rows, shape = split_images(np.zeros((5, 4, 6)))
    assert (rows.shape, shape) == ((5, 24), (1, 4, 6))
    flat = np.zeros((5, 7))
    assert split_images(flat)[0] is flat and split_images(flat)[1] is None


def test_split_images_rejects_five_dimensions():
    with pytest.raises(ValueError, match="X has 5 dimensions"):
        split_images(np.zeros((1, 1, 1, 1, 1)))


def test_infer_image_shape_of_flat_rows():
    assert infer_image_shape(np.zeros((2, 3 * 16)), None) == (3, 4, 4)
    assert infer_image_shape(np.zeros((2, 12)), (3, 4)) == (1, 3, 4)
    with pytest.raises(ValueError, match=r"shape=\(3, 8, 8\) holds 192 values per image but X has 64"):
        infer_image_shape(np.zeros((2, 64)), (3, 8, 8))


@pytest.mark.parametrize("in_shape", [(64,), (3, 0, 8), (3, -8, 8), (3, 8.5, 8), "3x8x8", None])
def test_check_image_shape_names_the_network_and_the_fix(in_shape):
    with pytest.raises(ValueError, match=r"Net needs images, in_shape=\(C, H, W\).*module='mlp' for vectors"):
        check_image_shape(in_shape, "Net")


def test_every_network_uses_the_same_check():
    from skscat.networks import SandboxCNN, ScatWRN, SmallCNN, WideResNet

    for network in (SandboxCNN, ScatWRN, SmallCNN, WideResNet):
        with pytest.raises(ValueError, match=r"(SandboxCNN|ScatteringFrontEnd|SmallCNN|WideResNet) needs images, in_shape=\(C, H, W\) with positive"):
            network(in_shape=(64,), n_classes=2)
