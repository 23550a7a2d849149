"""Random crop (reflect padding) and horizontal flip on tensors."""

import torch
import torch.nn.functional as F

from skscat.networks._augment import random_crop_flip


def _batch(n=16):
    return torch.rand(n, 3, 6, 6, generator=torch.Generator().manual_seed(0))


def test_no_augmentation_is_identity():
    x = _batch()
    assert torch.equal(random_crop_flip(x, torch.Generator(), padding=0, flip=False), x)


def test_flip_gives_the_image_or_its_mirror_and_both_occur():
    x = _batch(64)
    out = random_crop_flip(x, torch.Generator().manual_seed(1), padding=0, flip=True)
    same = (out == x).flatten(1).all(1)
    mirrored = (out == x.flip(-1)).flatten(1).all(1)
    assert bool((same | mirrored).all())
    assert same.any() and mirrored.any()


def test_crop_is_a_window_of_the_reflect_padded_image():
    x = _batch()
    out = random_crop_flip(x, torch.Generator().manual_seed(2), padding=2, flip=False)
    padded = F.pad(x, (2, 2, 2, 2), mode="reflect")
    offsets = set()
    for image, source in zip(out, padded):
        matches = [(i, j) for i in range(5) for j in range(5) if torch.equal(source[:, i:i + 6, j:j + 6], image)]
        assert matches
        offsets.update(matches)
    assert len(offsets) > 1


def test_same_generator_state_same_augmentation():
    x = _batch()
    a = random_crop_flip(x, torch.Generator().manual_seed(3), padding=5)
    b = random_crop_flip(x, torch.Generator().manual_seed(3), padding=5)
    assert torch.equal(a, b) and a.shape == x.shape
