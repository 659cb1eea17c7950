"""Sends the same images to trazo and to the peer and compares their answers.

    python agree.py DIR TRAZO_URL PEER_URL   (tokens in TRAZO_TOKEN and PEER_TOKEN)

DIR holds PNGs and labels.json ({file: MNIST label}), as images.py writes them. For each file
both services get the same bytes (POST /api/predict, multipart field "file"); compared are the
digit, the 28x28 image each says its model saw (the "image" data URL; equal means the two
preprocessings agreed to the last bit) and the probabilities. Prints a summary to stderr and
one line "RESULT {json}" to stdout; exits 1 when the digits agree on fewer than MIN_AGREEMENT
(0.99) of the files or a request fails.
"""

from __future__ import annotations

import base64
import io
import json
import os
import sys
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
from PIL import Image


def predict(base: str, token: str, name: str, data: bytes) -> dict:
    boundary = "agree-" + uuid.uuid4().hex
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
        "Content-Type: image/png\r\n\r\n"
    ).encode() + data + f"\r\n--{boundary}--\r\n".encode()
    request = urllib.request.Request(
        base + "/api/predict",
        data=body,
        method="POST",
        headers={
            "Authorization": f"Bearer {token}",
            "Content-Type": f"multipart/form-data; boundary={boundary}",
        },
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.load(response)


def pixels(data_url: str) -> np.ndarray:
    raw = base64.b64decode(data_url.split(",", 1)[1])
    return np.asarray(Image.open(io.BytesIO(raw)).convert("L"))


def main() -> None:
    folder, trazo, peer = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
    minimum = float(os.environ.get("MIN_AGREEMENT", "0.99"))
    labels = json.loads((folder / "labels.json").read_text())
    names = sorted(labels)

    def both(name: str) -> tuple[str, dict, dict]:
        data = (folder / name).read_bytes()
        return (
            name,
            predict(trazo, os.environ["TRAZO_TOKEN"], name, data),
            predict(peer, os.environ["PEER_TOKEN"], name, data),
        )

    with ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(both, names))

    same_digit = same_image = trazo_right = peer_right = 0
    worst_probability = 0.0
    disagreements = []
    for name, a, b in answers:
        same_digit += a["prediccion"] == b["prediccion"]
        trazo_right += a["prediccion"] == labels[name]
        peer_right += b["prediccion"] == labels[name]
        same_image += np.array_equal(pixels(a["image"]), pixels(b["image"]))
        difference = np.abs(np.array(a["probabilities"]) - np.array(b["probabilities"])).max()
        worst_probability = max(worst_probability, float(difference))
        if a["prediccion"] != b["prediccion"]:
            disagreements.append(f"{name}: trazo {a['prediccion']}, peer {b['prediccion']}, label {labels[name]}")
    n = len(answers)
    result = {
        "images": n,
        "same_digit": same_digit,
        "agreement": same_digit / n,
        "same_28x28": same_image,
        "max_probability_difference": worst_probability,
        "trazo_accuracy": trazo_right / n,
        "peer_accuracy": peer_right / n,
    }
    print(
        f"agreement: {same_digit}/{n} same digit ({100 * same_digit / n:.1f} %), "
        f"{same_image}/{n} identical 28x28 model inputs, largest probability difference "
        f"{worst_probability:.2e}; against the MNIST labels trazo {trazo_right}/{n}, peer {peer_right}/{n}",
        file=sys.stderr,
    )
    for line in disagreements:
        print("  differs: " + line, file=sys.stderr)
    print("RESULT " + json.dumps(result))
    if same_digit / n < minimum:
        sys.exit(f"agreement {same_digit / n:.3f} is below {minimum}")


if __name__ == "__main__":
    main()
