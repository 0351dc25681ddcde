#!/usr/bin/env python3
"""Prints the table of `cargo bench --bench channels`: median throughput per
workload and channel (millions of messages per second), then chanviz's ratio
against each anchor (> 1 means chanviz is faster) and the cost of a listening
subscriber.

Usage: python3 benches/bench_table.py [target/criterion]

It reads criterion's `<group>/<function>/new/{benchmark,estimates}.json`.
"""
import json
import os
import sys

WORKLOADS = ["spsc-1024-mt2", "spsc-1024-ct", "spsc-1-mt2", "mpsc4-1024-mt2", "mpmc4x4-1024-mt2"]
CHANNELS = ["chanviz", "chanviz+subscriber", "chanviz+probe", "kanal", "flume", "async-channel", "tokio-mpsc", "thingbuf"]
ANCHORS = ["kanal", "flume", "async-channel", "tokio-mpsc", "thingbuf"]


def load(root):
    """{(workload, channel): million messages per second, from the median}"""
    found = {}
    for dirpath, _dirs, files in os.walk(root):
        if os.path.basename(dirpath) != "new" or "benchmark.json" not in files:
            continue
        with open(os.path.join(dirpath, "benchmark.json")) as f:
            bench = json.load(f)
        with open(os.path.join(dirpath, "estimates.json")) as f:
            est = json.load(f)
        elements = (bench.get("throughput") or {}).get("Elements")
        if not elements:
            continue
        # Criterion's estimates are nanoseconds per iteration.
        median_ns = est["median"]["point_estimate"]
        name = bench.get("function_id") or bench.get("value_str")
        found[(bench["group_id"], name)] = elements / median_ns * 1e3
    return found


def fmt(x, digits=1):
    return "n/a" if x is None else f"{x:.{digits}f}"


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else "target/criterion"
    data = load(root)
    if not data:
        sys.exit(f"no criterion results with a throughput under {root}")
    print("Throughput, millions of messages per second (median)\n")
    print("| channel | " + " | ".join(WORKLOADS) + " |")
    print("|---" * (len(WORKLOADS) + 1) + "|")
    for ch in CHANNELS:
        cells = [fmt(data.get((w, ch))) for w in WORKLOADS]
        print(f"| {ch} | " + " | ".join(cells) + " |")
    print("\nchanviz / anchor (median throughput ratio; > 1: chanviz is faster)\n")
    print("| anchor | " + " | ".join(WORKLOADS) + " |")
    print("|---" * (len(WORKLOADS) + 1) + "|")
    for anchor in ANCHORS:
        cells = []
        for w in WORKLOADS:
            ours, theirs = data.get((w, "chanviz")), data.get((w, anchor))
            cells.append(fmt(ours / theirs, 2) if ours and theirs else "n/a")
        print(f"| {anchor} | " + " | ".join(cells) + " |")
    print("\nObserved / unobserved chanviz (median throughput ratio)\n")
    print("| observer | " + " | ".join(WORKLOADS) + " |")
    print("|---" * (len(WORKLOADS) + 1) + "|")
    for observed in ["chanviz+subscriber", "chanviz+probe"]:
        cells = []
        for w in WORKLOADS:
            obs, plain = data.get((w, observed)), data.get((w, "chanviz"))
            cells.append(fmt(obs / plain, 2) if obs and plain else "n/a")
        print(f"| {observed} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
