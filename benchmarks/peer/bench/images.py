"""Writes the benchmark's upload images, cut at run time from the MNIST test set (never kept).

    python images.py MNIST_DIR OUT_DIR [--digits N] [--canvases N] [--agree N]

OUT_DIR gets
  digits.blob    N 28x28 grey PNGs (white ink on black, as MNIST), for cache-miss runs
  canvases.blob  N 280x280 RGBA PNGs like a browser canvas export: the digit scaled up 10x
                 (bilinear, then contrast doubled so strokes are solid with anti-aliased
                 edges, as a canvas pen draws them), dark ink on an opaque white background
  hit.png        one canvas PNG, for cache-hit runs
  agree/         N files for the agreement check (half 28x28, half canvas, distinct test digits)
                 and agree/labels.json ({file: MNIST label})
A .blob file is the PNGs one after the other, each preceded by its length in decimal and a
newline (what the wrk script reads).

The test set has 10,000 digits. Image n is test digit n % 10,000 in variant n // 10,000, where
a variant is the digit moved by a whole-pixel shift (up to 2 px on 28x28, 3-6 px on the
canvas) into empty background, so every file's bytes differ and its digit is unchanged. When
a shift would push ink off the edge, the digit stays in place and one corner pixel gets a faint
value instead (1-24 of 255: under the ink threshold, so preprocessing ignores it).
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
import os
import sys
from multiprocessing import Pool
from pathlib import Path

import numpy as np
from PIL import Image

SHIFTS = [(0, 0)] + [(dx, dy) for dy in (-1, 0, 1, -2, 2) for dx in (-1, 0, 1, -2, 2) if (dx, dy) != (0, 0)]
CANVAS_SCALE = 10


def read_idx(folder: Path, name: str) -> np.ndarray:
    for candidate in (folder / name, folder / f"{name}.gz"):
        if candidate.exists():
            raw = candidate.read_bytes()
            if candidate.suffix == ".gz":
                raw = gzip.decompress(raw)
            break
    else:
        sys.exit(f"MNIST file {name}[.gz] not found in {folder} (set MNIST_DIR)")
    magic = int.from_bytes(raw[:4], "big")
    dims = [int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(magic & 0xFF)]
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * len(dims)).reshape(dims)


def shifted(pixels: np.ndarray, dx: int, dy: int, background: int, variant: int) -> np.ndarray:
    """The image moved by (dx, dy) when only background leaves it; else marked in a corner."""
    if dx == dy == 0:
        return pixels.copy()
    h, w = pixels.shape
    leaving_rows = pixels[h - dy :] if dy > 0 else pixels[: -dy]
    leaving_cols = pixels[:, w - dx :] if dx > 0 else pixels[:, : -dx]
    if (leaving_rows == background).all() and (leaving_cols == background).all():
        out = np.full_like(pixels, background)
        out[max(0, dy) : h + min(0, dy), max(0, dx) : w + min(0, dx)] = pixels[
            max(0, -dy) : h - max(0, dy), max(0, -dx) : w - max(0, dx)
        ]
        return out
    out = pixels.copy()
    mark = variant % 24 + 1
    out[0, 0] = background + mark if background == 0 else background - mark
    return out


def png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def digit_png(args: tuple[np.ndarray, int]) -> bytes:
    pixels, variant = args
    dx, dy = SHIFTS[variant % len(SHIFTS)]
    return png(Image.fromarray(shifted(pixels, dx, dy, 0, variant), mode="L"))


def canvas_png(args: tuple[np.ndarray, int]) -> bytes:
    pixels, variant = args
    big = Image.fromarray(pixels, mode="L").resize(
        (28 * CANVAS_SCALE, 28 * CANVAS_SCALE), Image.Resampling.BILINEAR
    )
    # A pen stroke: solid in the middle, anti-aliased at the edges (not MNIST's soft grey).
    ink = np.clip((np.asarray(big, dtype=np.float32) - 64.0) * 2.0, 0.0, 255.0)
    grey = (255.0 - ink).round().astype(np.uint8)
    dx, dy = SHIFTS[variant % len(SHIFTS)]
    grey = shifted(grey, 3 * dx, 3 * dy, 255, variant)
    rgba = np.dstack([grey, grey, grey, np.full_like(grey, 255)])
    return png(Image.fromarray(rgba, mode="RGBA"))


def write_blob(path: Path, images: list[bytes]) -> None:
    with path.open("wb") as out:
        for data in images:
            out.write(b"%d\n" % len(data))
            out.write(data)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("mnist_dir", type=Path)
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--digits", type=int, default=60_000)
    parser.add_argument("--canvases", type=int, default=30_000)
    parser.add_argument("--agree", type=int, default=500)
    args = parser.parse_args()

    images = read_idx(args.mnist_dir, "t10k-images-idx3-ubyte")
    labels = read_idx(args.mnist_dir, "t10k-labels-idx1-ubyte")
    count = len(images)
    most = count * len(SHIFTS)
    if args.digits > most or args.canvases > most:
        sys.exit(f"at most {most} distinct images of each kind ({count} digits x {len(SHIFTS)} variants)")
    args.out_dir.mkdir(parents=True, exist_ok=True)

    with Pool(os.cpu_count() or 1) as pool:
        digits = pool.map(digit_png, ((images[n % count], n // count) for n in range(args.digits)), 500)
        write_blob(args.out_dir / "digits.blob", digits)
        canvases = pool.map(canvas_png, ((images[n % count], n // count) for n in range(args.canvases)), 100)
        write_blob(args.out_dir / "canvases.blob", canvases)
    (args.out_dir / "hit.png").write_bytes(canvas_png((images[0], 0)))

    # The agreement sample: distinct test digits spread over the set, half of each kind,
    # taken from the end of the test set so they are not the first files the runs send.
    agree = args.out_dir / "agree"
    agree.mkdir(exist_ok=True)
    truth = {}
    for k in range(args.agree):
        n = count - 1 - k * (count // max(args.agree, 1))
        name, data = (
            (f"digit-{n:05d}.png", digit_png((images[n], 0)))
            if k % 2 == 0
            else (f"canvas-{n:05d}.png", canvas_png((images[n], 0)))
        )
        (agree / name).write_bytes(data)
        truth[name] = int(labels[n])
    (agree / "labels.json").write_text(json.dumps(truth))

    sizes = {
        "digits": (len(digits), sum(map(len, digits))),
        "canvases": (len(canvases), sum(map(len, canvases))),
    }
    for kind, (n, total) in sizes.items():
        print(f"{kind}: {n} PNGs, {total / max(n, 1):.0f} bytes on average", file=sys.stderr)


if __name__ == "__main__":
    main()
