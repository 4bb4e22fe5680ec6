#!/usr/bin/env python3
"""Instructions per source function, from the `tb` lines of the qemu-insncount plugin's profile
mode: each translation block's instructions (found with llvm-objdump) are mapped to source
functions with addr2line (inlined frames included) and weighted by how often the block ran.

    python3 scripts/profile.py ELF INSN_LOG OBJDUMP ITERATIONS [DEPTH]

Prints, per function (innermost tinyrnn, libm or firmware frame, and DEPTH - 1 of its callers),
the instructions it executed per iteration. Used by scripts/firmware-profile.sh.
"""
import bisect
import collections
import re
import subprocess
import sys

elf, log, objdump, iterations = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
depth = int(sys.argv[5]) if len(sys.argv) > 5 else 1

disasm = subprocess.check_output([objdump, "-d", "--no-show-raw-insn", "-C", elf], text=True)
insns = sorted({int(m.group(1), 16) for m in re.finditer(r"^\s*([0-9a-f]+):\s+\t[a-z]", disasm, re.M)})
# The enclosing symbol of each address, for code without debug information (compiler-builtins).
symbols = sorted((int(m.group(1), 16), m.group(2)) for m in re.finditer(r"^([0-9a-f]+) <(.*)>:$", disasm, re.M))
symbol_starts = [a for a, _ in symbols]


def enclosing_symbol(a):
    i = bisect.bisect_right(symbol_starts, a) - 1
    return symbols[i][1] if i >= 0 else "?"


def short(name):
    """`tinyrnn::train::<impl tinyrnn::model::Rnn<_,_,_>>::backward` -> `tinyrnn::train::Rnn::backward`."""
    while True:
        shorter = re.sub(r"<(?!impl )[^<>]*>", "", name)
        shorter = re.sub(r"<impl (?:[\w:]*::)?(\w+)>", r"\1", shorter)
        if shorter == name:
            return name
        name = shorter


hits = collections.Counter()
total = 0
for line in open(log):
    if line.startswith("tb "):
        _, va, n, h = line.split()
        va, n, h = int(va, 16), int(n), int(h)
        i = bisect.bisect_left(insns, va)
        for a in insns[i : i + n]:
            hits[a] += h
        total += n * h

addrs = sorted(hits)
out = subprocess.run(
    ["addr2line", "-a", "-i", "-f", "-C", "-e", elf],
    input="\n".join(hex(a) for a in addrs),
    capture_output=True,
    text=True,
    check=True,
).stdout

OURS = ("tinyrnn", "libm::", "<tinyrnn", "<libm")
frames_of = {}
current = None
for line in out.splitlines():
    if line.startswith("0x"):
        current = int(line, 16)
        frames_of[current] = []
    elif current is not None and not line.startswith("/") and not line.startswith("??:"):
        frames_of[current].append(line)

by_function = collections.Counter()
for a in addrs:
    frames = frames_of.get(a, [])
    ours = [f for f in frames if f.startswith(OURS)]
    if ours:
        key = " < ".join(short(f) for f in ours[:depth])
    else:
        key = short(enclosing_symbol(a))
    by_function[key] += hits[a]

print(f"{total / iterations:,.0f} instructions per iteration")
print()
print("| instructions / iteration | share | function (innermost first) |")
print("| ---: | ---: | --- |")
for key, n in by_function.most_common(40):
    print(f"| {n / iterations:,.0f} | {100 * n / total:.1f}% | `{key}` |")
