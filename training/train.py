#!/usr/bin/env python3
"""Train trazo's handwritten-digit CNN on MNIST, export it to ONNX and write its model card.

    training/.venv/bin/python training/train.py        (or: bash training/train.sh)

Reads the four gzip IDX files from $MNIST_DIR (default: ../shared/mnist relative to the repository
root; a relative MNIST_DIR is also taken relative to the repository root). Holds out a seeded,
stratified 1/12 of the TRAINING set for validation; the test set is evaluated exactly once, at the
end, on the exported ONNX model, for the model card. Nothing is tuned on it.

Outputs (under --out-dir, default model/):
    trazo-mnist.onnx   opset 17, input "input" [N,1,28,28] float32, output "logits" [N,10]
    MODEL_CARD.md      written by this script from what it measured
and a checkpoint (state dict + training log) under training/checkpoints/ (git-ignored), so that
`--from-checkpoint` can re-export and re-write the card without training again.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import hashlib
import json
import math
import os
import platform
import random
import struct
import sys
import time
from pathlib import Path

# libgomp's default busy-waiting makes a 2-thread torch burn ~5x the CPU on a machine shared
# with other jobs (measured here: 650 ms vs 95 ms per step); it must be set before torch loads.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

REPO = Path(__file__).resolve().parent.parent
TRAINING_DIR = REPO / "training"

# Normalisation, replicated exactly by the Rust side: x = (pixel / 255 - MEAN) / STD, in float32.
MEAN = 0.1307
STD = 0.3081

SEED = 20251128
VAL_FRACTION = 1 / 12  # 5,000 of the 60,000 training images, stratified by class
OPSET = 17
INPUT_NAME = "input"
OUTPUT_NAME = "logits"
ALLOWED_OPS = {"Conv", "BatchNormalization", "Relu", "MaxPool", "GlobalAveragePool", "Flatten", "Gemm"}

# Augmentation for hand-drawn input (all batched tensor ops).
AUG = {
    "rotation_deg": 12.0,  # uniform in [-12, 12]
    "scale": (0.85, 1.15),  # uniform, isotropic
    "shear_deg": 8.0,  # uniform in [-8, 8], along x (slanted writing)
    "shift_px": 2.5,  # uniform in [-2.5, 2.5] on each axis
    "p_dilate2": 0.15,  # thicker strokes: 2x2 max-pool (stride 1)
    "p_dilate3": 0.05,  # much thicker strokes: 3x3 max-pool (stride 1)
    "p_erode2": 0.10,  # thinner strokes: 2x2 min-pool (stride 1)
}

FILES = {
    "train_images": "train-images-idx3-ubyte.gz",
    "train_labels": "train-labels-idx1-ubyte.gz",
    "test_images": "t10k-images-idx3-ubyte.gz",
    "test_labels": "t10k-labels-idx1-ubyte.gz",
}
# Published facts about the standard files (also in shared/mnist/README.md); checked on load.
TRAIN_CLASS_COUNTS = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
FIRST_TRAIN_LABELS = [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]
FIRST_TEST_LABELS = [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]


def log(msg: str) -> None:
    print(msg, flush=True)


# --------------------------------------------------------------------------------------- data


def mnist_dir() -> Path:
    p = Path(os.environ.get("MNIST_DIR", "../shared/mnist"))
    if not p.is_absolute():
        p = REPO / p
    return p.resolve()


def read_idx(path: Path) -> np.ndarray:
    """Parse a gzip-compressed IDX file (big-endian header, unsigned-byte payload only)."""
    with gzip.open(path, "rb") as f:
        data = f.read()
    if len(data) < 4 or data[0] != 0 or data[1] != 0:
        raise ValueError(f"{path}: not an IDX file")
    dtype_code, ndim = data[2], data[3]
    if dtype_code != 0x08:
        raise ValueError(f"{path}: IDX type 0x{dtype_code:02x} unsupported (expected 0x08 = ubyte)")
    header = 4 + 4 * ndim
    dims = struct.unpack(f">{ndim}I", data[4:header])
    count = math.prod(dims)
    if len(data) - header != count:
        raise ValueError(f"{path}: {len(data) - header} payload bytes, header says {count}")
    return np.frombuffer(data, dtype=np.uint8, offset=header).reshape(dims)


def verify_checksums(d: Path) -> str:
    sums = d / "SHA256SUMS"
    if not sums.exists():
        return "no SHA256SUMS beside the files; not verified"
    for line in sums.read_text().splitlines():
        if not line.strip():
            continue
        digest, name = line.split()
        name = name.lstrip("*")
        if name not in FILES.values():
            continue
        got = hashlib.sha256((d / name).read_bytes()).hexdigest()
        if got != digest:
            raise SystemExit(f"checksum mismatch for {d / name}: {got} != {digest}")
    return "verified against SHA256SUMS"


def load_mnist():
    d = mnist_dir()
    missing = [n for n in FILES.values() if not (d / n).exists()]
    if missing:
        raise SystemExit(
            f"MNIST not found in {d} (missing {', '.join(missing)}). Set MNIST_DIR to the folder "
            "holding the four gzip IDX files; see training/README.md."
        )
    check = verify_checksums(d)
    arrays = {k: read_idx(d / v) for k, v in FILES.items()}
    xtr, ytr = arrays["train_images"], arrays["train_labels"]
    xte, yte = arrays["test_images"], arrays["test_labels"]
    assert xtr.shape == (60000, 28, 28) and ytr.shape == (60000,), (xtr.shape, ytr.shape)
    assert xte.shape == (10000, 28, 28) and yte.shape == (10000,), (xte.shape, yte.shape)
    assert np.bincount(ytr, minlength=10).tolist() == TRAIN_CLASS_COUNTS
    assert ytr[:10].tolist() == FIRST_TRAIN_LABELS and yte[:10].tolist() == FIRST_TEST_LABELS
    log(f"MNIST from {d} ({check}): train {xtr.shape}, test {xte.shape}")
    return xtr, ytr, xte, yte, d, check


def stratified_split(labels: np.ndarray, frac: float, seed: int):
    rng = np.random.default_rng(seed)
    val = []
    for c in range(10):
        idx = np.flatnonzero(labels == c)
        rng.shuffle(idx)
        val.append(idx[: int(round(len(idx) * frac))])
    val_idx = np.sort(np.concatenate(val))
    train_mask = np.ones(len(labels), dtype=bool)
    train_mask[val_idx] = False
    return np.flatnonzero(train_mask), val_idx


def normalise_u8(images: np.ndarray) -> np.ndarray:
    """uint8 [N,28,28] -> float32 [N,1,28,28], exactly as the Rust side does it (float32 ops)."""
    x = images.astype(np.float32) / np.float32(255.0)
    x = (x - np.float32(MEAN)) / np.float32(STD)
    return x[:, None, :, :]


# -------------------------------------------------------------------------------------- model


def conv_bn_relu(cin: int, cout: int) -> list[nn.Module]:
    return [nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True)]


class TrazoNet(nn.Module):
    """4 conv3x3+BN+ReLU blocks (8-16-32-64 channels), two 2x2 max-pools, GAP, linear 64->10."""

    def __init__(self) -> None:
        super().__init__()
        self.features = nn.Sequential(
            *conv_bn_relu(1, 8),  # 28x28
            *conv_bn_relu(8, 16),  # 28x28
            nn.MaxPool2d(2),  # -> 14x14
            *conv_bn_relu(16, 32),  # 14x14
            nn.MaxPool2d(2),  # -> 7x7
            *conv_bn_relu(32, 64),  # 7x7
            nn.AdaptiveAvgPool2d(1),  # global average pool -> 64
            nn.Flatten(),
        )
        self.classifier = nn.Linear(64, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(self.features(x))  # logits, no softmax


def count_cost(model: nn.Module) -> tuple[list[dict], int, int]:
    """Per-layer output shapes, params and multiply-accumulates for one 1x28x28 image."""
    rows: list[dict] = []
    hooks = []

    def hook(mod, inp, out):
        macs = 0
        if isinstance(mod, nn.Conv2d):
            k = mod.kernel_size[0] * mod.kernel_size[1] * (mod.in_channels // mod.groups)
            macs = out.numel() * k
        elif isinstance(mod, nn.Linear):
            macs = mod.in_features * mod.out_features
        params = sum(p.numel() for p in mod.parameters(recurse=False))
        rows.append({"layer": describe(mod), "out": list(out.shape[1:]), "params": params, "macs": macs})

    for m in model.modules():
        if len(list(m.children())) == 0:
            hooks.append(m.register_forward_hook(hook))
    was_training = model.training
    model.eval()
    with torch.no_grad():
        model(torch.zeros(1, 1, 28, 28))
    model.train(was_training)
    for h in hooks:
        h.remove()
    total_params = sum(p.numel() for p in model.parameters())
    total_macs = sum(r["macs"] for r in rows)
    return rows, total_params, total_macs


def describe(m: nn.Module) -> str:
    if isinstance(m, nn.Conv2d):
        return f"Conv2d {m.in_channels}->{m.out_channels}, {m.kernel_size[0]}x{m.kernel_size[1]}, pad {m.padding[0]}, no bias"
    if isinstance(m, nn.BatchNorm2d):
        return f"BatchNorm2d {m.num_features}"
    if isinstance(m, nn.ReLU):
        return "ReLU"
    if isinstance(m, nn.MaxPool2d):
        return f"MaxPool2d {m.kernel_size}x{m.kernel_size}, stride {m.stride}"
    if isinstance(m, nn.AdaptiveAvgPool2d):
        return "Global average pool"
    if isinstance(m, nn.Flatten):
        return "Flatten"
    if isinstance(m, nn.Linear):
        return f"Linear {m.in_features}->{m.out_features}"
    return type(m).__name__


# ------------------------------------------------------------------------------- augmentation


def augment(x: torch.Tensor, g: torch.Generator) -> torch.Tensor:
    """x: [B,1,28,28] in [0,1] (ink 1 on 0). Random stroke thickness, then a random affine warp."""
    b = x.shape[0]
    # Stroke thickness: one of dilate 2x2 / dilate 3x3 / erode 2x2 / unchanged, per sample.
    u = torch.rand(b, generator=g).view(b, 1, 1, 1)
    p1 = AUG["p_dilate2"]
    p2 = p1 + AUG["p_dilate3"]
    p3 = p2 + AUG["p_erode2"]
    dil2 = F.max_pool2d(F.pad(x, (0, 1, 0, 1)), 2, stride=1)
    dil3 = F.max_pool2d(x, 3, stride=1, padding=1)
    ero2 = -F.max_pool2d(F.pad(-x, (0, 1, 0, 1)), 2, stride=1)
    x = torch.where(u < p1, dil2, torch.where(u < p2, dil3, torch.where(u < p3, ero2, x)))

    # Affine: rotation, isotropic scale, x-shear, shift. theta maps output coords to input coords.
    def uni(lo: float, hi: float) -> torch.Tensor:
        return lo + (hi - lo) * torch.rand(b, generator=g)

    ang = torch.deg2rad(uni(-AUG["rotation_deg"], AUG["rotation_deg"]))
    scale = uni(*AUG["scale"])
    shear = torch.tan(torch.deg2rad(uni(-AUG["shear_deg"], AUG["shear_deg"])))
    s = AUG["shift_px"] * 2.0 / 28.0  # pixels -> normalised [-1, 1] coordinates
    tx, ty = uni(-s, s), uni(-s, s)
    cos, sin = torch.cos(ang), torch.sin(ang)
    # Output->input map (R @ Shear) / scale; every range is symmetric (scale about 1), so sampling
    # the inverse map directly gives the intended distribution of warps.
    a11 = cos / scale
    a12 = (cos * shear - sin) / scale
    a21 = sin / scale
    a22 = (sin * shear + cos) / scale
    theta = torch.stack(
        [torch.stack([a11, a12, tx], dim=1), torch.stack([a21, a22, ty], dim=1)], dim=1
    )
    grid = F.affine_grid(theta, list(x.shape), align_corners=False)
    return F.grid_sample(x, grid, mode="bilinear", padding_mode="zeros", align_corners=False)


# ----------------------------------------------------------------------------------- training


def set_seeds(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.use_deterministic_algorithms(True, warn_only=True)
    torch.backends.cudnn.deterministic = True
    torch.backends.cudnn.benchmark = False


@torch.no_grad()
def accuracy(model: nn.Module, x: torch.Tensor, y: torch.Tensor, bs: int = 1000) -> float:
    model.eval()
    correct = 0
    for i in range(0, len(x), bs):
        correct += (model(x[i : i + bs]).argmax(1) == y[i : i + bs]).sum().item()
    return correct / len(x)


def train(args, xtr_u8, ytr, xval, yval) -> tuple[nn.Module, dict]:
    set_seeds(SEED)
    g = torch.Generator().manual_seed(SEED + 1)
    model = TrazoNet().to(memory_format=torch.channels_last)  # ~1.5x faster convs on CPU
    xval = xval.contiguous(memory_format=torch.channels_last)
    x_train = torch.from_numpy(xtr_u8).float().div_(255.0).unsqueeze(1)  # [N,1,28,28] in [0,1]
    y_train = torch.from_numpy(ytr.astype(np.int64))
    n = len(x_train)
    steps_per_epoch = n // args.batch_size  # drop the last partial batch
    decay, no_decay = [], []
    for name, p in model.named_parameters():
        (decay if p.ndim > 1 else no_decay).append(p)
    opt = torch.optim.SGD(
        [{"params": decay, "weight_decay": args.weight_decay}, {"params": no_decay, "weight_decay": 0.0}],
        lr=args.lr,
        momentum=0.9,
        nesterov=True,
    )
    sched = torch.optim.lr_scheduler.OneCycleLR(
        opt,
        max_lr=args.lr,
        total_steps=args.epochs * steps_per_epoch,
        pct_start=0.2,
        div_factor=10.0,
        final_div_factor=100.0,
    )
    history = []
    t0 = time.time()
    log(f"training {args.epochs} epochs x {steps_per_epoch} steps (batch {args.batch_size}) on {n} images")
    for epoch in range(1, args.epochs + 1):
        model.train()
        te = time.time()
        perm = torch.randperm(n, generator=g)
        loss_sum, correct, seen = 0.0, 0, 0
        for step in range(steps_per_epoch):
            idx = perm[step * args.batch_size : (step + 1) * args.batch_size]
            xb = augment(x_train[idx], g)
            xb = ((xb - MEAN) / STD).contiguous(memory_format=torch.channels_last)
            yb = y_train[idx]
            out = model(xb)
            loss = F.cross_entropy(out, yb)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
            loss_sum += loss.item() * len(yb)
            correct += (out.argmax(1) == yb).sum().item()
            seen += len(yb)
        val_acc = accuracy(model, xval, yval)
        row = {
            "epoch": epoch,
            "train_loss": loss_sum / seen,
            "train_acc_augmented": correct / seen,
            "val_acc": val_acc,
            "lr_end": sched.get_last_lr()[0],
            "epoch_s": time.time() - te,
        }
        history.append(row)
        log(
            f"epoch {epoch:2d}/{args.epochs}  loss {row['train_loss']:.4f}  "
            f"train(aug) {100 * row['train_acc_augmented']:.2f}%  val {100 * val_acc:.2f}%  "
            f"lr {row['lr_end']:.4g}  {row['epoch_s']:.0f}s  (total {time.time() - t0:.0f}s)"
        )
    train_s = time.time() - t0
    model = model.to(memory_format=torch.contiguous_format).eval()
    meta = {"history": history, "train_seconds": train_s}
    return model, meta


# ------------------------------------------------------------------------------ export, checks


def export_onnx(model: nn.Module, path: Path) -> None:
    import onnx

    model.eval()
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.onnx.export(
        model,
        (torch.zeros(1, 1, 28, 28),),
        str(path),
        dynamo=False,  # the TorchScript exporter: no onnxscript needed, folds BN into Conv
        export_params=True,
        opset_version=OPSET,
        do_constant_folding=True,
        input_names=[INPUT_NAME],
        output_names=[OUTPUT_NAME],
        dynamic_axes={INPUT_NAME: {0: "batch"}, OUTPUT_NAME: {0: "batch"}},
    )
    m = onnx.load(str(path))
    m.producer_name = "trazo training/train.py"
    m.doc_string = (
        f"trazo MNIST digit CNN. input float32 [batch,1,28,28] = (pixel/255 - {MEAN})/{STD}, "
        "white ink on black; output: logits [batch,10] (no softmax)."
    )
    onnx.save(m, str(path))
    onnx.checker.check_model(str(path), full_check=True)
    ops = {n.op_type for n in m.graph.node}
    if not ops <= ALLOWED_OPS:
        raise SystemExit(f"unexpected ONNX ops {sorted(ops - ALLOWED_OPS)}")


def ort_session(path: Path):
    import onnxruntime as ort

    so = ort.SessionOptions()
    so.intra_op_num_threads = 2
    so.inter_op_num_threads = 1
    return ort.InferenceSession(str(path), so, providers=["CPUExecutionProvider"])


def ort_logits(sess, x: np.ndarray, bs: int = 1000) -> np.ndarray:
    return np.concatenate([sess.run([OUTPUT_NAME], {INPUT_NAME: x[i : i + bs]})[0] for i in range(0, len(x), bs)])


def parity_check(model: nn.Module, sess, xval: np.ndarray) -> float:
    rng = np.random.default_rng(SEED + 2)
    probes = np.concatenate(
        [xval[:256], rng.normal(0, 1, size=(32, 1, 28, 28)).astype(np.float32)]
    )
    with torch.no_grad():
        ref = model(torch.from_numpy(probes)).numpy()
    got_batch = ort_logits(sess, probes, bs=len(probes))
    got_single = np.concatenate([sess.run([OUTPUT_NAME], {INPUT_NAME: probes[i : i + 1]})[0] for i in range(16)])
    diff = max(float(np.abs(ref - got_batch).max()), float(np.abs(ref[:16] - got_single).max()))
    if diff > 1e-4:
        raise SystemExit(f"ONNX Runtime differs from PyTorch by {diff} > 1e-4")
    return diff


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def machine_info() -> dict:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        nproc = len(os.sched_getaffinity(0))
    except AttributeError:
        nproc = os.cpu_count()
    return {"cpu": cpu, "nproc": nproc, "platform": platform.platform(), "python": platform.python_version()}


# ----------------------------------------------------------------------------------- the card


def write_card(path: Path, c: dict) -> None:
    rows = c["layers"]
    layer_lines = "\n".join(
        f"| {i} | {r['layer']} | {'x'.join(map(str, r['out']))} | {r['params']:,} | {r['macs']:,} |"
        for i, r in enumerate(rows, 1)
    )
    hist = "\n".join(
        f"| {h['epoch']} | {h['train_loss']:.4f} | {100 * h['train_acc_augmented']:.2f} | {100 * h['val_acc']:.2f} | {h['epoch_s']:.0f} |"
        for h in c["history"]
    )
    per_class = " ".join(f"{d}: {100 * a:.2f}" for d, a in enumerate(c["test_per_class"]))
    a = c["args"]
    bn = (
        "BatchNorm is still a separate op"
        if "BatchNormalization" in c["onnx_ops"]
        else "BatchNorm folded into the Conv weights and biases"
    )
    text = f"""# Model card: trazo-mnist

