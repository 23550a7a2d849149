"""Small-data CIFAR-10: Scat + WRN against an end-to-end WRN (Oyallon et al., 2017, section 4.2).

Protocol of the paper: train on n = 100, 500, 1000 images drawn uniformly per
class (n / 10 per class) for several seeds, test on the whole test set (here
the 2,000 test images of ../shared/data's CIFAR-10 subset). Both networks are
trained with :class:`skscat.networks.TorchCNNClassifier`, alternating, with
the same seed, SGD settings and number of SGD steps.

CPU budget (the defaults; a GPU run can use the paper's widths with
``--width 8 --steps 4000 --augment``):

- widths: Scat + WRN with k = ``--width`` (trunk WRN-12-k at 8x8) and
  WRN-16-k with the same k;
- ``--steps`` SGD steps per run whatever n (epochs = steps / batches per
  epoch), batch 128, lr 0.1 with cosine decay, weight decay 5e-4;
- no augmentation by default: the scattering of each image is then computed
  once (``ScatWRN(precomputed=True)``), which is what makes the run fit a CPU.

Results are appended to a JSON list (:func:`skscat.utils.write_record`,
atomic) after each run, each with the fingerprint of its configuration; an
interrupted benchmark resumes where it stopped, and a run whose recipe
changed is done again. ``--plot`` draws the table's figure and the training
curves.

Usage::

    python benchmarks/bench_small_data.py --data ../shared/data --out benchmarks/results/small_data.json
    python benchmarks/bench_small_data.py --out benchmarks/results/small_data.json --report-only --plot docs/figures
"""

import argparse
import math
import resource
import sys
import time
from pathlib import Path

import numpy as np
import torch
from tqdm.auto import tqdm

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import read_results

from skscat.datasets import load_cifar10, small_sample_subset
from skscat.networks import TorchCNNClassifier
from skscat.scattering import Scattering2D
from skscat.utils import fingerprint, resolve_device, write_record

MODELS = ("scat_wrn", "wrn")
RUN_FIELDS = ("model", "n", "seed", "width", "steps", "augment")  # one stored result per run
RECIPE = {"batch_size": 128, "lr": 0.1, "lr_schedule": "cosine", "weight_decay": 5e-4}  # both models
PAPER = {"wrn": {100: 35, 500: 47, 1000: 60}, "scat_wrn": {100: 38, 500: 55, 1000: 62}}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", default=str(Path(__file__).resolve().parents[1].parent / "shared" / "data"))
    parser.add_argument("--out", default="benchmarks/results/small_data.json")
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 500, 1000])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1])
    parser.add_argument("--width", type=int, default=1, help="widening factor k of both networks")
    parser.add_argument("--steps", type=int, default=80, help="SGD steps per run")
    parser.add_argument("--augment", action="store_true", help="random crops and flips (scattering recomputed)")
    parser.add_argument("--device", default="auto")
    parser.add_argument("--threads", type=int, default=1,
                        help="torch CPU threads (1 is fastest on a shared, busy machine)")
    parser.add_argument("--report-only", action="store_true", help="print the table of the saved results")
    parser.add_argument("--plot", default=None, help="folder for the figures")
    return parser.parse_args(argv)


def scattering_features(images, device, batch_size=256):
    """Scattering (J=2, L=8) of (n, 3, 32, 32) images as (n, 243, 8, 8) float32."""
    scattering = Scattering2D(J=2, shape=images.shape[-2:]).to(device)
    out = []
    with torch.no_grad():
        for start in tqdm(range(0, len(images), batch_size), desc="scattering", unit="batch"):
            batch = torch.from_numpy(images[start:start + batch_size]).to(device)
            S = scattering(batch)
            out.append(S.reshape(len(batch), -1, *S.shape[-2:]).cpu().numpy())
    return np.concatenate(out)


