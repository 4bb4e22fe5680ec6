#!/usr/bin/env python3
"""Exact integer reference values for the fixed-point path (`tinyrnn::fixed`).

    python3 tests/reference/fixed_generate.py > tests/reference/fixed_vectors.rs && cargo fmt

An independent implementation of the arithmetic that src/fixed/mod.rs documents, in Python's
unbounded integers: `>>` rounds down (towards -inf) as an arithmetic shift does, `//` is floor
division, and no value can overflow, so the Rust code (in i16, i32 and i64) must give the same
integers to the last bit. It reads the sigmoid and tanh tables from src/fixed/tables.rs (their
entries are checked against libm by the crate's unit tests); everything else is written here from
the formulas. Each case: a model (weights drawn from a fixed linear congruential generator), a
window of inputs and targets, and what the crate must compute: the trace, the loss, the
gradients, and the weights after three training steps (the bits below each weight carried from
step to step).
"""
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
tables = {
    name: [int(v) for v in re.findall(r"\d+", body)]
    for name, body in re.findall(
        r"static (\w+): \[u16; 257\] = \[(.*?)\];",
        (ROOT / "src/fixed/tables.rs").read_text(),
        re.S,
    )
}
SIG, TANH = tables["SIGMOID"], tables["TANH"]
assert len(SIG) == 257 and len(TANH) == 257


def clamp(v, lo, hi):
    return max(lo, min(hi, v))


def interp(table, a, shift):
    i, frac = a >> shift, a & ((1 << shift) - 1)
    if i >= 256:
        return table[256]
    return table[i] + (((table[i + 1] - table[i]) * frac + (1 << (shift - 1))) >> shift)


def sigmoid_q(u):
    r = interp(SIG, abs(u), 14)
    return 32768 - r if u < 0 else min(r, 32767)


def tanh_q(u):
    r = min(interp(TANH, abs(u), 13), 32767)
    return -r if u < 0 else r


def deriv(sigmoid, z):
    if sigmoid:
        z = max(z, 0)
        return (z * (32768 - z) + (1 << 14)) >> 15
    return min((32768 * 32768 - z * z + (1 << 14)) >> 15, 32767)


def mul_q16(g, s):
    return (g * s + (1 << 15)) >> 16


def dot_pairs(a, b, shift):
    """Products two at a time, each pair's exact sum rounded down by `shift` bits."""
    n = min(len(a), len(b))
    acc = 0
    for k in range(0, n - 1, 2):
        acc += (a[k] * b[k] + a[k + 1] * b[k + 1]) >> shift
    if n % 2:
        acc += (a[n - 1] * b[n - 1]) >> shift
    return acc


def dot_blocks(a, b, shift):
    """dot_pairs over blocks of 8 steps."""
    if len(a) <= 8 or len(b) <= 8:
        return dot_pairs(a, b, shift)
    return sum(dot_pairs(a[k:k + 8], b[k:k + 8], shift) for k in range(0, min(len(a), len(b)), 8))


def i32(v, sat):
    if not -2**31 <= v < 2**31:
        sat[0] += 1
    return clamp(v, -2**31, 2**31 - 1)