Written by `training/train.py` (trained {c['date']}); re-running it rewrites this file, so do not edit by hand.
Reproduce everything with `bash training/train.sh` (see `training/README.md`).

## Summary

| | |
| --- | --- |
| file | `model/trazo-mnist.onnx` ({c['onnx_bytes']:,} bytes) |
| SHA-256 | `{c['onnx_sha256']}` |
| task | classify one handwritten digit, 0-9 |
| input | `{INPUT_NAME}`: float32 `[batch, 1, 28, 28]` (batch is dynamic), white ink on black, like MNIST |
| output | `{OUTPUT_NAME}`: float32 `[batch, 10]`, **raw logits** (no softmax in the graph; apply softmax yourself for probabilities) |
| ONNX | opset {OPSET}, IR version {c['ir_version']}, exported with the TorchScript exporter (`dynamo=False`) in eval mode; {bn} |
| ONNX ops | {', '.join(c['onnx_ops'])} |
| parameters | {c['params']:,} |
| cost per image | {c['macs']:,} multiply-accumulates (Conv + Gemm) = **{c['flops'] / 1e6:.2f} MFLOPs** (FLOPs = 2 x MACs; BN, ReLU, pooling and bias adds not counted) |
| validation accuracy | **{100 * c['val_acc']:.2f} %** ({c['val_correct']}/{c['n_val']}, ONNX Runtime) |
| test accuracy | **{100 * c['test_acc']:.2f} %** ({c['test_correct']}/{c['n_test']}, ONNX Runtime, measured only after training) |
| ONNX Runtime vs PyTorch | max abs logit difference {c['parity_diff']:.2e} (checked < 1e-4) |

