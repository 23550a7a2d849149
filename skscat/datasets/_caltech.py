"""Caltech-101 from the official ``101_ObjectCategories/<class>/*.jpg`` layout.

Resize policy (``resize``):

* ``"crop"`` (default): scale the image, keeping its aspect ratio, so that its
  shorter side matches the target, then cut the centred target window. Nothing
  is distorted; a strip of the longer side is lost.
* ``"stretch"``: scale each side to the target independently (the whole image
  is kept, objects are distorted when the aspect ratio differs).

Scaling uses Pillow's antialiased bicubic filter. Greyscale, palette and CMYK
JPEGs are converted to RGB (``color="rgb"``) or to luminance (``color="gray"``);
``color="native"`` keeps greyscale files as one channel and makes the others RGB
(ScatNetLight's reading: ``imread`` gives a 2-D array for greyscale JPEGs).
Hidden folders and files (names starting with a dot: ``.ipynb_checkpoints/``,
macOS ``._*`` files) are skipped: they are neither classes nor images.
:func:`caltech101_files` lists the files and labels without decoding them.
"""

import os
from numbers import Integral
from pathlib import Path

import numpy as np
from joblib import Parallel, delayed
from PIL import Image, UnidentifiedImageError
from sklearn.utils import Bunch
from tqdm.auto import tqdm

from ..utils._sklearn import Interval, StrOptions, validate_params
from ._base import DATA_HOME, LOADER_CONSTRAINTS, DataFileError, as_images, make_bunch
from ._download import locate

__all__ = ["MAX_IMAGE_SIDE", "caltech101_files", "load_caltech101", "read_image"]

#: Largest accepted ``image_size`` side. Pillow refuses to build images above about 179 million pixels
#: (its decompression-bomb guard) only after seconds of work, and n images of side s take n * 3 * s**2 * 4
#: bytes; 4096 (16.8 million pixels, 200 MB per float32 RGB image) is far above any protocol's size.
MAX_IMAGE_SIDE = 4096

BACKGROUND = "BACKGROUND_Google"
_EXTENSIONS = {".jpg", ".jpeg", ".png"}
_COLORS = ("rgb", "gray", "native")
_GREY_MODES = {"L", "I", "I;16", "F", "1"}
_SIZE = [Interval(Integral, 1, MAX_IMAGE_SIDE, closed="both"), tuple, list]
_MAX_PER_CLASS = [Interval(Integral, 1, None, closed="left"), None]
_RESIZE = [StrOptions({"crop", "stretch"})]


def _target_shape(image_size):
    if isinstance(image_size, (int, np.integer)) and not isinstance(image_size, bool):
        image_size = (image_size, image_size)
    if (
        not isinstance(image_size, (tuple, list))
        or len(image_size) != 2
        or not all(
            isinstance(s, (int, np.integer)) and not isinstance(s, bool) and 0 < s <= MAX_IMAGE_SIDE
            for s in image_size
        )
    ):
        raise ValueError(
            f"image_size={image_size!r} is not a size. Use a positive int or a (height, width) pair of "
            f"positive ints, each at most MAX_IMAGE_SIDE={MAX_IMAGE_SIDE}."
        )
    return int(image_size[0]), int(image_size[1])


def _resize(image, shape, resize):
    height, width = shape
    if resize == "stretch":
        return image.resize((width, height), Image.Resampling.BICUBIC)
    scale = max(height / image.height, width / image.width)
    size = (
        max(width, round(image.width * scale)),
        max(height, round(image.height * scale)),
    )
    image = image.resize(size, Image.Resampling.BICUBIC)
    left, top = (size[0] - width) // 2, (size[1] - height) // 2
    return image.crop((left, top, left + width, top + height))


