#!/usr/bin/env python3
"""Writes what scripts/desktop-speed.sh measured into docs/desktop-speed.md.

    python3 scripts/desktop_speed_docs.py target/desktop-speed

Reads the outputs of scripts/bench.sh, scripts/baselines.sh (before and after the benchmarks)
and scripts/desktop-insns.sh from that folder and rewrites the blocks `bench`, `baselines`,
`goal` and `insns` (scripts/docs_block.py).
"""
import re
import subprocess
import sys

# The benchmarks of benches/train.rs, as docs/desktop-speed.md names them.
BENCHES = [
    ("train_iteration_2_16_1_L8_from_init",
     "one training iteration, 2-16-1, 8 steps (forward + BPTT + SGD), from the initial weights"),
    ("train_iteration_2_16_1_L8_halfway", "the same, from the weights after 5,000 iterations"),
    ("inference_2_16_1_L8_halfway", "inference over 8 steps"),
    ("sigmoid_in_place_x136",
     "the 136 sigmoids of an iteration, a hidden layer at a time (`activation::sigmoid_in_place`, "
     "as the crate computes them here)"),
    ("sigmoid_x136",
     "the same 136 sigmoids, one call each of the crate's scalar copy of `expf` "
     "(`activation::sigmoid`, as on a microcontroller)"),
    ("sigmoid_libm_x136", "the same 136 sigmoids, one `libm::expf` call each"),
    ("tanh_in_place_x128", "128 tanh, a hidden layer of 16 at a time (`Activation::apply_in_place`)"),
    ("tanh_x128", "the same 128 tanh, one `libm::tanhf` call each (`Activation::apply`)"),
]
INSNS = {
    "train-from-init": "one training iteration, from the initial weights",
    "train-halfway": "the same, from the weights after 5,000 iterations",
    "inference": "inference over 8 steps",
}
GOAL_US = 2.0
GOAL_RATIO = 0.5


def block(name, text):
    subprocess.run([sys.executable, "scripts/docs_block.py", "docs/desktop-speed.md", name],
                   input=text, text=True, check=True)


def us(ns):
    return f"{float(ns) / 1e3:.2f} µs"


def main():
    out = sys.argv[1]
    read = lambda f: open(f"{out}/{f}", encoding="utf-8").read()
    bench = {}
    for line in read("bench.txt").splitlines():
        m = re.match(r"^\| (\w+) \| (\d+) \| (\d+) \| (\d+) \|$", line)
        if m:
            bench[m.group(1)] = [int(m.group(k)) for k in (2, 3, 4)]
    missing = [n for n, _ in BENCHES if n not in bench]
    if missing:
        sys.exit(f"{out}/bench.txt lacks {', '.join(missing)}")
    model, cores, rustc = read("machine.txt").splitlines()[:3]
    runs = re.search(r"highest median of (\d+) runs", read("bench.txt")).group(1)
    rows = [f"| {label} | {us(bench[n][0])} | {us(bench[n][1])} | {us(bench[n][2])} |"
            for n, label in BENCHES]
    block("bench", f"Measured on {model}, {cores} cores, {rustc.split(' (')[0]}, release, no "
          f"`target-cpu` flags; the lowest, middle and highest of the medians of {runs} runs:\n\n"
          "| benchmark | lowest | middle | highest |\n| --- | ---: | ---: | ---: |\n"
          + "\n".join(rows) + "\n")

    def c_and_numpy(text):
        c = re.search(r"^C: lowest ([\d.]+), middle ([\d.]+), highest ([\d.]+) µs", text, re.M)
        n = re.search(r"^numpy ([\d.]+): (\d+) µs per iteration$", text, re.M)
        gcc = text.splitlines()[0].rstrip(":")
        if not c or not n:
            sys.exit(f"{out}: no C or numpy timing in the baselines' output")
        return [float(x) for x in c.groups()], n.group(1), int(n.group(2)), gcc

    (c0, numpy_version, n0, gcc), (c1, _, n1, _) = c_and_numpy(read("before.txt")), c_and_numpy(read("after.txt"))
    init, half = bench[BENCHES[0][0]][1] / 1e3, bench[BENCHES[1][0]][1] / 1e3
    cs = lambda c: ", ".join(f"{x:.2f}" for x in c)
    block("baselines",
          "| the same training iteration (2-16-1, 8 steps, from normal initial weights) | µs |\n"
          "| --- | ---: |\n"
          f"| tinyrnn (above, middle of {runs}) | {init:.2f} |\n"
          f"| written by hand in C, `benches/baseline/rnn.c`, {gcc} (lowest, middle, highest of five; "
          f"just before tinyrnn's runs, then just after) | {cs(c0)}; {cs(c1)} |\n"
          f"| the course's algorithm in numpy {numpy_version}, float64, as `scripts/course_slip.py` "
          f"writes it, timed by `scripts/baseline_numpy.py` (just before, then just after) | {n0}, {n1} |\n")
    worst = max(init, half)
    ratios = sorted(x / c for x in (init, half) for c in (c0[1], c1[1]))
    met = worst <= GOAL_US and ratios[-1] <= GOAL_RATIO
    block("goal",
          f"**The goal (at most {GOAL_US:g} µs per iteration and at most {GOAL_RATIO:g} of the C version's "
          f"time) is {'met' if met else 'not met'}:** {init:.2f} µs from the initial weights and "
          f"{half:.2f} µs from the half-way ones (middles of {runs}), {ratios[0]:.2f}–{ratios[-1]:.2f} of "
          f"the C version's time ({c0[1]:.2f} and {c1[1]:.2f} µs, middles of five just before and just "
          f"after). The highest of the {runs} runs from the initial weights took "
          f"{bench[BENCHES[0][0]][2] / 1e3:.2f} µs.\n")
    rows = []
    for line in read("insns.txt").splitlines():
        m = re.match(r"^\| ([a-z-]+) \| (\d+) \| ([\d.]+) \|$", line)
        if m and m.group(1) in INSNS:
            rows.append(f"| {INSNS[m.group(1)]} | {int(m.group(2)):,} | {m.group(3)} |")
        elif line.startswith("| work ("):
            head = line.split(" | ")[0]
    if len(rows) != len(INSNS):
        sys.exit(f"{out}/insns.txt lacks a count")
    block("insns", f"{head} | instructions | mispredicted branches (cachegrind's simulated predictor) |\n"
          "| --- | ---: | ---: |\n" + "\n".join(rows) + "\n")


if __name__ == "__main__":
    main()