## Preprocessing (the Rust side must match this exactly)

1. A 28x28 grayscale image, **white ink (255) on black (0)**, digit roughly centred as in MNIST.
2. `x = pixel / 255` (float32).
3. `x = (x - {MEAN}) / {STD}` (float32) - MNIST mean **{MEAN}** and std **{STD}**.
4. Tensor shape `[N, 1, 28, 28]` (NCHW), row-major within an image (index = row * 28 + column, row 0 at the top).

A blank (all-black) canvas therefore becomes `-{MEAN}/{STD} = {-MEAN / STD:.7f}` everywhere.
`model/fixtures/parity.json` holds synthetic inputs (not MNIST digits) and their ONNX Runtime logits.

## Architecture

Every convolution is 3x3, stride 1, padding 1, followed by BatchNorm and ReLU (in the ONNX file the
BatchNorm is folded into the preceding Conv, which therefore has a bias). Shapes are per image (channels x height x width).

| # | layer | output | params | MACs |
| --- | --- | --- | ---: | ---: |
{layer_lines}
| | **total** | | **{c['params']:,}** | **{c['macs']:,}** |

FLOPs per image = 2 x {c['macs']:,} = {c['flops']:,}.

## Data

- MNIST, the standard gzip IDX files ({c['mnist_check']}), read by the script's own IDX parser.
- Validation: a stratified 1/12 of the **training** set (seed {SEED}): {c['n_val']:,} images held out;
  training uses the other {c['n_train']:,}. Model selection: none - the weights after the last epoch are exported.
