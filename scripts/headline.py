#!/usr/bin/env python3
"""The README's table of headline figures, from the pages of docs/ that hold them.

    python3 scripts/headline.py

Reads the blocks that the measuring scripts wrote (docs/footprint.md's goals and inference table,
docs/desktop-speed.md's goal, docs/shapes.md's evaluation and shapes, docs/sweep.md's recommended
setting) and rewrites the README's block `headline`
(scripts/docs_block.py), so that no figure there is copied by hand. CI runs it and fails if the
README changes.
"""
import os
import re
import subprocess
import sys


def block(path, name):
    text = open(path, encoding="utf-8").read()
    m = re.search(rf"^<!-- begin {re.escape(name)}: .*?-->\n(.*?)^<!-- end {re.escape(name)} -->$",
                  text, re.M | re.S)
    if not m or not m.group(1).strip():
        sys.exit(f"{path}: block {name} is missing or empty (run the script that writes it)")
    return m.group(1)


def find(pattern, text, where):
    m = re.search(pattern, text)
    if not m:
        sys.exit(f"{where}: no match for {pattern!r}")
    return m.groups()


def recommended(line):
    """The flags, the runs that learn and the median of the settings sweep's recommendation."""
    flags, k, n, median, worst = find(
        r"recommended: `([^`]*)`: (\d+) of (\d+) new seeds learn, median (\d+) iterations, "
        r"worst (\d+|never)", line, "docs/sweep.md, block settings-pick")
    return flags, int(k), int(n), median, worst


def main():
    os.chdir(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    goals = " ".join(block("docs/footprint.md", "goals").split())
    flash, ram = find(r"at most ([\d,]+) bytes of flash and ([\d,]+) bytes of RAM", goals, "goals")
    m4f, = find(r"([\d,]+) instructions per training iteration on the Cortex-M4F", goals, "goals")
    speed = " ".join(block("docs/desktop-speed.md", "goal").split())
    init_us, lo, hi = find(r"([\d.]+) µs from the initial weights.*?, ([\d.]+)–([\d.]+) of the C", speed, "goal")
    flags, k, n, median, worst = recommended(block("docs/sweep.md", "settings-pick"))
    m4f_eval, = find(r"\| Cortex-M4F \| [^\n]* \| ([\d.]+) \|\n", block("docs/footprint.md", "pretrained"),
                     "docs/footprint.md, block pretrained")
    desk_eval, = find(r"\| plain ÷ walk \| ([\d.]+)× \|", block("docs/shapes.md", "evaluation"),
                      "docs/shapes.md, block evaluation")
    shapes_block = block("docs/shapes.md", "shapes")
    missed = sorted({int(h) for h, ratio in re.findall(
        r"^\| (\d+) \| \d+ \| \d+ \| [\d.]+ \| [\d.]+ \| ([\d.]+) \|", shapes_block, re.M)
        if float(ratio) > 0.6})
    missed_text = f", not at `H` = {', '.join(map(str, missed))}" if missed else ""
    shapes = " ".join(shapes_block.split())
    s_lo, s_hi, s_met, s_all = find(r"training iteration takes ([\d.]+) to ([\d.]+) of C's time.*?"
                                    r"met at (\d+) of (\d+) shapes", shapes, "docs/shapes.md, block shapes")
    rows = [
        ("the course's setup, on the desktop and seven other targets",
         "100% of 16,384 pairs, weights checksum `0x6c7b1ab3` on every one",
         "[docs/testing.md](docs/testing.md)"),
        ("training firmware, `release`, four cores",
         f"at most {flash} B of flash and {ram} B of RAM (goals: 16 KiB, 6 KiB)",
         "[docs/footprint.md](docs/footprint.md)"),
        ("one training iteration on the Cortex-M4F",
         f"{m4f} instructions (goal: 30,000)", "[docs/footprint.md](docs/footprint.md)"),
        ("one training iteration on the desktop",
         f"{init_us} µs, {lo}–{hi} of the time of hand-written C (goals: 2 µs, 0.5)",
         "[docs/desktop-speed.md](docs/desktop-speed.md)"),
        ("evaluating all 16,384 pairs (the prefix walk)",
         f"{m4f_eval} times fewer instructions than one pass a pair on the Cortex-M4F, {desk_eval} "
         "times faster on the desktop (goal: 3)",
         "[docs/shapes.md](docs/shapes.md#evaluating-all-pairs)"),
        ("a training iteration at 20 shapes, `H` 4 to 64, `L` 8 to 64",
         f"{s_lo}–{s_hi} of the time of hand-written C; at most 0.6 (the goal) at {s_met} of "
         f"{s_all}{missed_text}",
         "[docs/shapes.md](docs/shapes.md#training-and-inference-at-every-shape)"),
        ("the fastest setting of the settings sweep, on 100 new seeds",
         f"`{flags}`: {k} of {n} runs learn all pairs, median {median} iterations, worst {worst} "
         "(goal: at least 99 of 100, median at most 400)",
         "[docs/sweep.md](docs/sweep.md#the-settings-that-learn-fastest)"),
    ]
    text = "| what | figure | where it is measured |\n| --- | --- | --- |\n" + "".join(
        f"| {a} | {b} | {c} |\n" for a, b, c in rows)
    subprocess.run([sys.executable, "scripts/docs_block.py", "README.md", "headline"],
                   input=text, text=True, check=True)


if __name__ == "__main__":
    main()
