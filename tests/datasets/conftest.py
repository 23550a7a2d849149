"""Writers of small data sets in the official layouts, for the loader and download tests."""

import pickle
from types import SimpleNamespace

import numpy as np
import pytest
from PIL import Image


def write_cifar100(folder, n_train=20, n_test=10, seed=0, bytes_keys=False):
    """A ``cifar-100-python`` folder with random images; returns the training arrays."""
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True)
    key = (lambda k: k.encode()) if bytes_keys else (lambda k: k)
    fine = [f"fine{i}" for i in range(100)]
    coarse = [f"coarse{i}" for i in range(20)]
    meta = {key("fine_label_names"): fine, key("coarse_label_names"): coarse}
    (folder / "meta").write_bytes(pickle.dumps(meta))
    out = {}
    for name, n in (("train", n_train), ("test", n_test)):
        data = rng.integers(0, 256, size=(n, 3072), dtype=np.uint8)
        labels = rng.integers(0, 100, size=n).tolist()
        batch = {
            key("data"): data,
            key("fine_labels"): labels,
            key("coarse_labels"): [v // 5 for v in labels],
            key("filenames"): [f"img{i}.png" for i in range(n)],
        }
        (folder / name).write_bytes(pickle.dumps(batch))
        out[name] = (data, np.asarray(labels))
    return out


def write_cifar10(folder, n_per_batch=4, seed=0):
    """A ``cifar-10-batches-py`` folder with random images; returns (train data, train labels)."""
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True)
    names = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]
    (folder / "batches.meta").write_bytes(pickle.dumps({"label_names": names}))
    datas, labels = [], []
    for name in [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]:
        data = rng.integers(0, 256, size=(n_per_batch, 3072), dtype=np.uint8)
        label = rng.integers(0, 10, size=n_per_batch).tolist()
        (folder / name).write_bytes(pickle.dumps({"data": data, "labels": label, "batch_label": name}))
        if name != "test_batch":
            datas.append(data)
            labels += label
    return np.concatenate(datas), np.asarray(labels)


def write_stl10(folder, n_train=6, n_test=4, seed=0):
    """An ``stl10_binary`` folder; images written column-major per channel, labels 1..10."""
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True)
    out = {}
    for name, n in (("train", n_train), ("test", n_test), ("unlabeled", 3)):
        images = rng.integers(0, 256, size=(n, 3, 96, 96), dtype=np.uint8)
        (folder / f"{name}_X.bin").write_bytes(np.ascontiguousarray(images.transpose(0, 1, 3, 2)).tobytes())
        labels = rng.integers(0, 10, size=n)
        if name != "unlabeled":
            (folder / f"{name}_y.bin").write_bytes((labels + 1).astype(np.uint8).tobytes())
        out[name] = (images, labels)
    (folder / "class_names.txt").write_text("\n".join(f"class{i}" for i in range(10)) + "\n")
    folds = [" ".join(str(j) for j in range(n_train) if j % 2 == i % 2) for i in range(10)]
    (folder / "fold_indices.txt").write_text("\n".join(folds) + "\n")
    return out


def write_caltech(root, sizes=((30, 40), (50, 20)), n_classes=3, per_class=2, background=True):
    """A ``101_ObjectCategories`` folder of small JPEGs (RGB, greyscale and CMYK)."""
    rng = np.random.default_rng(0)
    names = [f"class{i}" for i in range(n_classes)] + (["BACKGROUND_Google"] if background else [])
    modes = ["RGB", "L", "CMYK"]
    for c, name in enumerate(names):
        (root / name).mkdir(parents=True)
        for i in range(per_class):
            height, width = sizes[i % len(sizes)]
            pixels = rng.integers(0, 256, size=(height, width, 3), dtype=np.uint8)
            image = Image.fromarray(pixels).convert(modes[(c + i) % 3])
            image.save(root / name / f"image_{i + 1:04d}.jpg", quality=95)
    return names


@pytest.fixture
def cifar100_dir(tmp_path):
    return tmp_path, write_cifar100(tmp_path / "cifar-100-python")


@pytest.fixture
def stl10_dir(tmp_path):
    return tmp_path, write_stl10(tmp_path / "stl10_binary")


@pytest.fixture
def caltech_dir(tmp_path):
    root = tmp_path / "caltech101" / "101_ObjectCategories"
    write_caltech(root)
    return tmp_path


@pytest.fixture
def writers():
    """The writers above, for tests that build their own folders."""
    return SimpleNamespace(
        cifar10=write_cifar10, cifar100=write_cifar100, stl10=write_stl10, caltech=write_caltech
    )
