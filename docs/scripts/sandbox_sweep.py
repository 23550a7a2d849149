"""Sandbox CNN: test accuracy against the fraction k/K of rectified channels (the talk's figure).

Trains SandboxCNN through TorchCNNClassifier once per non-linearity: partial
ReLU with k/K in {0, 0.1, 0.3, 0.5, 0.7, 0.9, 1} and the sign-sqrt rho, at a
width and length this 2-core CPU affords (defaults: K=16, all 10,000 training
images of ../shared/data's CIFAR-10 subset averaged down to 16x16, 5 epochs,
batches of 64, no dropout, seed 0: about 15 min on the shared CPU; the committed
results used --seeds 0 1; tested on the 2,000 test images). Each run's result is written
atomically to docs/figures/sandbox_runs/<run>_seed<seed>.json; a rerun with the same settings skips
finished runs (resume after interruption). Then it writes
docs/figures/sandbox_sweep.{csv,md,png}.

Usage: python docs/scripts/sandbox_sweep.py [--seeds 0 1] [--K 16] [--n-per-class 1000] [--downsample 2] [--epochs 5]
"""

import argparse

import matplotlib
import numpy as np

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from sandbox_common import (
    DATA_DIR,
    FIGURES,
    csv_text,
    limit_threads,
    load_standardised_cifar,
    markdown_table,
    run_or_resume,
    train_and_score,
)
from tqdm.auto import tqdm

from skscat.networks import n_rectified_channels
from skscat.utils import atomic_path, atomic_write_text

RATIOS = (0.0, 0.1, 0.3, 0.5, 0.7, 0.9, 1.0)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=str(DATA_DIR))
    parser.add_argument("--K", type=int, default=16, help="width of every layer")
    parser.add_argument("--n-per-class", type=int, default=1000, help="training images per class (1000: all)")
    parser.add_argument("--downsample", type=int, default=2, help="average d x d pixel blocks (2: 16x16 images)")
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--lr", type=float, default=0.05)
    parser.add_argument("--dropout", type=float, default=0.0, help="the paper's 0.4 needs long training")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0], help="random_state of each repetition")
    parser.add_argument("--threads", type=int, default=1, help="torch intra-op threads")
    parser.add_argument("--out", default=str(FIGURES))
    return parser.parse_args()


def runs(K):
    """(name, module parameters) of every run of the sweep."""
    configs = [(f"relu_{ratio:.1f}", {"module__relu_ratio": ratio}) for ratio in RATIOS]
    configs.append(("signsqrt", {"module__nonlinearity": "signsqrt"}))
    return [(name, {"module": "sandbox_cnn", "module__K": K, **extra}) for name, extra in configs]


def estimator_params(args, module_params, seed):
    # The paper's recipe, shortened: SGD momentum 0.9, weight decay 2e-4, pad-4 crops and flips;
    # smaller batches (more steps), a cosine schedule (a step schedule needs many epochs), no dropout.
    return {**module_params, "module__dropout": args.dropout, "max_epochs": args.epochs,
            "batch_size": args.batch_size, "lr": args.lr, "weight_decay": 2e-4, "lr_schedule": "cosine",
            "device": "cpu", "random_state": seed}


def sweep(args, data):
    """Every (run, seed), seeds in the outer loop so that a partial sweep already covers all k/K."""
    results = {}
    jobs = [(seed, name, params) for seed in args.seeds for name, params in runs(args.K)]
    bar = tqdm(jobs, desc="sandbox sweep", unit="run")
    for seed, name, module_params in bar:
        bar.set_postfix(run=f"{name} seed {seed}")
        params = estimator_params(args, module_params, seed)
        settings = {**params, "n_per_class": args.n_per_class, "downsample": args.downsample,
                    "threads": args.threads}

        def compute(params=params):
            result = train_and_score(params, data)
            module = result.pop("module")
            return {**result, "n_rectified": module.n_rectified}

        path = f"{args.out}/sandbox_runs/{name}_seed{seed}.json"
        record, resumed = run_or_resume(path, settings, compute)
        tqdm.write(f"{name} seed {seed}: test accuracy {record['test_accuracy']:.4f}, "
                   f"{record['fit_seconds']:.0f} s{' (stored)' if resumed else ''}")
        results.setdefault(name, []).append(record)
    return results


def table_rows(results, K):
    rows = []
    for records in results.values():
        ratio = records[0]["settings"].get("module__relu_ratio")
        label = "sign-sqrt" if ratio is None else "partial ReLU"
        k = "-" if ratio is None else f"{n_rectified_channels(ratio, K)}/{K}"
        test = [100 * r["test_accuracy"] for r in records]
        rows.append([label, "-" if ratio is None else f"{ratio:.1f}", k, f"{np.mean(test):.2f}",
                     " / ".join(f"{t:.2f}" for t in test),
                     f"{100 * np.mean([r['train_accuracy_last_epoch'] for r in records]):.2f}",
                     f"{np.mean([r['train_loss_per_epoch'][-1] for r in records]):.3f}",
                     f"{np.mean([r['fit_seconds'] for r in records]):.0f}"])
    return rows


def plot(results, args, path):
    relu = {r[0]["settings"]["module__relu_ratio"]: [100 * x["test_accuracy"] for x in r]
            for n, r in results.items() if n != "signsqrt"}
    ratios = sorted(relu)
    means = [np.mean(relu[r]) for r in ratios]
    spread = np.array([[m - min(relu[r]), max(relu[r]) - m] for r, m in zip(ratios, means)]).T
    fig, ax = plt.subplots(figsize=(5.5, 3.8))
    ax.errorbar(ratios, means, yerr=spread, fmt="o-", capsize=3,
                label=f"partial ReLU (first k of K channels), mean and range of {len(args.seeds)} seeds")
    for r in ratios:
        ax.plot([r] * len(relu[r]), relu[r], ".", color="C0", alpha=0.4)
    if "signsqrt" in results:
        value = np.mean([100 * x["test_accuracy"] for x in results["signsqrt"]])
        ax.axhline(value, color="C3", ls="--", label=r"$\rho(x)=\mathrm{sign}(x)(\sqrt{|x|}+0.1)$, mean")
    ax.set_xlabel("k / K (fraction of rectified channels)")
    ax.set_ylabel("CIFAR-10 test accuracy (%)")
    side = 32 // args.downsample
    ax.set_title(f"Sandbox CNN, K={args.K}: CIFAR-10 subset, {10 * args.n_per_class} train images "
                 f"at {side}x{side}, {args.epochs} epochs", fontsize=8)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, loc="center right")
    fig.tight_layout()
    with atomic_path(path) as tmp:
        fig.savefig(tmp, dpi=120, format="png")
    plt.close(fig)


def main():
    args = parse_args()
    limit_threads(args.threads)
    data = load_standardised_cifar(args.data_dir, args.n_per_class, seed=0, downsample=args.downsample)
    results = sweep(args, data)
    header = ["non-linearity", "k/K", "k (channels)", "test acc. (%), mean", "test acc. (%), per seed",
              "train acc., last epoch (%)", "train loss, last epoch", "fit time (s), mean"]
    rows = table_rows(results, args.K)
    atomic_write_text(f"{args.out}/sandbox_sweep.csv", csv_text(header, rows))
    atomic_write_text(f"{args.out}/sandbox_sweep.md", markdown_table(header, rows))
    plot(results, args, f"{args.out}/sandbox_sweep.png")
    print(markdown_table(header, rows))


if __name__ == "__main__":
    main()
