#!/usr/bin/env python3
"""Reference values for tests/reference.rs, computed with numpy in float64.

Rerun:  python3 tests/reference/generate.py > tests/reference/vectors.rs && cargo fmt

It follows the seed's algorithm (shared/seed: numpy, row vectors times matrices) with the true
output derivative y(1 - y), optional biases, and a sigmoid or tanh hidden layer. Weights come
from formulas (no RNG) and are rounded to float32 first, so Rust and numpy start from the same
numbers. For each case it writes the per-step hidden states and outputs, the loss, the three
gradients (and the bias gradients), the weights after one SGD step, and, clipped by global norm
at 0.4 of the gradients' norm, the norm and the weights after a step. Most cases start from
z_0 = 0, as the seed does; the `state_` cases start from a given hidden state H0 (a window of a
longer stream, for truncated BPTT: H0 held fixed, its term z_0 ⊗ delta_1 in the W gradient).
"""
import numpy as np

LR = 0.1


def f32(a):
    return np.asarray(a, dtype=np.float32).astype(np.float64)


def weights(I, H, O):
    idx = lambda r, c: np.arange(r * c, dtype=np.float64).reshape(r, c)
    w_in = f32(0.8 * np.sin(0.7 * idx(I, H) + 0.3))
    w = f32(0.6 * np.cos(1.3 * idx(H, H) + 0.1))
    w_out = f32(0.9 * np.sin(2.1 * idx(H, O) + 0.5))
    b_h = f32(0.2 * np.cos(0.9 * np.arange(H)))
    b_out = f32(-0.1 * (np.arange(O) + 1))
    return w_in, w, w_out, b_h, b_out


def addition(a, b, L):
    bits = lambda n: [(n >> t) & 1 for t in range(L)]
    xs = np.array([[p, q] for p, q in zip(bits(a), bits(b))], dtype=np.float64)
    ds = np.array([[d] for d in bits(a + b)], dtype=np.float64)
    return xs, ds


MU, WD = 0.9, 0.01
ADAM_LR, BETA1, BETA2, EPS = 0.01, 0.9, 0.999, 1e-8


def momentum_steps(params, grads, n):
    """n updates of SGD with momentum MU and weight decay WD (PyTorch's), the same gradients
    each time; the parameters flattened."""
    w = np.concatenate([p.ravel() for p in params])
    g = np.concatenate([q.ravel() for q in grads])
    b = None
    for _ in range(n):
        gd = g + WD * w
        b = gd if b is None else MU * b + gd
        w = w - LR * b
    return w


def adam_steps(params, grads, n):
    """n updates of Adam (PyTorch's, bias-corrected), the same gradients each time."""
    w = np.concatenate([p.ravel() for p in params])
    g = np.concatenate([q.ravel() for q in grads])
    m, v = np.zeros_like(w), np.zeros_like(w)
    for t in range(1, n + 1):
        gd = g + WD * w
        m = m + (1 - BETA1) * (gd - m)
        v = BETA2 * v + (1 - BETA2) * gd * gd
        step_size = ADAM_LR / (1 - BETA1 ** t)
        w = w - step_size * m / (np.sqrt(v) / np.sqrt(1 - BETA2 ** t) + EPS)
    return w