@validate_params(
    {
        "path": [str, os.PathLike],
        "image_size": [*_SIZE, None],
        "resize": _RESIZE,
        "color": [StrOptions(set(_COLORS))],
    },
    prefer_skip_nested_validation=True,
)
def read_image(path, image_size, *, resize="crop", color="rgb"):
    """Decode one image file into a uint8 array (C, H, W).

    Parameters
    ----------
    path : str or os.PathLike
        Image file (anything Pillow reads).
    image_size : int, (int, int) or None
        Target (height, width); an int means a square (each side at most
        ``MAX_IMAGE_SIDE``, 4096); None keeps the file's size.
    resize : {"crop", "stretch"}, default="crop"
        See the module docstring.
    color : {"rgb", "gray", "native"}, default="rgb"
        Three channels, one luminance channel, or one channel for greyscale
        files and three (RGB) for the others.

    Returns
    -------
    ndarray of shape (3 or 1, height, width), dtype uint8
        The decoded, resized image.

    Raises
    ------
    DataFileError
        The file is truncated, corrupt or not an image (the message names it).
    """
    return _decode(path, None if image_size is None else _target_shape(image_size), resize, color)


def _decode(path, shape, resize, color):
    try:
        with Image.open(path) as image:
            grey = color == "gray" or (color == "native" and image.mode in _GREY_MODES)
            image = image.convert("L" if grey else "RGB")
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError, ValueError) as exc:
        raise DataFileError(
            f"cannot decode image {str(path)!r} ({type(exc).__name__}: {exc}): the file is "
            "truncated or corrupt. Delete or replace it."
        ) from exc
    array = np.asarray(image if shape is None else _resize(image, shape, resize), dtype=np.uint8)
    return array[None] if array.ndim == 2 else array.transpose(2, 0, 1)


def _visible(path):
    """Hidden entries (``.ipynb_checkpoints/``, macOS ``._image_0001.jpg``) are not data."""
    return not path.name.startswith(".")


def _list_images(root, keep_background, max_per_class):
    classes = sorted(
        p.name
        for p in root.iterdir()
        if p.is_dir() and _visible(p) and (keep_background or p.name != BACKGROUND)
    )
    if not classes:
        raise FileNotFoundError(
            f"{str(root)!r} holds no class folders: point data_home at the folder that "
            "contains 101_ObjectCategories/<class>/image_NNNN.jpg."
        )
    files, target = [], []
    for index, name in enumerate(classes):
        images = sorted(
            p for p in (root / name).iterdir() if _visible(p) and p.suffix.lower() in _EXTENSIONS
        )
        if not images:
            raise FileNotFoundError(f"class folder {str(root / name)!r} holds no .jpg/.jpeg/.png image.")
        images = images if max_per_class is None else images[:max_per_class]
        files += images
        target += [index] * len(images)
    return classes, files, np.asarray(target)


@validate_params(
    {
        "data_home": DATA_HOME,
        "keep_background": ["boolean"],
        "max_per_class": _MAX_PER_CLASS,
        "download": ["boolean"],
        "verbose": ["verbose"],
    },
    prefer_skip_nested_validation=True,
)
def caltech101_files(
    data_home=None,
    *,
    keep_background=False,
    max_per_class=None,
    download=False,
    verbose=False,
):
    """The image files of Caltech-101 and their labels, without decoding them.

    Parameters
    ----------
    data_home : str or os.PathLike, optional
        As in :func:`load_caltech101`.
    keep_background : bool, default=False
        Keep the ``BACKGROUND_Google`` clutter class.
    max_per_class : int >= 1, optional
        Only the first files (sorted by name) of each class; None keeps them all.
    download : bool, default=False
        Fetch the official archive when the folder is missing.
    verbose : bool, default=False
        Progress bar while downloading.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        ``filenames`` (absolute paths, classes and files sorted by name),
        ``target`` (int64 class indices), ``target_names`` (sorted folder names),
        ``root`` (the ``101_ObjectCategories`` folder).

    Examples
    --------
    With the data set in ``$SKSCAT_DATA`` (or pass its folder):

    >>> from skscat.datasets import caltech101_files
    >>> files = caltech101_files()
    >>> files.target_names[:2].tolist(), "BACKGROUND_Google" in files.target_names
    (['Faces', 'Faces_easy'], False)
    >>> str(files.filenames[0]).endswith("Faces/image_0001.jpg")
    True
    """
    root = locate("caltech101", data_home, download=download, verbose=verbose)
    classes, files, target = _list_images(root, keep_background, max_per_class)
    return Bunch(
        filenames=np.asarray([str(p) for p in files], dtype=object),
        target=target.astype(np.int64),
        target_names=np.asarray(classes),
        root=root,
    )


