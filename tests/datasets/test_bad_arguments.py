"""Bad arguments to the loaders fail at once with an error naming the parameter (issue 16)."""

import numpy as np
import pytest
from PIL import Image

import skscat.datasets._caltech as caltech_module
from skscat.datasets import (
    MAX_IMAGE_SIDE,
    DataFileError,
    caltech101_files,
    download_file,
    get_data_home,
    imresize,
    load_caltech101,
    load_cifar10,
    load_cifar100,
    load_stl10,
    read_image,
)

LOADERS = [load_cifar10, load_cifar100, load_stl10, load_caltech101]


@pytest.mark.parametrize("max_per_class", [-1, 0, 1.5, "2"])
def test_max_per_class_must_be_a_positive_int(caltech_dir, max_per_class):
    # -1 used to drop each class's last image and 0 to load everything.
    for function in (caltech101_files, load_caltech101):
        with pytest.raises(ValueError, match=r"'max_per_class' parameter.*Got"):
            function(caltech_dir, max_per_class=max_per_class)


def test_max_per_class_keeps_the_first_files(caltech_dir):
    assert caltech101_files(caltech_dir, max_per_class=1).target.tolist() == [0, 1, 2]
    assert caltech101_files(caltech_dir, max_per_class=None).target.tolist() == [0, 0, 1, 1, 2, 2]
    assert caltech101_files(caltech_dir, max_per_class=10).target.tolist() == [0, 0, 1, 1, 2, 2]


def test_hidden_folders_and_files_are_not_data(caltech_dir):
    root = caltech_dir / "caltech101" / "101_ObjectCategories"
    checkpoints = root / ".ipynb_checkpoints"
    checkpoints.mkdir()
    Image.new("RGB", (9, 9)).save(checkpoints / "image_0001-checkpoint.jpg")
    (root / "class0" / "._image_0001.jpg").write_bytes(b"\x00\x05\x16\x07 macOS resource fork")
    files = caltech101_files(caltech_dir)
    assert list(files.target_names) == ["class0", "class1", "class2"]
    assert files.target.tolist() == [0, 0, 1, 1, 2, 2]
    assert load_caltech101(caltech_dir, image_size=8).images.shape == (6, 3, 8, 8)


@pytest.mark.parametrize("loader", LOADERS)
@pytest.mark.parametrize("data_home", [5, 2.5, ["folder"], b"bytes"])
def test_data_home_that_is_not_a_path(loader, data_home):
    with pytest.raises(TypeError, match=rf"'data_home' parameter of {loader.__name__}.*Got"):
        loader(data_home)


@pytest.mark.parametrize("loader", LOADERS)
@pytest.mark.parametrize("flag", ["download", "return_X_y"])
def test_flags_must_be_booleans(tmp_path, loader, flag):
    with pytest.raises(ValueError, match=rf"'{flag}' parameter.*Got 'no'"):
        loader(tmp_path, **{flag: "no"})  # "no" is truthy: it must not download


@pytest.mark.parametrize(
    "image_size", [20000, MAX_IMAGE_SIDE + 1, (20000, 8), (8, 20000), 0, -3, (0, 8), (8,), "big", True, 8.0]
)
def test_image_size_is_checked_before_any_decoding(caltech_dir, monkeypatch, image_size):
    def never(*args):
        raise AssertionError("an image was decoded before image_size was checked")

    monkeypatch.setattr(caltech_module, "_decode", never)
    with pytest.raises(ValueError, match="image_size"):
        load_caltech101(caltech_dir, image_size=image_size)
    with pytest.raises(ValueError, match="image_size"):
        read_image(caltech_dir / "caltech101" / "101_ObjectCategories" / "class0" / "image_0001.jpg", image_size)


def test_largest_image_size_is_accepted(tmp_path):
    Image.new("RGB", (3, 2)).save(tmp_path / "tiny.png")
    assert read_image(tmp_path / "tiny.png", (MAX_IMAGE_SIDE, 1)).shape == (3, MAX_IMAGE_SIDE, 1)


def test_decompression_bomb_names_the_file(tmp_path, monkeypatch):
    Image.new("RGB", (64, 64)).save(tmp_path / "bomb.png")
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 100)  # 4096 pixels: over twice the limit
    with pytest.raises(DataFileError, match=r"bomb\.png.*DecompressionBombError"):
        read_image(tmp_path / "bomb.png", 8)


def test_other_functions_name_their_bad_argument(tmp_path):
    with pytest.raises(TypeError, match="'data_home' parameter of get_data_home"):
        get_data_home(5)
    with pytest.raises(ValueError, match="'antialias' parameter of imresize"):
        imresize(np.ones((4, 4)), 2, antialias="no")
    for bad in ({"timeout": 0}, {"timeout": -1.0}, {"algorithm": "md6"}):
        params = {"checksum": "0" * 32, **bad}
        with pytest.raises(ValueError, match=f"'{next(iter(bad))}' parameter of download_file"):
            download_file("http://127.0.0.1:9/none", tmp_path / "file", **params)
    assert not any(tmp_path.iterdir())  # rejected before any connection or file