- Test: the 10,000 standard test images, measured only after training, on the exported ONNX model; never used
  for training, model selection or tuning.

## Training

- Framework: PyTorch {c['torch_version']} (the PyPI wheel, run on the CPU with {c['threads']} threads); ONNX {c['onnx_version']}, ONNX Runtime {c['ort_version']}, NumPy {c['numpy_version']}.
- Loss: cross-entropy (no label smoothing). Batch {a['batch_size']}, {a['epochs']} epochs, last partial batch dropped.
- Optimiser: SGD, momentum 0.9, Nesterov, weight decay {a['weight_decay']} on Conv/Linear weights only;
  one-cycle LR schedule (max {a['lr']}, 20 % warm-up, start max/10, end max/1000).
- Augmentation (every training batch, batched tensor ops, on pixels in [0,1] before normalisation):
  - stroke thickness, per image: dilate with a 2x2 max-pool (p={AUG['p_dilate2']}), a 3x3 max-pool (p={AUG['p_dilate3']}),
    or erode with a 2x2 min-pool (p={AUG['p_erode2']}); otherwise unchanged;
  - one random affine warp per image (`affine_grid` + bilinear `grid_sample`): rotation uniform +-{AUG['rotation_deg']} deg,
    scale uniform {AUG['scale'][0]}-{AUG['scale'][1]}, x-shear uniform +-{AUG['shear_deg']} deg, shift uniform +-{AUG['shift_px']} px on each axis.