def make_classifier(model, n, args, seed):
    """The run's estimator: same optimiser and step budget for both models."""
    batches = math.ceil(n / RECIPE["batch_size"])
    precomputed = model == "scat_wrn" and not args.augment
    params = {"module__width": args.width}
    if precomputed:
        params["module__precomputed"] = True
    return TorchCNNClassifier(
        module=model, max_epochs=max(1, round(args.steps / batches)), crop_padding=4 if args.augment else 0,
        horizontal_flip=args.augment, device=args.device, random_state=seed, **RECIPE, **params,
    )


def run_fingerprint(model, n, seed, args):
    """What a run's result depends on; the device is left out (it changes the figures by rounding only)."""
    run = dict(zip(RUN_FIELDS, (model, n, seed, args.width, args.steps, args.augment)))
    return fingerprint({**run, **RECIPE, "scattering": {"J": 2, "L": 8}, "test": "whole test set"})


def run_one(model, n, seed, data, args):
    """Train on the (n, seed) subset, test on the whole test set; a result dict."""
    index = small_sample_subset(data["y_train"], n, random_state=seed)
    key = "S" if model == "scat_wrn" and not args.augment else "X"
    clf = make_classifier(model, n, args, seed)
    start = time.perf_counter()
    clf.fit(data[f"{key}_train"][index], data["y_train"][index])
    seconds = time.perf_counter() - start
    accuracy = clf.score(data[f"{key}_test"], data["y_test"])
    n_params = sum(p.numel() for p in clf.module_.parameters())
    return {"model": model, "n": n, "seed": seed, "width": args.width, "augment": args.augment,
            "steps": args.steps, "epochs": clf.n_epochs_, "accuracy": accuracy, "fit_seconds": seconds,
            "n_params": n_params, "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "train_loss": clf.history_["train_loss"].tolist(),
            "train_accuracy": clf.history_["train_accuracy"].tolist(),
            "fingerprint": run_fingerprint(model, n, seed, args)}


def load_data(args, needed):
    X_train, y_train = load_cifar10(args.data, subset="train", return_X_y=True)
    X_test, y_test = load_cifar10(args.data, subset="test", return_X_y=True)
    data = {"X_train": X_train, "y_train": y_train, "X_test": X_test, "y_test": y_test}
    if not args.augment:
        device = resolve_device(args.device)
        S_train = np.zeros((len(X_train), 243, 8, 8), np.float32)
        S_train[needed] = scattering_features(X_train[needed], device)
        data.update(S_train=S_train, S_test=scattering_features(X_test, device))
    return data


def run(args):
    out = Path(args.out)
    results = read_results(out, [])
    done = {r.get("fingerprint") for r in results}
    todo = [(m, n, s) for n in args.sizes for s in args.seeds for m in MODELS
            if run_fingerprint(m, n, s, args) not in done]
    if not todo:
        return results
    y_train = load_cifar10(args.data, subset="train", return_X_y=True)[1]
    needed = np.unique(np.concatenate([small_sample_subset(y_train, n, random_state=s) for _, n, s in todo]))
    data = load_data(args, needed)
    for model, n, seed in tqdm(todo, desc="runs", unit="run"):
        result = run_one(model, n, seed, data, args)
        tqdm.write(f"{model:>8}  n={n:<5} seed={seed}  acc {result['accuracy']:.3f}  "
                   f"fit {result['fit_seconds']:.0f}s  peak RSS {result['peak_rss_mb']:.0f} MB")
        results = [r for r in results if any(r[k] != result[k] for k in RUN_FIELDS)] + [result]  # drop stale
        write_record(out, results)
    return results


def summary(results, width, steps, augment):
    """{(model, n): (mean, std, n_seeds, median fit seconds)} for one configuration."""
    table = {}
    for model in MODELS:
        for n in sorted({r["n"] for r in results}):
            rows = [r for r in results if (r["model"], r["n"], r["width"], r["steps"], r["augment"])
                    == (model, n, width, steps, augment)]
            if rows:
                acc = np.array([r["accuracy"] for r in rows]) * 100
                table[model, n] = (acc.mean(), acc.std(), len(rows), np.median([r["fit_seconds"] for r in rows]))
    return table


