"""Parameter counts, and reduced-size training, of the sandbox CNN, the hierarchical CNN and its equivalent CNN.

1. Parameter counts (exact, by building the modules): the sandbox CNN at
   several widths K, and the hierarchical CNN next to its equivalent plain CNN
   (same depth, strides and features per position) at several widths ->
   docs/figures/sandbox_params.{csv,md}.
2. Training through TorchCNNClassifier at a size this 2-core CPU affords
   (defaults: 300 images per class of ../shared/data's CIFAR-10 subset
   averaged down to 16x16, 4 epochs, batches of 64, the 2,000 test images;
   sandbox K=16 without dropout, hierarchical width 8 with hidden width 8 and
   3x5 attribute kernels, its equivalent CNN): test
   accuracy, fit time and parameters -> docs/figures/sandbox_bench.{csv,md}.
   Each run is stored atomically in docs/figures/sandbox_bench_runs/ and
   skipped when rerun with the same settings.

Usage: python docs/scripts/sandbox_bench.py [--n-per-class 300] [--epochs 4] [--params-only]
"""

import argparse

from sandbox_common import (
    DATA_DIR,
    FIGURES,
    csv_text,
    limit_threads,
    load_standardised_cifar,
    markdown_table,
    n_parameters,
    run_or_resume,
    train_and_score,
)
from tqdm.auto import tqdm

from skscat.networks import HierarchicalCNN, HierarchicalEquivalentCNN, SandboxCNN
from skscat.utils import atomic_write_text

REDUCED_HIERARCHICAL = {"width": 8, "hidden_width": 8, "attribute_kernel": (3, 5)}
MODELS = {
    "sandbox_K16": ("sandbox_cnn", {"K": 16, "dropout": 0.0}),
    "hierarchical_w8": ("hierarchical_cnn", REDUCED_HIERARCHICAL),
    "equivalent_w8": ("hierarchical_equivalent_cnn", REDUCED_HIERARCHICAL),
}


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=str(DATA_DIR))
    parser.add_argument("--n-per-class", type=int, default=300)
    parser.add_argument("--downsample", type=int, default=2, help="average d x d pixel blocks (2: 16x16 images)")
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=1, help="torch intra-op threads")
    parser.add_argument("--params-only", action="store_true", help="write the parameter table only")
    parser.add_argument("--out", default=str(FIGURES))
    return parser.parse_args()


def parameter_rows():
    rows = [[f"SandboxCNN K={K}", f"{n_parameters(SandboxCNN(K=K)):,}", "-", "-"] for K in (16, 32, 128, 512)]
    configs = [("width=8, hidden=8, kernel 3x5 (trained below)", REDUCED_HIERARCHICAL)]
    configs += [(f"width={w}, hidden={2 * w}, kernel 7x11" + (" (paper)" if w == 16 else ""), {"width": w})
                for w in (8, 16, 32)]
    for label, config in configs:
        hierarchical = n_parameters(HierarchicalCNN(**config))
        equivalent = n_parameters(HierarchicalEquivalentCNN(**config))
        rows.append([f"HierarchicalCNN {label}", f"{hierarchical:,}", f"{equivalent:,}",
                     f"{equivalent / hierarchical:.1f}x"])
    return rows


def write_parameter_table(out):
    header = ["network", "parameters", "its equivalent plain CNN", "equivalent / hierarchical"]
    rows = parameter_rows()
    atomic_write_text(f"{out}/sandbox_params.csv", csv_text(header, rows))
    atomic_write_text(f"{out}/sandbox_params.md", markdown_table(header, rows))
    print(markdown_table(header, rows))


def train_models(args, data):
    rows = []
    for name, (module, module_params) in tqdm(MODELS.items(), desc="networks", unit="net"):
        params = {"module": module, **{f"module__{k}": v for k, v in module_params.items()},
                  "max_epochs": args.epochs, "batch_size": 64, "lr": 0.05, "weight_decay": 2e-4,
                  "lr_schedule": "cosine", "device": "cpu", "random_state": args.seed}
        settings = {**params, "n_per_class": args.n_per_class, "downsample": args.downsample,
                    "threads": args.threads}

        def compute(params=params):
            result = train_and_score(params, data)
            result.pop("module")
            return result

        record, resumed = run_or_resume(f"{args.out}/sandbox_bench_runs/{name}.json", settings, compute)
        tqdm.write(f"{name}: {record['test_accuracy']:.4f} in {record['fit_seconds']:.0f} s"
                   + (" (stored)" if resumed else ""))
        n_images = 10 * args.n_per_class * args.epochs
        rows.append([name, f"{record['n_parameters']:,}", f"{100 * record['test_accuracy']:.2f}",
                     f"{100 * record['train_accuracy_last_epoch']:.2f}", f"{record['fit_seconds']:.0f}",
                     f"{1000 * record['fit_seconds'] / n_images:.1f}"])
    return rows


def main():
    args = parse_args()
    limit_threads(args.threads)
    write_parameter_table(args.out)
    if args.params_only:
        return
    data = load_standardised_cifar(args.data_dir, args.n_per_class, seed=args.seed, downsample=args.downsample)
    header = ["network", "parameters", "test acc. (%)", "train acc., last epoch (%)", "fit time (s)",
              "ms per training image"]
    rows = train_models(args, data)
    atomic_write_text(f"{args.out}/sandbox_bench.csv", csv_text(header, rows))
    atomic_write_text(f"{args.out}/sandbox_bench.md", markdown_table(header, rows))
    print(markdown_table(header, rows))


if __name__ == "__main__":
    main()