- Seeds: Python, NumPy and torch seeded ({SEED}); `torch.use_deterministic_algorithms(True, warn_only=True)`.
- Training wall time: **{c['train_seconds'] / 60:.1f} min** ({c['train_seconds']:.0f} s), run under `nice -n 19` on a machine
  shared with Rust compiles; the whole script took {c['total_seconds'] / 60:.1f} min.
- Machine: `nproc` = {c['machine']['nproc']}, CPU "{c['machine']['cpu']}", {c['machine']['platform']}, Python {c['machine']['python']}.

| epoch | train loss | train acc (augmented) % | val acc % | seconds |
| ---: | ---: | ---: | ---: | ---: |
{hist}

## Results

- Validation accuracy (ONNX Runtime, {c['n_val']:,} held-out training images): **{100 * c['val_acc']:.2f} %**
- Test accuracy (ONNX Runtime, 10,000 MNIST test images): **{100 * c['test_acc']:.2f} %** ({c['n_test'] - c['test_correct']} errors)
- Test accuracy per class (%): {per_class}

## Limits

- Trained on MNIST only: centred, size-normalised digits of 1990s US writers. Canvas drawings should be
  preprocessed the MNIST way (crop to the ink, fit into 20x20 keeping the aspect ratio, centre by mass in 28x28);
  the augmentation covers small rotations, scale, shift, slant and stroke-width differences, not more.