def case(name, act, biases, I, H, O, xs, ds, h0=None, output="sigmoid", loss_kind="se", mask=None):
    w_in, w, w_out, b_h, b_out = weights(I, H, O)
    if not biases:
        b_h = np.zeros(H)
        b_out = np.zeros(O)
    L = len(xs)
    f = (lambda u: 1 / (1 + np.exp(-u))) if act == "sigmoid" else np.tanh
    df = (lambda u: f(u) * (1 - f(u))) if act == "sigmoid" else (lambda u: 1 / np.cosh(u) ** 2)
    sig = lambda u: 1 / (1 + np.exp(-u))
    softmax = lambda v: np.exp(v - v.max()) / np.sum(np.exp(v - v.max()))
    g_out_layer = {"sigmoid": sig, "linear": lambda v: v, "softmax": softmax}[output]
    mask = np.ones(len(xs)) if mask is None else np.asarray(mask, dtype=np.float64)
    h0 = np.zeros(H) if h0 is None else f32(h0)
    us, zs, ys = [], [h0], []
    loss = 0.0
    for t in range(L):
        u = xs[t] @ w_in + zs[-1] @ w + b_h
        z = f(u)
        y = g_out_layer(z @ w_out + b_out)
        us.append(u)
        zs.append(z)
        ys.append(y)
        d = ds[t]
        if loss_kind == "se":
            step = np.mean((d - y) ** 2) / 2
        elif output == "softmax":
            step = -np.sum(d * np.log(y))
        else:
            step = np.mean(-(d * np.log(y) + (1 - d) * np.log(1 - y)))
        loss += mask[t] * step
    g_in, g_w, g_out = np.zeros_like(w_in), np.zeros_like(w), np.zeros_like(w_out)
    g_bh, g_bo = np.zeros(H), np.zeros(O)
    delta_next = np.zeros(H)
    for t in reversed(range(L)):
        y = ys[t]
        if loss_kind == "se" and output == "sigmoid":
            dout = (y - ds[t]) / O * y * (1 - y)
        elif output == "softmax":
            dout = y - ds[t]
        else:
            dout = (y - ds[t]) / O
        dout = mask[t] * dout
        delta = (delta_next @ w.T + dout @ w_out.T) * df(us[t])
        g_out += np.outer(zs[t + 1], dout)
        g_w += np.outer(zs[t], delta)
        g_in += np.outer(xs[t], delta)
        g_bh += delta
        g_bo += dout
        delta_next = delta
    if not biases:
        g_bh, g_bo = np.zeros(H), np.zeros(O)
    # Clipping by global norm (the course's exercise), at a threshold that makes it scale: 0.4
    # of the norm, rounded to float32 as Rust will take it; then one SGD step with the clipped
    # gradients.
    grads = (g_in, g_w, g_out, g_bh, g_bo)
    norm = np.sqrt(sum(np.sum(g * g) for g in grads))
    clip = float(f32(0.4 * norm))
    rate = min(1.0, clip / norm)
    c_in, c_w, c_out, c_bh, c_bo = (g * rate for g in grads)
    out = {
        "H0": h0, "XS": xs, "DS": ds, "ZS": np.array(zs[1:]), "YS": np.array(ys),
        "G_W_IN": g_in, "G_W": g_w, "G_W_OUT": g_out, "G_B_H": g_bh, "G_B_OUT": g_bo,
        "W_IN_AFTER": w_in - LR * g_in, "W_AFTER": w - LR * g_w,
        "W_OUT_AFTER": w_out - LR * g_out,
        "B_H_AFTER": b_h - LR * g_bh, "B_OUT_AFTER": b_out - LR * g_bo,
        "W_IN_CLIPPED": w_in - LR * c_in, "W_CLIPPED": w - LR * c_w,
        "W_OUT_CLIPPED": w_out - LR * c_out,
        "B_H_CLIPPED": b_h - LR * c_bh, "B_OUT_CLIPPED": b_out - LR * c_bo,
        "MASK": mask,
        # Two updates with these gradients, every parameter in the crate's order.
        "MOMENTUM_2": momentum_steps((w_in, w, w_out, b_h, b_out), grads, 2),
        "ADAM_2": adam_steps((w_in, w, w_out, b_h, b_out), grads, 2),
    }
    print(f"pub mod {name} {{")
    print(f"    pub const I: usize = {I};\n    pub const H: usize = {H};")
    print(f"    pub const O: usize = {O};\n    pub const L: usize = {L};")
    print(f"    pub const TANH: bool = {'true' if act == 'tanh' else 'false'};")
    print(f"    pub const BIASES: bool = {'true' if biases else 'false'};")
    print(f"    pub const OUTPUT: &str = {output!r};".replace("'", '"'))
    print(f"    pub const CROSS_ENTROPY: bool = {'true' if loss_kind == 'ce' else 'false'};")
    print(f"    pub const LOSS: f64 = {float(loss)!r};")
    print(f"    pub const NORM: f64 = {float(norm)!r};")
    print(f"    pub const CLIP: f64 = {clip!r};")
    for key, arr in out.items():
        print(f"    pub const {key}: {rust_type(arr)} = {rust_value(arr)};")
    print("}")