@validate_params(
    {
        **LOADER_CONSTRAINTS,
        "image_size": _SIZE,
        "resize": _RESIZE,
        "color": [StrOptions({"rgb", "gray"})],
        "keep_background": ["boolean"],
        "max_per_class": _MAX_PER_CLASS,
        "n_jobs": [Integral, None],
    },
    prefer_skip_nested_validation=True,
)
def load_caltech101(
    data_home=None,
    *,
    image_size=128,
    resize="crop",
    color="rgb",
    keep_background=False,
    max_per_class=None,
    dtype="float32",
    download=False,
    return_X_y=False,
    n_jobs=None,
    verbose=False,
):
    """Load Caltech-101 from ``101_ObjectCategories/<class>/*.jpg``.

    Parameters
    ----------
    data_home : str or os.PathLike, optional
        Folder holding ``101_ObjectCategories`` or ``caltech101/101_ObjectCategories``
        (the folder itself also works). Defaults to :func:`get_data_home`.
    image_size : int or (int, int), default=128
        Every image is brought to this (height, width); an int means a square. Each side is at
        most ``MAX_IMAGE_SIDE`` (4096).
    resize : {"crop", "stretch"}, default="crop"
        ``"crop"`` keeps the aspect ratio (shorter side to size, centre crop);
        ``"stretch"`` rescales both sides independently.
    color : {"rgb", "gray"}, default="rgb"
        Greyscale and CMYK JPEGs become RGB (3 channels), or everything becomes
        luminance (1 channel).
    keep_background : bool, default=False
        Keep the ``BACKGROUND_Google`` clutter class (the standard protocol drops it).
    max_per_class : int >= 1, optional
        Read only the first images (sorted by name) of each class; None reads them all.
    dtype : {"float32", "uint8"}, default="float32"
        ``"float32"``: pixels in [0, 1]; ``"uint8"``: raw values 0..255.
    download : bool, default=False
        Fetch the official archive (137 MB, MD5-checked) when the folder is missing.
    return_X_y : bool, default=False
        Return ``(images, target)`` instead of a Bunch.
    n_jobs : int, optional
        Decoding threads (joblib); ``None`` means one.
    verbose : bool, default=False
        Progress bars (download, decoding).

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        ``images``/``data`` (n, C, H, W), ``target``, ``target_names`` (sorted
        folder names), ``filenames`` (paths relative to ``101_ObjectCategories``), ``DESCR``.

    Examples
    --------
    With the data set in ``$SKSCAT_DATA`` (or pass its folder):

    >>> from skscat.datasets import load_caltech101
    >>> caltech = load_caltech101(image_size=64)
    >>> caltech.images.shape[1:], caltech.images.dtype, caltech.filenames[0]
    ((3, 64, 64), dtype('float32'), 'Faces/image_0001.jpg')
    >>> load_caltech101(image_size=(24, 32), color="gray", max_per_class=1).images.shape[1:]
    (1, 24, 32)
    """
    shape = _target_shape(image_size)
    root = locate("caltech101", data_home, download=download, verbose=verbose)
    classes, files, target = _list_images(root, keep_background, max_per_class)
    decode = delayed(_decode)
    pixels = Parallel(n_jobs=n_jobs, prefer="threads")(
        decode(path, shape, resize, color)
        for path in tqdm(files, desc="decode", disable=not verbose)
    )
    descr = (
        f"Caltech-101 from {root}: {len(files)} images, {len(classes)} classes "
        f"({'with' if keep_background else 'without'} {BACKGROUND}), resized to {shape} by {resize!r}, "
        f"{color}."
    )
    names = np.asarray([str(Path(p).relative_to(root)) for p in files], dtype=object)
    return make_bunch(
        as_images(np.stack(pixels), dtype),
        target,
        classes,
        descr,
        return_X_y,
        filenames=names,
    )
