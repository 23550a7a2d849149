"""Caltech-101 file listing and native-size, native-colour decoding (ScatNetLight's reading)."""

import numpy as np
import pytest
from PIL import Image

from skscat.datasets import caltech101_files, load_caltech101, read_image


def test_files_sorted_without_background(caltech_dir):
    files = caltech101_files(caltech_dir)
    assert list(files.target_names) == ["class0", "class1", "class2"]
    assert files.target.tolist() == [0, 0, 1, 1, 2, 2]
    assert all(str(p).startswith(str(files.root)) and "BACKGROUND" not in str(p) for p in files.filenames)
    same = load_caltech101(caltech_dir, image_size=8)
    assert [str(files.root / n) for n in same.filenames] == list(files.filenames)
    assert len(caltech101_files(caltech_dir, keep_background=True).target_names) == 4
    assert caltech101_files(caltech_dir, max_per_class=1).target.tolist() == [0, 1, 2]


def test_native_size_and_colour(tmp_path):
    rng = np.random.default_rng(0)
    pixels = rng.integers(0, 256, size=(13, 21, 3), dtype=np.uint8)
    Image.fromarray(pixels).save(tmp_path / "rgb.png")
    Image.fromarray(pixels[..., 0]).save(tmp_path / "grey.png")
    Image.fromarray(pixels).convert("CMYK").save(tmp_path / "cmyk.jpg")
    rgb = read_image(tmp_path / "rgb.png", None, color="native")
    grey = read_image(tmp_path / "grey.png", None, color="native")
    assert rgb.shape == (3, 13, 21) and np.array_equal(rgb, pixels.transpose(2, 0, 1))
    assert grey.shape == (1, 13, 21) and np.array_equal(grey[0], pixels[..., 0])
    assert read_image(tmp_path / "cmyk.jpg", None, color="native").shape == (3, 13, 21)
    assert read_image(tmp_path / "grey.png", (5, 7), color="native").shape == (1, 5, 7)
    with pytest.raises(ValueError, match="'color' parameter of read_image.*Got 'yuv'"):
        read_image(tmp_path / "rgb.png", None, color="yuv")