def rust_type(arr):
    if arr.ndim == 1:
        return f"[f64; {arr.shape[0]}]"
    return f"[[f64; {arr.shape[1]}]; {arr.shape[0]}]"


def rust_value(arr):
    lit = lambda v: repr(float(v)) if "." in repr(float(v)) or "e" in repr(float(v)) else repr(float(v)) + ".0"
    if arr.ndim == 1:
        return "[" + ", ".join(lit(v) for v in arr) + "]"
    return "[" + ", ".join(rust_value(r) for r in arr) + "]"


def main():
    print("// @generated by tests/reference/generate.py (numpy float64); do not edit.")
    print("// Rerun: python3 tests/reference/generate.py > tests/reference/vectors.rs && cargo fmt")
    print(f"#![allow(dead_code)]\npub const LR: f64 = {LR!r};")
    print(f"pub const MU: f64 = {MU!r};\npub const WD: f64 = {WD!r};")
    print(f"pub const ADAM_LR: f64 = {ADAM_LR!r};\npub const BETA1: f64 = {BETA1!r};")
    print(f"pub const BETA2: f64 = {BETA2!r};\npub const EPS: f64 = {EPS!r};")
    xs, ds = addition(45, 70, 8)
    case("seed_sigmoid_2_4_1", "sigmoid", False, 2, 4, 1, xs, ds)
    case("seed_tanh_2_4_1", "tanh", False, 2, 4, 1, xs, ds)
    xs, ds = addition(100, 27, 8)
    case("seed_sigmoid_2_16_1", "sigmoid", False, 2, 16, 1, xs, ds)
    t = np.arange(9, dtype=np.float64).reshape(3, 3)
    xs3 = f32(np.sin(1.7 * t + 0.2))
    ds3 = np.array([[1.0, 0.0], [0.0, 0.0], [1.0, 1.0]])
    case("biases_sigmoid_3_5_2", "sigmoid", True, 3, 5, 2, xs3, ds3)
    case("biases_tanh_3_5_2", "tanh", True, 3, 5, 2, xs3, ds3)
    h0 = 0.7 * np.sin(1.9 * np.arange(5) + 0.6)
    case("state_sigmoid_3_5_2", "sigmoid", True, 3, 5, 2, xs3, ds3, 0.5 + 0.5 * h0)
    case("state_tanh_3_5_2", "tanh", True, 3, 5, 2, xs3, ds3, h0)
    xs, ds = addition(100, 27, 8)
    case("state_sigmoid_2_16_1", "sigmoid", False, 2, 16, 1, xs, ds,
         0.5 + 0.4 * np.cos(0.8 * np.arange(16)))
    # The other output layers and losses, and labels at some steps only.
    soft = np.array([[1.0, 0.0], [0.25, 0.75], [0.0, 1.0]])
    case("bce_tanh_3_5_2", "tanh", True, 3, 5, 2, xs3, np.array([[1.0, 0.0], [0.5, 0.0], [1.0, 1.0]]),
         output="sigmoid", loss_kind="ce")
    case("linear_last_tanh_3_5_2", "tanh", True, 3, 5, 2, xs3, np.array([[0.0, 0.0], [0.0, 0.0], [1.7, -0.4]]),
         output="linear", loss_kind="se", mask=[0, 0, 1])
    case("softmax_mask_sigmoid_3_5_2", "sigmoid", True, 3, 5, 2, xs3, soft,
         output="softmax", loss_kind="ce", mask=[1, 0, 1])
    case("softmax_state_tanh_3_5_2", "tanh", True, 3, 5, 2, xs3, soft, h0,
         output="softmax", loss_kind="ce")


if __name__ == "__main__":
    main()