class Model:
    def __init__(self, I, H, O, sigmoid, biases, w_in, w, w_out, b_h, b_out):
        self.I, self.H, self.O = I, H, O
        self.sigmoid, self.biases = sigmoid, biases
        self.w_in, self.w, self.w_out, self.b_h, self.b_out = w_in, w, w_out, b_h, b_out

    def hidden(self, x, h):
        H = self.H
        u = [(self.b_h[j] << 7) if self.biases else 0 for j in range(H)]
        for i in range(self.I):
            for j in range(H):
                u[j] += (x[i] * self.w_in[i][j]) >> 4
        for k in range(0, H - 1, 2):
            for j in range(H):
                u[j] += (h[k] * self.w[k][j] + h[k + 1] * self.w[k + 1][j]) >> 8
        if H % 2:
            for j in range(H):
                u[j] += (h[H - 1] * self.w[H - 1][j]) >> 8
        f = sigmoid_q if self.sigmoid else tanh_q
        return [f(v) for v in u]

    def output(self, z):
        v = [(self.b_out[o] << 7) if self.biases else 0 for o in range(self.O)]
        for k in range(self.H):
            for o in range(self.O):
                v[o] += (z[k] * self.w_out[k][o]) >> 8
        return [sigmoid_q(x) for x in v]

    def forward(self, xs):
        zs, ys, h = [], [], [0] * self.H
        for x in xs:
            h = self.hidden(x, h)
            zs.append(h)
            ys.append(self.output(h))
        return zs, ys

    def gradients(self, xs, ds, zs, ys):
        I, H, O, L = self.I, self.H, self.O, len(xs)
        dt = [[0] * L for _ in range(H)]
        ot = [[0] * L for _ in range(O)]
        sat = {"delta": 0, "gradient": [0]}
        nxt = None
        for t in reversed(range(L)):
            dout = []
            for o in range(O):
                y = max(ys[t][o], 0)
                e = y - (clamp(ds[t][o], 0, 2048) << 4)
                s = deriv(True, y)
                den = O << 15
                dout.append((e * s + den // 2) // den)
                ot[o][t] = dout[o]
            now = []
            for j in range(H):
                acc = dot_pairs(dout, [self.w_out[j][o] for o in range(O)], 8)
                if nxt is not None:
                    acc += dot_pairs(nxt, self.w[j], 8)
                carry = (acc + 4) >> 3
                d = mul_q16(carry, 2 * deriv(self.sigmoid, zs[t][j]))
                if abs(d) > 32767:
                    sat["delta"] += 1
                now.append(clamp(d, -32767, 32767))
                dt[j][t] = now[j]
            nxt = now
        xt = [[xs[t][i] for t in range(L)] for i in range(I)]
        zt = [[zs[t][k] for t in range(L)] for k in range(H)]
        g = sat["gradient"]
        gw_in = [[i32(dot_blocks(xt[i], dt[j], 3) << 1, g) for j in range(H)] for i in range(I)]
        gw = [[i32((dot_blocks(zt[k], dt[j][1:], 3) + 4) >> 3, g) for j in range(H)] for k in range(H)]
        gw_out = [[i32((dot_blocks(zt[k], ot[o], 3) + 4) >> 3, g) for o in range(O)] for k in range(H)]
        if self.biases:
            gb_h = [i32(sum(dt[j]) << 9, g) for j in range(H)]
            gb_out = [i32(sum(ot[o]) << 9, g) for o in range(O)]
        else:
            gb_h, gb_out = [0] * H, [0] * O
        return [gw_in, gw, gw_out, gb_h, gb_out]

    def loss(self, ys, ds):
        s = 0
        for yt, dt in zip(ys, ds):
            for y, d in zip(yt, dt):
                e = max(y, 0) - (clamp(d, 0, 2048) << 4)
                s += e * e
        return s // (2 * self.O)


def isqrt(n):
    r = int(n ** 0.5)
    while r * r > n:
        r -= 1
    while (r + 1) * (r + 1) <= n:
        r += 1
    return r


def flat(a):
    return [v for row in a for v in row] if a and isinstance(a[0], list) else list(a)


def train_steps(m, lows, xs, ds, lr, clip, n):
    """n trainer steps on the same window; returns the loss of each."""
    losses = []
    for _ in range(n):
        zs, ys = m.forward(xs)
        losses.append(m.loss(ys, ds))
        grads = m.gradients(xs, ds, zs, ys)
        arrays = [m.w_in, m.w, m.w_out, m.b_h, m.b_out]
        trained = range(5) if m.biases else range(3)
        step_lr = lr
        if clip is not None:
            sq = sum((g >> 8) ** 2 for a in trained for g in flat(grads[a]))
            norm = isqrt(sq)
            if norm > clip:
                scale = min((clip << 16) // norm, 0xffff)
                step_lr = clamp(mul_q16(lr, scale), 1, 0xffff)
        for a in trained:
            w, g, lo = arrays[a], grads[a], lows[a]
            rows = w if isinstance(w[0], list) else [w]
            grows = g if isinstance(g[0], list) else [g]
            lrows = lo if isinstance(lo[0], list) else [lo]
            for wr, gr, lr_ in zip(rows, grows, lrows):
                for k in range(len(wr)):
                    step = mul_q16(gr[k], step_lr)
                    mm = clamp(((wr[k] << 16) | lr_[k]) - 8 * step, -2**31, 2**31 - 1)
                    wr[k], lr_[k] = mm >> 16, mm & 0xFFFF
    return losses


class Lcg:
    def __init__(self, seed):
        self.s = seed

    def next(self, lo, hi):
        self.s = (self.s * 6364136223846793005 + 1442695040888963407) % 2**64
        return lo + (self.s >> 33) % (hi - lo + 1)


def case(name, seed, I, H, O, L, sigmoid, biases, lr, clip):
    r = Lcg(seed)
    mat = lambda rows, cols, lo, hi: [[r.next(lo, hi) for _ in range(cols)] for _ in range(rows)]
    m = Model(I, H, O, sigmoid, biases, mat(I, H, -3000, 3000), mat(H, H, -3000, 3000),
              mat(H, O, -3000, 3000), [r.next(-2000, 2000) for _ in range(H)],
              [r.next(-2000, 2000) for _ in range(O)])
    xs = mat(L, I, -2048, 2048)
    ds = mat(L, O, 0, 2048)
    start = [flat(a) for a in (m.w_in, m.w, m.w_out, m.b_h, m.b_out)]
    zs, ys = m.forward(xs)
    grads = m.gradients(xs, ds, zs, ys)
    loss = m.loss(ys, ds)
    lows = [[[0] * H for _ in range(I)], [[0] * H for _ in range(H)], [[0] * O for _ in range(H)],
            [0] * H, [0] * O]
    losses = train_steps(m, lows, xs, ds, lr, clip, 3)
    assert losses[0] == loss
    after = [flat(a) for a in (m.w_in, m.w, m.w_out, m.b_h, m.b_out)]

    def arr(v):
        return "[" + ", ".join(str(x) for x in v) + "]"

    print(f"/// {name}")
    print(f"pub const {name.upper()}: Case = Case {{")
    print(f"    shape: ({I}, {H}, {O}, {L}),")
    print(f"    sigmoid: {'true' if sigmoid else 'false'},")
    print(f"    biases: {'true' if biases else 'false'},")
    print(f"    lr: {lr},")
    print(f"    clip: {'None' if clip is None else f'Some({clip})'},")
    print(f"    weights: [{', '.join('&' + arr(a) for a in start)}],")
    print(f"    xs: &{arr(flat(xs))},")
    print(f"    ds: &{arr(flat(ds))},")
    print(f"    zs: &{arr(flat(zs))},")
    print(f"    ys: &{arr(flat(ys))},")
    print(f"    loss: {loss},")
    print(f"    grads: [{', '.join('&' + arr(flat(a)) for a in grads)}],")
    print(f"    losses: {arr(losses)},")
    print(f"    after: [{', '.join('&' + arr(a) for a in after)}],")
    print("};")
    print()


print("// @generated by tests/reference/fixed_generate.py; do not edit by hand.")
print("//! Exact integer reference values for the fixed-point path (see the script).")
print()
print("use super::Case;")
print()
case("sigmoid_plain", 1, 2, 5, 3, 4, True, False, 65535, None)
case("tanh_biases_clipped", 2, 2, 5, 3, 4, False, True, 65535, 8000)
case("sigmoid_long", 3, 3, 4, 1, 11, True, True, 40000, None)
