#!/usr/bin/env python3
"""Write model/fixtures/parity.json: synthetic inputs and their ONNX Runtime logits.

    training/.venv/bin/python training/make_parity_fixture.py

For the Rust side's parity test (Burn vs. ONNX Runtime). The 16 inputs are NOT MNIST digits: they
are strokes, rings and arcs drawn with numpy (4x supersampled, box-downsampled, Gaussian-blurred,
quantised to uint8, white ink on black), a blank and a white image, and three kinds of noise. Each
case has

    pixels  784 uint8 values, row-major 28x28 (null for the one case made directly in float space)
    input   784 float32 values, row-major [1,28,28]: the tensor ONNX Runtime was fed, equal to
            (float32(pixel) / 255 - 0.1307) / 0.3081 computed in float32
    logits  the 10 float32 values ONNX Runtime returned (batch of 1), no softmax
    argmax  index of the largest logit

Every float is written as the shortest decimal that parses back to the same float32, so `input`
and `logits` are exact. Needs only numpy and onnxruntime (pinned in training/requirements.txt);
it is deterministic, so regenerating it for the same model gives the same file.
"""

from __future__ import annotations

import argparse
import hashlib
import json
from pathlib import Path

import numpy as np
import onnxruntime as ort

REPO = Path(__file__).resolve().parent.parent
MODEL = REPO / "model" / "trazo-mnist.onnx"
OUT = REPO / "model" / "fixtures" / "parity.json"
MEAN = np.float32(0.1307)
STD = np.float32(0.3081)
SS = 4  # supersampling factor for drawing
N = 28 * SS


def normalise(pixels: np.ndarray) -> np.ndarray:
    x = pixels.astype(np.float32) / np.float32(255.0)
    return (x - MEAN) / STD


def gaussian_blur(img: np.ndarray, sigma: float) -> np.ndarray:
    r = int(np.ceil(3 * sigma))
    k = np.exp(-0.5 * (np.arange(-r, r + 1) / sigma) ** 2)
    k /= k.sum()
    pad = np.pad(img, r)
    rows = np.stack([np.convolve(row, k, mode="valid") for row in pad])
    return np.stack([np.convolve(col, k, mode="valid") for col in rows.T]).T


def seg_dist(px: np.ndarray, py: np.ndarray, a, b) -> np.ndarray:
    ax, ay = a
    bx, by = b
    dx, dy = bx - ax, by - ay
    t = np.clip(((px - ax) * dx + (py - ay) * dy) / max(dx * dx + dy * dy, 1e-9), 0.0, 1.0)
    return np.hypot(px - (ax + t * dx), py - (ay + t * dy))


def draw(polylines: list[list[tuple[float, float]]], width: float = 2.2, sigma: float = 0.5) -> np.ndarray:
    """Polylines in 28x28 pixel coordinates (x right, y down) -> uint8 28x28 image."""
    c = (np.arange(N) + 0.5) / SS
    px, py = np.meshgrid(c, c)
    d = np.full((N, N), np.inf)
    for line in polylines:
        for a, b in zip(line[:-1], line[1:]):
            d = np.minimum(d, seg_dist(px, py, a, b))
    ink = (d <= width / 2).astype(np.float64)
    small = ink.reshape(28, SS, 28, SS).mean(axis=(1, 3))
    small = gaussian_blur(small, sigma)
    small = small / max(small.max(), 1e-9)
    return np.round(small * 255).astype(np.uint8)


def arc(cx, cy, rx, ry, a0, a1, n=48):
    t = np.deg2rad(np.linspace(a0, a1, n))
    return [(cx + rx * np.cos(u), cy + ry * np.sin(u)) for u in t]


