#!/usr/bin/env python3
"""The README's table of headline figures, from the pages of docs/ that hold them.

    python3 scripts/headline.py

Reads the blocks that the measuring scripts wrote (docs/footprint.md's goals and inference table,
docs/desktop-speed.md's goal, docs/shapes.md's evaluation and shapes, docs/sweep.md's recommended
setting) and rewrites the README's block `headline` with scripts/docs_block.py, so that no
figure there is copied by hand. CI runs it and fails if the README changes.
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
    fx = " ".join(block("docs/footprint.md", "fixed-goals").split())
    fx_m0, fx_m0_f32 = find(r"Cortex-M0: (?:NOT )?met\.\*\* ([\d,]+) instructions per iteration \(goal 60,000; f32 ([\d,]+)\)", fx, "fixed-goals")
    fx_m3, = find(r"Cortex-M3: (?:NOT )?met\.\*\* ([\d,]+) ", fx, "fixed-goals")
    fx_rv, = find(r"RV32IMAC: (?:NOT )?met\.\*\* ([\d,]+) ", fx, "fixed-goals")
    fx_flash, fx_ram = find(r"([\d,]+) bytes of flash \(goal 12,288\) and ([\d,]+) of RAM", fx, "fixed-goals")
    met = lambda n, goal: int(n.replace(",", "")) <= goal
    time_verdict = "met" if met(fx_m0, 60000) and met(fx_m3, 45000) and met(fx_rv, 45000) else "not met"
    sweep_fx = block("docs/sweep.md", "fixed-goal")
    fx_changes = re.findall(r"\*\*(met|NOT met)\.\*\* (\d+) of (\d+) learn in fixed point .*?\(([-+][\d.]+%)\)", sweep_fx)
    if len(fx_changes) != 2:
        sys.exit("docs/sweep.md, block fixed-goal: expected two setups")
    fx_learn = " and ".join(f"{k} of {n}" for _, k, n, _ in fx_changes)
    fx_med = " and ".join(c for *_, c in fx_changes)
    fx_verdict = "met" if all(v == "met" for v, *_ in fx_changes) else "not met"
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
        ("training in fixed point, on cores without an FPU",
         f"{fx_m0} instructions per iteration on the Cortex-M0 (f32: {fx_m0_f32}), {fx_m3} on the M3, "
         f"{fx_rv} on the RV32IMAC (goals 60,000, 45,000, 45,000: {time_verdict}); {fx_flash} B of "
         f"flash and {fx_ram} B of RAM on the M0 (goals: 12 KiB, 4 KiB)",
         "[docs/footprint.md](docs/footprint.md#fixed-point-training-without-a-floating-point-unit)"),
        ("fixed point beside f32, the same 20 seeds of the course's setup and of tanh + Xavier",
         f"{fx_learn} learn all pairs, median iterations {fx_med} against f32's (goal: at least 19 "
         f"of 20, within 10%: {fx_verdict})",
         "[docs/sweep.md](docs/sweep.md#fixed-point-beside-f32)"),
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
