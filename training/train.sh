#!/usr/bin/env bash
# The one command: bash training/train.sh
# Creates training/.venv if missing, installs the pinned requirements, trains (about 20 min on
# 2 cores), exports model/trazo-mnist.onnx, writes model/MODEL_CARD.md, regenerates
# model/fixtures/parity.json and the model's Burn code (`make model`: model/src/generated/). Extra arguments go to train.py (see: training/train.py --help).
# MNIST comes from $MNIST_DIR (default ../shared/mnist, relative to the repository root).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
venv=training/.venv
if [[ ! -x $venv/bin/python ]]; then
    python3 -m venv "$venv"
fi
"$venv/bin/pip" install --quiet --disable-pip-version-check -r training/requirements.txt
nice -n 19 "$venv/bin/python" training/train.py "$@"
nice -n 19 "$venv/bin/python" training/make_parity_fixture.py
make model