def cases() -> list[tuple[str, np.ndarray | None, np.ndarray]]:
    rng = np.random.default_rng(7)
    drawn = {
        "horizontal_bar": draw([[(6, 14), (22, 14)]]),
        "vertical_bar_thick": draw([[(14, 5), (14, 23)]], width=3.5),
        "diagonal_thin": draw([[(7, 22), (21, 6)]], width=1.4),
        "ring": draw([arc(14, 14, 6, 8, 0, 360)]),
        "two_stacked_rings": draw([arc(14, 9.5, 4, 4, 0, 360), arc(14, 18.5, 5, 4.5, 0, 360)]),
        "cross_x": draw([[(8, 7), (20, 21)], [(20, 7), (8, 21)]]),
        "plus": draw([[(14, 6), (14, 22)], [(6, 14), (22, 14)]], width=2.8),
        "open_arc": draw([arc(14, 14, 7, 7, 200, 480)]),
        "zigzag": draw([[(6, 8), (12, 20), (16, 8), (22, 20)]]),
        "spiral": draw([[(14 + r * np.cos(r), 14 + r * np.sin(r)) for r in np.linspace(0.5, 9, 80)]]),
        "hook_off_centre": draw([[(4, 4), (12, 4), (12, 13)] + arc(9, 13, 3, 3, 0, 180)], width=2.6, sigma=0.8),
        "blank": np.zeros((28, 28), np.uint8),
        "all_white": np.full((28, 28), 255, np.uint8),
        "uniform_noise": rng.integers(0, 256, size=(28, 28), dtype=np.uint8),
        "sparse_salt_noise": (rng.random((28, 28)) < 0.08).astype(np.uint8) * 255,
    }
    out = [(name, px, normalise(px)) for name, px in drawn.items()]
    # One input straight in normalised space, beyond what any uint8 image can produce.
    out.append(("gaussian_noise_normalised", None, rng.normal(0.0, 1.5, size=(28, 28)).astype(np.float32)))
    return out


def f32s(values) -> list[float]:
    # str(np.float32) is the shortest decimal that round-trips to that float32.
    return [float(str(np.float32(v))) for v in np.asarray(values, dtype=np.float32).ravel()]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", type=Path, default=MODEL)
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args()
    so = ort.SessionOptions()
    so.intra_op_num_threads = 1
    sess = ort.InferenceSession(str(args.model), so, providers=["CPUExecutionProvider"])
    inp, outp = sess.get_inputs()[0].name, sess.get_outputs()[0].name
    items = cases()
    batch = np.stack([x[None] for _, _, x in items]).astype(np.float32)  # [16,1,28,28]
    batched = sess.run([outp], {inp: batch})[0]
    records = []
    for i, (name, pixels, x) in enumerate(items):
        logits = sess.run([outp], {inp: batch[i : i + 1]})[0][0]
        assert np.abs(logits - batched[i]).max() < 1e-5, name
        records.append(
            {
                "name": name,
                "shape": [1, 28, 28],
                "pixels": None if pixels is None else pixels.ravel().tolist(),
                "input": f32s(x),
                "logits": f32s(logits),
                "argmax": int(np.argmax(logits)),
            }
        )
        # exact round trip: the decimals parse back to the very float32 values ORT saw and returned
        assert np.array_equal(np.array(records[-1]["input"], dtype=np.float32), x.ravel())
        assert np.array_equal(np.array(records[-1]["logits"], dtype=np.float32), logits)
    header = {
        "about": "Synthetic (non-MNIST) inputs and ONNX Runtime reference logits for model/trazo-mnist.onnx; "
        "written by training/make_parity_fixture.py. input = (float32(pixel)/255 - mean)/std in float32, "
        "row-major [1,28,28], white ink on black. logits are raw (no softmax), batch of 1.",
        "model": "model/trazo-mnist.onnx",
        "model_sha256": hashlib.sha256(args.model.read_bytes()).hexdigest(),
        "onnxruntime": ort.__version__,
        "input_name": inp,
        "output_name": outp,
        "mean": 0.1307,
        "std": 0.3081,
        "suggested_tolerance": 1e-4,
    }
    out = args.out
    out.parent.mkdir(parents=True, exist_ok=True)
    lines = json.dumps(header, indent=2)[:-2]  # drop the closing "\n}"
    body = ",\n".join("    " + json.dumps(r, separators=(",", ":")) for r in records)
    out.write_text(f'{lines},\n  "cases": [\n{body}\n  ]\n}}\n')
    json.loads(out.read_text())  # well-formed
    print(f"wrote {out} ({out.stat().st_size:,} bytes, {len(records)} cases)")
    for r in records:
        print(f"  {r['name']:<28} argmax {r['argmax']}  max logit {max(r['logits']):8.3f}")


if __name__ == "__main__":
    main()
