"""Loaders: the real shared data, files written in the official layouts, and bad data."""

import numpy as np
import pytest
from PIL import Image

from skscat.datasets import (
    DataFileError,
    load_caltech101,
    load_cifar10,
    load_cifar100,
    load_stl10,
    read_image,
)


@pytest.mark.data
def test_cifar10_real_subset(data_dir):
    train = load_cifar10(data_dir)
    test = load_cifar10(data_dir / "cifar-10-batches-py", subset="test", dtype="uint8")
    assert train.images.shape == (10000, 3, 32, 32) and train.images.dtype == np.float32
    assert test.images.shape == (2000, 3, 32, 32) and test.images.dtype == np.uint8
    assert 0.0 <= train.images.min() and train.images.max() <= 1.0
    np.testing.assert_array_equal(np.bincount(train.target), [1000] * 10)
    np.testing.assert_array_equal(np.bincount(test.target), [200] * 10)
    assert list(train.target_names[:2]) == ["airplane", "automobile"]
    assert train.data is train.images and len(train.filenames) == 10000


@pytest.mark.data
def test_caltech101_real_subset(data_dir):
    bunch = load_caltech101(data_dir, image_size=(24, 32), max_per_class=2, dtype="uint8")
    assert bunch.images.shape == (202, 3, 24, 32) and bunch.images.dtype == np.uint8
    assert len(bunch.target_names) == 101 and "BACKGROUND_Google" not in bunch.target_names
    assert bunch.filenames[0].startswith(bunch.target_names[0] + "/")
    X, y = load_caltech101(
        data_dir, image_size=8, max_per_class=1, keep_background=True, color="gray", return_X_y=True
    )
    assert X.shape == (102, 1, 8, 8) and y.tolist() == list(range(102))


