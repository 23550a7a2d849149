"""What JPEG quality 75 at 32 x 32 costs the CVPR 2015 CIFAR pipeline: a controlled test on Caltech-101.

The shared CIFAR-10 subset was decoded from JPEG copies (quality 75) of the official images, and no clean copy is
here to compare with. Caltech-101's photographs are much larger than 32 x 32, so once shrunk to CIFAR's size they
carry no compression artefacts of their own: this script brings every image of the shared Caltech-101 subset to
32 x 32 RGB uint8 (MATLAB's ``imresize``, aspect ratio not kept) and makes two copies, ``clean`` (as resized) and
``jpeg75`` (through Pillow's JPEG encoder at quality 75 and back, Pillow's default 4:2:0 chroma subsampling). Each
copy goes through the CIFAR-10 setting of ``skscat-baselines --protocol cvpr2015`` unchanged (Y'UV, every plane
resized to 64 x 64, J = 4, ScatNetLight conventions, log(|S| + 1e-6), standardisation on the training rows, OLS,
the one-vs-all SVM with C = 50 and sigma = mean norm) on the same split: 30 training images per class, the rest for
test, seed 0, OLS 30 atoms x 5 rounds (the Caltech-101 numbers: 30 training images per class cannot feed CIFAR's
200 atoms per class). The difference of the two scores is what the compression costs this pipeline; the PSNR of
the ``jpeg75`` copies says how close the degradation is to the shared CIFAR subset's (about 30 dB).

Features are cached per chunk (``--cache-dir``) and each finished (copy, representation) is written to
``--output`` at once, with the fingerprint of what it depends on, so an interrupted run resumes.

    python benchmarks/cvpr2015_jpeg_effect.py --representation roto-translation translation
"""

import argparse
import io
import json
import sys
import time
from pathlib import Path

import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import read_results

from skscat.baselines import _cvpr2015 as cvpr
from skscat.baselines._features import ChunkedFeatures
from skscat.baselines._paper import SETTINGS, paper_planes
from skscat.baselines._paper_data import ImageSource, load_source
from skscat.baselines._plan import fit_transformers
from skscat.datasets import PerClassSplit, imresize
from skscat.utils import batch_slices, fingerprint, write_record

SIDE = 32  # CIFAR's image side
COPIES = ("clean", "jpeg75")


def shrink(image):
    """(C, H, W) uint8 -> (C, 32, 32) uint8 by MATLAB's imresize, rounded as an 8-bit image file stores it."""
    resized = imresize(image.astype(np.float64), (SIDE, SIDE))
    return np.clip(np.rint(resized), 0, 255).astype(np.uint8)


def jpeg_round_trip(image, quality=75):
    """(C, 32, 32) uint8 through Pillow's JPEG encoder at ``quality`` and back (greyscale stays greyscale)."""
    pixels = image[0] if image.shape[0] == 1 else np.moveaxis(image, 0, -1)
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="JPEG", quality=quality)
    decoded = np.asarray(Image.open(io.BytesIO(buffer.getvalue())))
    return decoded[None] if decoded.ndim == 2 else np.moveaxis(decoded, -1, 0)


def small_images(source, block=256):
    """Every image of ``source`` at 32 x 32: (clean copies, JPEG copies), lists of (C, 32, 32) uint8."""
    clean = []
    for rows in batch_slices(source.n_images, block):
        clean.extend(shrink(image) for image in source.read(rows))
    return clean, [jpeg_round_trip(image) for image in clean]


def psnr(clean, degraded):
    """Mean over images of the PSNR (peak 255) of ``degraded`` against ``clean``."""
    values = []
    for a, b in zip(clean, degraded):
        mse = np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2)
        values.append(10 * np.log10(255.0**2 / max(mse, 1e-12)))
    return float(np.mean(values))


def image_identity(images):
    """Fingerprint of a list of uint8 images (their pixels, in order)."""
    return fingerprint(None, np.concatenate([image.ravel() for image in images]))


def features(images, target, kind, args):
    """The chunk-cached CIFAR-setting features of ``images`` (computed where missing)."""
    setting = SETTINGS["cifar10"]
    source = ImageSource("caltech101-32", target, fingerprint(None, *images[:4], target), lambda rows: images[rows])
    transformers, n_features, _ = fit_transformers(kind, setting, "scatnet", source, args.device, 16)
    identity = image_identity(images)
    store = ChunkedFeatures.open(
        args.cache_dir, f"jpeg-effect-{kind}", {"images": identity, "kind": kind, "setting": repr(setting)},
        len(images), n_features, 256,
    )

    def chunk(rows):
        planes = paper_planes(images[rows], setting.groups)
        return np.concatenate([t.transform(p) for t, p in zip(transformers, planes)], axis=1)

    store.compute(chunk, verbose=True, desc=f"scattering {kind}")
    return store


def score(store, target, train, test, args):
    """Accuracy and mean per-class accuracy of the protocol's own per-split code on one split."""
    scores = cvpr.fit_split(store, target, train, test, n_atoms_per_class=args.n_atoms, n_rounds=args.n_rounds,
                            device=args.device, verbose=True)
    return {"accuracy": scores["accuracy"], "mean_class_accuracy": scores["mean_class_accuracy"],
            "ols_svm_s": round(scores["ols_s"] + scores["svm_s"], 1)}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default="../shared/data")
    parser.add_argument("--cache-dir", default=".skscat-cache")
    parser.add_argument("--representation", nargs="+", default=["roto-translation", "translation"])
    parser.add_argument("--n-atoms", type=int, default=30)
    parser.add_argument("--n-rounds", type=int, default=5)
    parser.add_argument("--n-classes", type=int, default=None, help="quick checks: the first classes only")
    parser.add_argument("--max-per-class", type=int, default=None, help="quick checks: the first images per class")
    parser.add_argument("--device", default="auto")
    parser.add_argument("--output", default="benchmarks/results/cvpr2015/jpeg_effect.json")
    args = parser.parse_args(argv)

    source = load_source("caltech101", args.data_dir, n_classes=args.n_classes, max_per_class=args.max_per_class)
    target = source.target
    clean, jpeg = small_images(source)
    copies = dict(zip(COPIES, (clean, jpeg)))
    train, test = next(PerClassSplit(30, n_splits=1, random_state=0).split(target, target))
    results = read_results(args.output, {})
    results["psnr_jpeg75_db"] = round(psnr(clean, jpeg), 2)
    results["n_train"], results["n_test"] = len(train), len(test)
    print(f"{len(target)} images at {SIDE}x{SIDE}; JPEG q75 copies: mean PSNR {results['psnr_jpeg75_db']} dB", flush=True)
    for kind in args.representation:
        for name, images in copies.items():
            key = f"{kind}/{name}"
            stamp = fingerprint({"images": image_identity(images), "kind": kind, "atoms": args.n_atoms,
                                 "rounds": args.n_rounds}, train)
            if results.get(key, {}).get("fingerprint") == stamp:
                print(f"{key}: stored result reused", flush=True)
                continue
            start = time.perf_counter()
            store = features(images, target, kind, args)
            scattering_s = round(time.perf_counter() - start, 1)
            results[key] = {**score(store, target, train, test, args), "scattering_s": scattering_s,
                            "fingerprint": stamp}
            print(key, json.dumps(results[key]), flush=True)
            write_record(args.output, results)


if __name__ == "__main__":
    main()
