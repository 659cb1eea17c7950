"""trazo's preprocessing (model/src/preprocess.rs), step for step in numpy and Pillow.

Uploaded bytes -> the centred 28x28 MNIST-style image and the normalised model input:

1. decode (PNG, JPEG or GIF by content; GIF: first frame), apply the EXIF orientation, and turn
   the pixels into grey + alpha the way Rust's `image` crate does (BT.709 luma in f32, see
   `_luma`; not Pillow's ITU-R 601 weights);
2. composite onto white (onto black instead when that finds no ink and the image has
   transparency);
3. polarity from the median of the border pixels (>= 128: dark ink on light paper, inverted);
   background and strongest ink stretched to 0 and 1; no digit when they differ by < 32 levels;
4. crop to the bounding box of pixels at >= 20 % of the ink span that have an 8-neighbour that
   is too (specks do not count);
5. area-average resize so the longer side is 20 px, keeping the aspect ratio;
6. place on 28x28, shifted by whole pixels so the centre of mass is nearest (14, 14);
7. quantise to 8 bits, then (p / 255 - 0.1307) / 0.3081 in float32.

Every arithmetic step uses the same types, rounding and summation order as the Rust code (f32
where it uses f32, sequential sums), so both give bit-identical 28x28 images for the same PNG.
"""

from __future__ import annotations

import io
import math
from functools import lru_cache

import numpy as np
from PIL import Image, ImageOps

SIDE = 28
FIT = 20
CENTRE = np.float32(14.0)
INK_THRESHOLD = np.float32(0.2)
MIN_CONTRAST = 32
MNIST_MEAN = np.float32(0.1307)
MNIST_STD = np.float32(0.3081)
MAX_SIDE = 4096
MAX_GIF_SIDE = 2048
PREPROCESS_VERSION = 1

Image.MAX_IMAGE_PIXELS = MAX_SIDE * MAX_SIDE


class PreprocessError(Exception):
    """An upload that cannot become model input (the message is for the person)."""


class UnsupportedType(PreprocessError):
    pass


class Undecodable(PreprocessError):
    pass


class TooLarge(PreprocessError):
    pass


class NoDigit(PreprocessError):
    pass


def sniff(data: bytes) -> str | None:
    """PNG, JPEG or GIF by magic bytes, as trazo does."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if data.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if data.startswith(b"GIF87a") or data.startswith(b"GIF89a"):
        return "GIF"
    return None


def _round(x: float) -> int:
    """Rust's f32::round for the values used here: half away from zero."""
    return math.floor(x + 0.5) if x >= 0 else -math.floor(-x + 0.5)


# The `image` crate (0.25.10) turns RGB into luma through f32: each channel times 1/255, then
# 0 + R kr + G kg + B kb (no fused multiply-add on a generic x86-64 build), then round(x 255).
# kr, kg, kb are the Y row of the sRGB (BT.709 primaries, D65) RGB -> XYZ matrix as moxcms
# 0.8.1 derives it in f32, not the rounded 0.2126 / 0.7152 / 0.0722; these are those f32 values
# (checked against trazo on colours where the two differ).
LUMA_COEFFICIENTS = (np.float32(0.21264784), np.float32(0.7151792), np.float32(0.07217304))
TO_UNIT = np.float32(1.0) / np.float32(255.0)


def _luma(rgb: np.ndarray) -> np.ndarray:
    """The `image` crate's RGB(A) -> luma for 8-bit channels."""
    r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    if np.array_equal(r, g) and np.array_equal(g, b):
        return r  # grey already (a canvas, a scan saved as RGB): the f32 formula gives R back
    kr, kg, kb = LUMA_COEFFICIENTS
    luma = (r.astype(np.float32) * TO_UNIT) * kr
    luma = luma + (g.astype(np.float32) * TO_UNIT) * kg
    luma = luma + (b.astype(np.float32) * TO_UNIT) * kb
    scaled = (luma * np.float32(255.0)).astype(np.float64)
    return np.clip(np.floor(scaled + 0.5), 0, 255).astype(np.uint8)