@pytest.mark.parametrize("bytes_keys", [False, True])
def test_cifar100_written_layout(tmp_path, writers, bytes_keys):
    written = writers.cifar100(tmp_path / "cifar-100-python", bytes_keys=bytes_keys)
    data, labels = written["train"]
    fine = load_cifar100(tmp_path, dtype="uint8")
    np.testing.assert_array_equal(fine.images.reshape(len(data), -1), data)
    np.testing.assert_array_equal(fine.target, labels)
    assert len(fine.target_names) == 100 and fine.target_names[3] == "fine3"
    coarse = load_cifar100(tmp_path, subset="all", label_mode="coarse")
    assert coarse.images.shape == (30, 3, 32, 32) and len(coarse.target_names) == 20
    np.testing.assert_array_equal(coarse.target[:20], labels // 5)
    np.testing.assert_allclose(coarse.images[:20].reshape(20, -1), data / 255.0, rtol=1e-6)


def test_stl10_written_layout(stl10_dir):
    home, written = stl10_dir
    images, labels = written["train"]
    train = load_stl10(home, dtype="uint8")
    np.testing.assert_array_equal(train.images, images)  # column-major bytes undone
    np.testing.assert_array_equal(train.target, labels)
    assert list(train.target_names) == [f"class{i}" for i in range(10)]
    fold = load_stl10(home / "stl10_binary", fold=1, dtype="uint8")
    np.testing.assert_array_equal(fold.images, images[1::2])
    X, y = load_stl10(home, subset="unlabeled", return_X_y=True)
    assert X.shape == (3, 3, 96, 96) and (y == -1).all()
    with pytest.raises(ValueError, match="fold=10"):
        load_stl10(home, fold=10)


def test_nothing_downloads_by_default(tmp_path):
    for loader, folder in [
        (load_cifar10, "cifar-10-batches-py"),
        (load_cifar100, "cifar-100-python"),
        (load_stl10, "stl10_binary"),
        (load_caltech101, "101_ObjectCategories"),
    ]:
        with pytest.raises(FileNotFoundError, match=f"no '{folder}' folder.*download=True"):
            loader(tmp_path)
    assert not any(tmp_path.iterdir())


def test_cifar_missing_and_truncated_files(tmp_path, writers):
    folder = tmp_path / "cifar-10-batches-py"
    writers.cifar10(folder)
    (folder / "data_batch_3").unlink()
    with pytest.raises(FileNotFoundError, match="data_batch_3"):
        load_cifar10(tmp_path)
    load_cifar10(tmp_path, subset="test")  # the test batch alone still loads
    raw = (folder / "test_batch").read_bytes()
    (folder / "test_batch").write_bytes(raw[: len(raw) // 2])
    with pytest.raises(DataFileError, match="test_batch.*truncated or corrupt"):
        load_cifar10(tmp_path, subset="test")


def test_cifar100_wrong_files(tmp_path, writers):
    writers.cifar100(tmp_path / "cifar-100-python")
    (tmp_path / "cifar-100-python" / "test").write_bytes(b"not a pickle at all")
    with pytest.raises(DataFileError, match="'.*test'"):
        load_cifar100(tmp_path, subset="test")
    with pytest.raises(ValueError, match="'label_mode' parameter.*Got 'medium'"):
        load_cifar100(tmp_path, label_mode="medium")


def test_stl10_truncated_files(stl10_dir):
    home, _ = stl10_dir
    path = home / "stl10_binary" / "test_X.bin"
    path.write_bytes(path.read_bytes()[:-100])
    with pytest.raises(DataFileError, match="test_X.bin.*truncated"):
        load_stl10(home, subset="test")
    label_path = home / "stl10_binary" / "train_y.bin"
    label_path.write_bytes(label_path.read_bytes()[:-1])
    with pytest.raises(DataFileError, match="train_y.bin"):
        load_stl10(home)


def test_caltech_written_layout(caltech_dir):
    bunch = load_caltech101(caltech_dir, image_size=16)
    assert bunch.images.shape == (6, 3, 16, 16) and bunch.images.dtype == np.float32
    assert list(bunch.target_names) == ["class0", "class1", "class2"]
    assert bunch.target.tolist() == [0, 0, 1, 1, 2, 2]
    with_background = load_caltech101(caltech_dir, image_size=16, keep_background=True)
    assert "BACKGROUND_Google" in with_background.target_names and len(with_background.target) == 8


def test_caltech_bad_data(caltech_dir, tmp_path):
    root = caltech_dir / "caltech101" / "101_ObjectCategories"
    bad = root / "class1" / "image_0002.jpg"
    bad.write_bytes(bad.read_bytes()[:200])
    with pytest.raises(DataFileError, match="class1/image_0002.jpg"):
        load_caltech101(caltech_dir, image_size=8)
    bad.write_bytes(b"definitely not a jpeg")
    with pytest.raises(DataFileError, match="class1/image_0002.jpg"):
        load_caltech101(caltech_dir, image_size=8)
    empty = tmp_path / "wrong" / "101_ObjectCategories"
    empty.mkdir(parents=True)
    with pytest.raises(FileNotFoundError, match="holds no class folders"):
        load_caltech101(tmp_path / "wrong")
    (empty / "emptyclass").mkdir()
    with pytest.raises(FileNotFoundError, match="emptyclass"):
        load_caltech101(tmp_path / "wrong")
    for bad_size in [0, (3,), "big", True]:
        with pytest.raises(ValueError, match="image_size"):
            load_caltech101(caltech_dir, image_size=bad_size)


def test_read_image_resize_policies(tmp_path):
    pixels = np.zeros((40, 20, 3), dtype=np.uint8)  # tall: height 40, width 20
    pixels[:10] = 255  # a white band at the top, outside the centred square
    Image.fromarray(pixels).save(tmp_path / "tall.png")
    crop = read_image(tmp_path / "tall.png", 20, resize="crop")
    stretch = read_image(tmp_path / "tall.png", 20, resize="stretch")
    assert crop.shape == stretch.shape == (3, 20, 20)
    assert crop.max() < 30  # the centred 20x20 window is black
    assert stretch[:, :4].min() > 200  # stretched: the band survives as the top quarter
    Image.fromarray(pixels).convert("CMYK").save(tmp_path / "cmyk.jpg")
    assert read_image(tmp_path / "cmyk.jpg", (8, 12)).shape == (3, 8, 12)
    assert read_image(tmp_path / "cmyk.jpg", 8, color="gray").shape == (1, 8, 8)
    with pytest.raises(ValueError, match="'resize' parameter.*Got 'pad'"):
        read_image(tmp_path / "tall.png", 8, resize="pad")


def test_dtype_option_is_checked(stl10_dir):
    with pytest.raises(ValueError, match="'dtype' parameter of load_stl10.*Got 'float64'"):
        load_stl10(stl10_dir[0], dtype="float64")