- It always answers one of the ten digits: it has no "not a digit" class, so a scribble still gets a confident-looking
  softmax. The logits are not calibrated.
"""
    path.write_text(text)


# --------------------------------------------------------------------------------------- main


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--epochs", type=int, default=20)
    ap.add_argument("--batch-size", type=int, default=128)
    ap.add_argument("--lr", type=float, default=0.1, help="peak learning rate of the one-cycle schedule")
    ap.add_argument("--weight-decay", type=float, default=3e-4)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--out-dir", type=Path, default=REPO / "model")
    ap.add_argument("--checkpoint", type=Path, default=TRAINING_DIR / "checkpoints" / "trazo-mnist.pt")
    ap.add_argument("--from-checkpoint", action="store_true", help="skip training; export the saved checkpoint")
    ap.add_argument("--limit-train", type=int, default=0, help="smoke test: train on only this many images")
    args = ap.parse_args()

    t_start = time.time()
    torch.set_num_threads(args.threads)
    torch.set_num_interop_threads(1)
    set_seeds(SEED)

    xtr_all, ytr_all, xte, yte, mdir, mcheck = load_mnist()
    tr_idx, val_idx = stratified_split(ytr_all, VAL_FRACTION, SEED)
    if args.limit_train:
        tr_idx = tr_idx[: args.limit_train]
    xval = normalise_u8(xtr_all[val_idx])
    yval = ytr_all[val_idx].astype(np.int64)
    log(f"split: {len(tr_idx)} train, {len(val_idx)} validation (stratified, seed {SEED})")

    if args.from_checkpoint:
        ck = torch.load(args.checkpoint, map_location="cpu", weights_only=False)
        model = TrazoNet()
        model.load_state_dict(ck["state_dict"])
        model.eval()
        meta = ck["meta"]
        log(f"loaded {args.checkpoint}")
    else:
        model, meta = train(args, xtr_all[tr_idx], ytr_all[tr_idx], torch.from_numpy(xval), torch.from_numpy(yval))
        meta.update(
            {
                "args": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
                "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
                "machine": machine_info(),
                "n_train": int(len(tr_idx)),
            }
        )
        args.checkpoint.parent.mkdir(parents=True, exist_ok=True)
        torch.save({"state_dict": model.state_dict(), "meta": meta}, args.checkpoint)
        log(f"checkpoint: {args.checkpoint}")

    onnx_path = args.out_dir / "trazo-mnist.onnx"
    export_onnx(model, onnx_path)
    sess = ort_session(onnx_path)
    diff = parity_check(model, sess, xval)
    log(f"ONNX written to {onnx_path}; checker ok; ORT vs PyTorch max abs diff {diff:.2e}")

    val_pred = ort_logits(sess, xval).argmax(1)
    val_correct = int((val_pred == yval).sum())
    # The test set: evaluated here, once, on the exported model. Nothing above looks at it.
    test_pred = ort_logits(sess, normalise_u8(xte)).argmax(1)
    test_correct = int((test_pred == yte).sum())
    per_class = [float((test_pred[yte == d] == d).mean()) for d in range(10)]
    log(f"validation {100 * val_correct / len(yval):.2f}%   test {100 * test_correct / len(yte):.2f}%")

    import onnx
    import onnxruntime

    m = onnx.load(str(onnx_path))
    layers, params, macs = count_cost(model)
    card = {
        **meta,
        "layers": layers,
        "params": params,
        "macs": macs,
        "flops": 2 * macs,
        "onnx_bytes": onnx_path.stat().st_size,
        "onnx_sha256": sha256(onnx_path),
        "onnx_ops": sorted({n.op_type for n in m.graph.node}),
        "ir_version": m.ir_version,
        "parity_diff": diff,
        "val_acc": val_correct / len(yval),
        "val_correct": val_correct,
        "n_val": len(yval),
        "test_acc": test_correct / len(yte),
        "test_correct": test_correct,
        "n_test": len(yte),
        "test_per_class": per_class,
        "mnist_check": mcheck,
        "threads": args.threads,
        "torch_version": torch.__version__,
        "onnx_version": onnx.__version__,
        "ort_version": onnxruntime.__version__,
        "numpy_version": np.__version__,
        "total_seconds": (meta.get("total_seconds") if args.from_checkpoint else None) or (time.time() - t_start),
    }
    if not args.from_checkpoint:
        meta["total_seconds"] = card["total_seconds"]
        torch.save({"state_dict": model.state_dict(), "meta": meta}, args.checkpoint)
    write_card(args.out_dir / "MODEL_CARD.md", card)
    log(
        f"params {params:,}  MACs {macs:,}  FLOPs {2 * macs / 1e6:.2f}M  sha256 {card['onnx_sha256']}\n"
        f"card: {args.out_dir / 'MODEL_CARD.md'}  (training {meta['train_seconds'] / 60:.1f} min)"
    )


if __name__ == "__main__":
    main()