def print_table(table):
    sizes = sorted({n for _, n in table})
    print("| model | " + " | ".join(f"n={n}" for n in sizes) + " |")
    print("|---|" + "---|" * len(sizes))
    for model in MODELS:
        cells = [f"{table[model, n][0]:.1f} ± {table[model, n][1]:.1f} ({table[model, n][2]} seeds, "
                 f"{table[model, n][3]:.0f} s)" if (model, n) in table else "" for n in sizes]
        print(f"| {model} | " + " | ".join(cells) + " |")
    for n in sizes:
        if ("scat_wrn", n) in table and ("wrn", n) in table:
            print(f"n={n}: Scat+WRN - WRN = {table['scat_wrn', n][0] - table['wrn', n][0]:+.1f} points; "
                  f"fit time ratio Scat+WRN / WRN = {table['scat_wrn', n][3] / table['wrn', n][3]:.2f}")


def plot(results, table, folder, width, steps, augment):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    labels = {"scat_wrn": f"Scat + WRN-12-{width}", "wrn": f"WRN-16-{width}"}
    fig, ax = plt.subplots(figsize=(5.5, 3.8))
    for model, colour in zip(MODELS, ("C0", "C1")):
        sizes = sorted(n for m, n in table if m == model)
        mean = [table[model, n][0] for n in sizes]
        std = [table[model, n][1] for n in sizes]
        ax.errorbar(sizes, mean, yerr=std, marker="o", capsize=3, color=colour, label=f"{labels[model]} (ours, CPU)")
        ax.plot(sorted(PAPER[model]), [PAPER[model][n] for n in sorted(PAPER[model])], ls="--", marker="x",
                color=colour, alpha=0.6, label=f"{model} (paper, full width, 10k test)")
    title = f"CIFAR-10, small data ({steps} steps, {'crops + flips' if augment else 'no augmentation'})"
    ax.set(xscale="log", xlabel="training samples n", ylabel="test accuracy (%)", title=title)
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(folder / f"hybrid_small_data{_suffix(augment)}.png", dpi=120)
    plot_curves(results, folder, labels, width, steps, augment, plt)


def plot_curves(results, folder, labels, width, steps, augment, plt):
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.5))
    rows = [r for r in results if (r["width"], r["steps"], r["augment"], r["seed"]) == (width, steps, augment, 0)]
    colours = {n: f"C{i}" for i, n in enumerate(sorted({r["n"] for r in rows}))}
    for r in rows:
        style = {"ls": "-" if r["model"] == "scat_wrn" else "--", "color": colours[r["n"]]}
        epochs = np.arange(1, len(r["train_loss"]) + 1) / len(r["train_loss"])
        label = f"{labels[r['model']]}, n={r['n']}"
        axes[0].plot(epochs, r["train_loss"], label=label, **style)
        axes[1].plot(epochs, np.array(r["train_accuracy"]) * 100, label=label, **style)
    axes[0].set(xlabel="fraction of training", ylabel="training loss", yscale="log")
    axes[1].set(xlabel="fraction of training", ylabel="training accuracy (%)")
    axes[1].legend(fontsize=6)
    fig.suptitle(f"Training curves, seed 0 ({steps} SGD steps per run, batch 128)")
    fig.tight_layout()
    fig.savefig(Path(folder) / f"hybrid_training_curves{_suffix(augment)}.png", dpi=120)


def _suffix(augment):
    return "_augmented" if augment else ""


def main(argv=None):
    args = parse_args(argv)
    torch.set_num_threads(args.threads)
    results = read_results(args.out, []) if args.report_only else run(args)
    if not results:
        raise SystemExit(f"--out {args.out!r} holds no results: run without --report-only first.")
    table = summary(results, args.width, args.steps, args.augment)
    config = (args.width, args.steps, args.augment)
    seeds = sorted({r["seed"] for r in results if (r["width"], r["steps"], r["augment"]) == config})
    print(f"width k={args.width}, {args.steps} SGD steps per run, augmentation {'on' if args.augment else 'off'}, "
          f"seeds {seeds}, test on 2000 images")
    print_table(table)
    if args.plot:
        plot(results, table, args.plot, args.width, args.steps, args.augment)


if __name__ == "__main__":
    main()