def _to_8bit(values: np.ndarray) -> np.ndarray:
    return ((values.astype(np.uint32) * 255 + 32767) // 65535).astype(np.uint8)


def decode(data: bytes) -> tuple[np.ndarray, np.ndarray | None]:
    """Grey levels and alpha (None when opaque) of the first frame, EXIF orientation applied."""
    kind = sniff(data)
    if kind is None:
        raise UnsupportedType("unsupported image type (PNG, JPEG or GIF expected)")
    try:
        image = Image.open(io.BytesIO(data), formats=[kind])
        limit = MAX_GIF_SIDE if kind == "GIF" else MAX_SIDE
        if image.width > limit or image.height > limit:
            raise TooLarge("the image is too large")
        if kind != "GIF" and "exif" in image.info:
            image = ImageOps.exif_transpose(image)
        mode = image.mode
        if mode == "L":
            return np.asarray(image), None
        if mode == "LA":
            pixels = np.asarray(image)
            return pixels[..., 0], pixels[..., 1]
        if mode == "RGB":
            return _luma(np.asarray(image)), None
        if mode == "RGBA":
            pixels = np.asarray(image)
            return _luma(pixels), pixels[..., 3]
        if mode.startswith("I;16") or mode == "I":
            return _to_8bit(np.asarray(image).astype(np.uint32) & 0xFFFF), None
        if mode == "1":
            return np.asarray(image.convert("L")), None
        pixels = np.asarray(image.convert("RGBA"))
        return _luma(pixels), pixels[..., 3]
    except PreprocessError:
        raise
    except Image.DecompressionBombError as error:
        raise TooLarge("the image is too large") from error
    except Exception as error:  # Pillow raises many kinds for damaged files
        raise Undecodable(f"the image cannot be decoded: {error}") from error


def composite(gray: np.ndarray, alpha: np.ndarray, background: int) -> np.ndarray:
    """Rounded integer alpha blend over a plain background, as trazo's `composite`."""
    g = gray.astype(np.uint32)
    a = alpha.astype(np.uint32)
    return ((g * a + background * (255 - a) + 127) // 255).astype(np.uint8)


def border_median(gray: np.ndarray) -> int:
    """The lower median of the outermost rows and columns."""
    height, width = gray.shape
    if height == 1:
        border = gray[0]
    else:
        parts = [gray[0], gray[-1], gray[1:-1, 0]]
        if width > 1:
            parts.append(gray[1:-1, -1])
        border = np.concatenate(parts)
    count = border.size
    return int(np.partition(border, (count + 1) // 2 - 1)[(count + 1) // 2 - 1])


@lru_cache(maxsize=4096)
def _area_weights(source: int, target: int) -> tuple[np.ndarray, np.ndarray]:
    """Per output index, the source indices it covers and their weights, padded with weight 0."""
    ratio = source / target
    taps = []
    for o in range(target):
        start, end = o * ratio, (o + 1) * ratio
        first, last = math.floor(start), min(math.ceil(end), source)
        row = []
        for i in range(first, last):
            overlap = min(end, i + 1.0) - max(start, float(i))
            if overlap > 1e-9:
                row.append((i, np.float32(overlap / ratio)))
        taps.append(row)
    width = max(len(row) for row in taps)
    index = np.zeros((width, target), dtype=np.intp)
    weight = np.zeros((width, target), dtype=np.float32)
    for o, row in enumerate(taps):
        for k, (i, w) in enumerate(row):
            index[k, o], weight[k, o] = i, w
    return index, weight


def resize_area(plane: np.ndarray, width: int, height: int) -> np.ndarray:
    """Area-averaging resize in f32, summing each pixel's taps in order (as the Rust loop)."""
    columns, column_weights = _area_weights(plane.shape[1], width)
    horizontal = np.zeros((plane.shape[0], width), dtype=np.float32)
    for index, weight in zip(columns, column_weights):
        horizontal = horizontal + plane[:, index] * weight
    rows, row_weights = _area_weights(plane.shape[0], height)
    out = np.zeros((height, width), dtype=np.float32)
    for index, weight in zip(rows, row_weights):
        out = out + horizontal[index, :] * weight[:, None]
    return out


def fit_size(width: int, height: int) -> tuple[int, int]:
    def scale(short: int, long: int) -> int:
        return min(max(_round(float(np.float32(short * FIT) / np.float32(long))), 1), FIT)

    return (FIT, scale(height, width)) if width >= height else (scale(width, height), FIT)


def place_by_centre_of_mass(ink: np.ndarray) -> np.ndarray:
    height, width = ink.shape
    values = ink.astype(np.float64).ravel()
    # np.cumsum adds in order, like the Rust loop (np.sum would add pairwise).
    mass = np.cumsum(values)[-1]
    if not mass > 0.0:
        raise NoDigit("no digit found in the image")
    xs = np.tile(np.arange(width, dtype=np.float64), height)
    ys = np.repeat(np.arange(height, dtype=np.float64), width)
    cx = np.float32(np.cumsum(values * xs)[-1] / mass)
    cy = np.float32(np.cumsum(values * ys)[-1] / mass)

    def offset(centre: np.float32, size: int) -> int:
        return int(min(max(_round(float(CENTRE - centre)), 0), max(SIDE - size, 0)))

    ox, oy = offset(cx, width), offset(cy, height)
    field = np.zeros((SIDE, SIDE), dtype=np.float32)
    field[oy : oy + height, ox : ox + width] = ink
    return field


def from_gray(gray: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Opaque grey image (either polarity) -> (28x28 uint8 image, 1x1x28x28 float32 input)."""
    height, width = gray.shape
    if width == 0 or height == 0:
        raise NoDigit("no digit found in the image")
    border = border_median(gray)
    dark_on_light = border >= 128
    ink = 255 - gray if dark_on_light else gray
    background = 255 - border if dark_on_light else border
    peak = int(ink.max())
    if peak < min(background + MIN_CONTRAST, 255):
        raise NoDigit("no digit found in the image")
    span = np.float32(peak - background)
    threshold = int(min(np.float32(background) + np.ceil(INK_THRESHOLD * span), np.float32(255.0)))

    on = ink >= threshold
    padded = np.pad(on, 1)
    neighbour = np.zeros_like(on)
    for dy in (0, 1, 2):
        for dx in (0, 1, 2):
            if (dy, dx) != (1, 1):
                neighbour |= padded[dy : dy + height, dx : dx + width]
    counted = on & neighbour
    rows = np.flatnonzero(counted.any(axis=1))
    if rows.size == 0:
        raise NoDigit("no digit found in the image")
    cols = np.flatnonzero(counted.any(axis=0))
    y0, y1, x0, x1 = rows[0], rows[-1] + 1, cols[0], cols[-1] + 1

    crop = ink[y0:y1, x0:x1].astype(np.float32)
    strength = np.clip((crop - np.float32(background)) / span, np.float32(0.0), np.float32(1.0))
    fit_w, fit_h = fit_size(x1 - x0, y1 - y0)
    scaled = resize_area(strength, fit_w, fit_h)
    field = place_by_centre_of_mass(scaled)
    levels = (field * np.float32(255.0)).astype(np.float64)
    image = np.clip(np.floor(levels + 0.5), 0, 255).astype(np.uint8)
    if not image.any():
        raise NoDigit("no digit found in the image")
    normalised = (image.astype(np.float32) / np.float32(255.0) - MNIST_MEAN) / MNIST_STD
    return image, normalised.reshape(1, 1, SIDE, SIDE)


def preprocess(data: bytes) -> tuple[np.ndarray, np.ndarray]:
    """Uploaded bytes -> (28x28 uint8 image, model input); raises a PreprocessError."""
    gray, alpha = decode(data)
    if alpha is None or alpha.min() == 255:
        return from_gray(gray)
    try:
        return from_gray(composite(gray, alpha, 255))
    except NoDigit:
        # Light strokes on a transparent canvas vanish on white; try the other background.
        return from_gray(composite(gray, alpha, 0))
