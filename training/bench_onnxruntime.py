#!/usr/bin/env python3
"""Benchmark model/trazo-mnist.onnx in ONNX Runtime on synthetic inputs; print a markdown table.

    training/.venv/bin/python training/bench_onnxruntime.py [--threads 1|2] [--quick]

Measures single-image latency (median, p99, mean over --runs calls after --warmup calls) and batch
throughput (images/s) for batch sizes 1, 16, 64 and 256, with intra_op_num_threads = --threads and
sequential execution. A reference point for what the Rust/Burn service should approach; inputs are
random normal float32 (the cost of this network does not depend on the values). On a machine shared
with other work, numbers vary; run it when the machine is quiet for figures worth quoting.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time
from pathlib import Path

import numpy as np
import onnxruntime as ort

REPO = Path(__file__).resolve().parent.parent


def cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", type=Path, default=REPO / "model" / "trazo-mnist.onnx")
    ap.add_argument("--threads", type=int, default=1, choices=[1, 2], help="intra_op_num_threads")
    ap.add_argument("--runs", type=int, default=2000, help="timed single-image calls")
    ap.add_argument("--warmup", type=int, default=200)
    ap.add_argument("--seconds", type=float, default=3.0, help="time spent per batch size for throughput")
    ap.add_argument("--batch-sizes", default="1,16,64,256")
    ap.add_argument("--quick", action="store_true", help="fewer runs (500) and 1 s per batch size")
    args = ap.parse_args()
    if args.quick:
        args.runs, args.warmup, args.seconds = 500, 50, 1.0

    so = ort.SessionOptions()
    so.intra_op_num_threads = args.threads
    so.inter_op_num_threads = 1
    so.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    sess = ort.InferenceSession(str(args.model), so, providers=["CPUExecutionProvider"])
    inp, outp = sess.get_inputs()[0].name, sess.get_outputs()[0].name
    rng = np.random.default_rng(0)

    # Single-image latency.
    x1 = rng.normal(size=(1, 1, 28, 28)).astype(np.float32)
    for _ in range(args.warmup):
        sess.run([outp], {inp: x1})
    lat = []
    for _ in range(args.runs):
        t = time.perf_counter_ns()
        sess.run([outp], {inp: x1})
        lat.append((time.perf_counter_ns() - t) / 1e3)  # microseconds
    lat.sort()
    median = statistics.median(lat)
    p99 = lat[min(len(lat) - 1, int(round(0.99 * len(lat))) - 1)]
    mean = statistics.fmean(lat)

    # Batch throughput.
    rows = []
    for bs in [int(b) for b in args.batch_sizes.split(",")]:
        xb = rng.normal(size=(bs, 1, 28, 28)).astype(np.float32)
        for _ in range(max(3, 200 // bs)):
            sess.run([outp], {inp: xb})
        calls, t0 = 0, time.perf_counter()
        while True:
            sess.run([outp], {inp: xb})
            calls += 1
            el = time.perf_counter() - t0
            if el >= args.seconds and calls >= 5:
                break
        rows.append((bs, calls, el / calls * 1e3, bs * calls / el))

    try:
        nproc = len(os.sched_getaffinity(0))
    except AttributeError:
        nproc = os.cpu_count()
    print(f"\nONNX Runtime {ort.__version__}, {args.model.name}, intra_op_num_threads={args.threads}, "
          f"CPU \"{cpu_name()}\", nproc {nproc}, load average {os.getloadavg()[0]:.2f}\n")
    print("| single image (batch 1) | median | p99 | mean |")
    print("| --- | ---: | ---: | ---: |")
    print(f"| latency over {args.runs} runs | {median:.0f} µs | {p99:.0f} µs | {mean:.0f} µs |")
    print()
    print("| batch size | calls | ms per call | images/s |")
    print("| ---: | ---: | ---: | ---: |")
    for bs, calls, ms, ips in rows:
        print(f"| {bs} | {calls} | {ms:.2f} | {ips:,.0f} |")


if __name__ == "__main__":
    main()
