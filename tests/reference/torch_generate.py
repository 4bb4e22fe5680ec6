#!/usr/bin/env python3
"""Reference values for tinyrnn's three cells from an implementation that shares nothing with
the crate: PyTorch's `nn.RNN` (tanh), `nn.GRU` and `nn.LSTM`, each with an `nn.Linear` on its
state, written out in numpy from PyTorch's documented formulas and in PyTorch's layout, in
float64. For each cell: a forward pass from a starting state, the loss, its gradient with
respect to every parameter, and the weights after one step of SGD and one of Adam.

The gradients come from the complex step, `d f / d w = Im f(w + i ε) / ε` with `ε = 1e-30`:
exact to float64's rounding and independent of any backpropagation code; this script checks them
against central differences before it writes anything (relative error under 1e-6, or it stops).
PyTorch itself is not used, so that CI needs numpy only; the layouts are PyTorch's, and
tests/torch_reference.rs reads them through scripts/torch_convert.py, so the same files check
the converter too.

    python3 tests/reference/torch_generate.py            # writes tests/reference/torch/
    python3 tests/reference/torch_generate.py --check    # fails if that would change what is committed

For each cell (rnn, gru, lstm) it makes three state_dicts, float32, as PyTorch names and shapes
them (rnn.*, fc.*): the parameters, the gradients of the loss (-grad), and the parameters after
one SGD step at LR (-sgd) and after one Adam step (-adam), in tinyrnn's parameterisation;
scripts/torch_convert.py turns each into
a record in tests/reference/torch/ (.trnm for the Elman network, .trgm for the gated cells),
beside CELL.txt: the inputs, starting state, targets, loss kind, outputs and loss. The Elman
network has one hidden bias for PyTorch's two: its gradient is either's (the -grad state_dict
gives it as bias_ih_l0, bias_hh_l0 zero), and one step moves it once (the -sgd and -adam
state_dicts move bias_ih_l0 only).
"""

import argparse
import os
import subprocess
import sys
import tempfile

import numpy as np

I, H, O, T = 3, 4, 2, 5
LR = 0.1
# torch.optim.Adam's defaults (β1, β2, ε), and its learning rate here.
ADAM = (0.9, 0.999, 1e-8)
ADAM_LR = 0.01
EPS = 1e-30
# Per cell: its gates, output layer and loss, and the seed of its numbers.
CELLS = {
    "rnn": dict(gates=1, output="sigmoid", loss="squared", seed=11),
    "gru": dict(gates=3, output="sigmoid", loss="cross-entropy", seed=12),
    "lstm": dict(gates=4, output="softmax", loss="cross-entropy", seed=13),
}
NAMES = ["rnn.weight_ih_l0", "rnn.weight_hh_l0", "rnn.bias_ih_l0", "rnn.bias_hh_l0", "fc.weight", "fc.bias"]


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def step(cell, p, x, state):
    """One step of PyTorch's cell (the formulas of its nn.RNN, nn.GRU, nn.LSTM docs)."""
    w_ih, w_hh, b_ih, b_hh = (p[n] for n in NAMES[:4])
    if cell == "rnn":
        h = np.tanh(x @ w_ih.T + b_ih + state @ w_hh.T + b_hh)
        return h, h
    if cell == "gru":
        gi = x @ w_ih.T + b_ih
        gh = state @ w_hh.T + b_hh
        r = sigmoid(gi[:H] + gh[:H])
        z = sigmoid(gi[H:2 * H] + gh[H:2 * H])
        n = np.tanh(gi[2 * H:] + r * gh[2 * H:])
        h = (1 - z) * n + z * state
        return h, h
    h, c = state
    gates = x @ w_ih.T + b_ih + h @ w_hh.T + b_hh
    i, f, g, o = (gates[k * H:(k + 1) * H] for k in range(4))
    c = sigmoid(f) * c + sigmoid(i) * np.tanh(g)
    h = sigmoid(o) * np.tanh(c)
    return h, (h, c)


def forward(cell, p, xs, state0, ds, output, loss_kind):
    """The outputs of every step and the loss summed over them (tinyrnn's losses, src/train/loss.rs:
    squared error `mean_o (d - y)² / 2`, binary cross-entropy `mean_o -(d log y + (1-d) log(1-y))`,
    softmax cross-entropy `-Σ_o d log y`)."""
    state, ys, loss = state0, [], 0
    for x, d in zip(xs, ds):
        h, state = step(cell, p, x, state)
        v = h @ p["fc.weight"].T + p["fc.bias"]
        if output == "sigmoid":
            y = sigmoid(v)
        else:
            # The softmax, stable for a complex step: shifted by the real part's maximum.
            e = np.exp(v - v.real.max())
            y = e / e.sum()
        if loss_kind == "squared":
            loss = loss + np.mean((d - y) ** 2) / 2
        elif output == "sigmoid":
            loss = loss + np.mean(-(d * np.log(y) + (1 - d) * np.log(1 - y)))
        else:
            loss = loss - np.sum(d * np.log(y))
        ys.append(y)
    return np.array(ys), loss


def gradients(f, p):
    """d f / d p for every element of every array of `p`, by the complex step."""
    grads = {}
    for name, a in p.items():
        g = np.zeros(a.shape)
        for k in np.ndindex(a.shape):
            q = {n: v.astype(complex) for n, v in p.items()}
            q[name][k] += 1j * EPS
            g[k] = f(q).imag / EPS
        grads[name] = g
    return grads


def central_check(f, p, grads):
    """Central differences of the float64 forward pass against the complex step's gradients."""
    worst = 0.0
    for name, a in p.items():
        for k in np.ndindex(a.shape):
            h = 1e-6
            plus = {n: v.copy() for n, v in p.items()}
            minus = {n: v.copy() for n, v in p.items()}
            plus[name][k] += h
            minus[name][k] -= h
            fd = (f(plus) - f(minus)) / (2 * h)
            worst = max(worst, abs(fd - grads[name][k]) / max(1e-3, abs(fd)))
    return worst


def make(cell, spec):
    g = spec["gates"]
    rng = np.random.default_rng(spec["seed"])
    f32 = lambda *shape: rng.uniform(-0.8, 0.8, shape).astype(np.float32)  # noqa: E731
    p32 = {
        "rnn.weight_ih_l0": f32(g * H, I), "rnn.weight_hh_l0": f32(g * H, H),
        "rnn.bias_ih_l0": f32(g * H), "rnn.bias_hh_l0": f32(g * H),
        "fc.weight": f32(O, H), "fc.bias": f32(O),
    }
    xs = rng.normal(0, 1, (T, I)).astype(np.float32)
    h0 = rng.uniform(-0.5, 0.5, H).astype(np.float32)
    c0 = rng.uniform(-0.5, 0.5, H).astype(np.float32)
    if spec["output"] == "softmax":
        ds = np.eye(O, dtype=np.float32)[rng.integers(0, O, T)]
    elif spec["loss"] == "cross-entropy":
        ds = rng.integers(0, 2, (T, O)).astype(np.float32)
    else:
        ds = rng.uniform(0, 1, (T, O)).astype(np.float32)
    p = {n: v.astype(np.float64) for n, v in p32.items()}
    state0 = (h0.astype(np.float64), c0.astype(np.float64)) if cell == "lstm" else h0.astype(np.float64)

    def f(q):
        s0 = (state0[0].astype(q[NAMES[0]].dtype), state0[1].astype(q[NAMES[0]].dtype)) if cell == "lstm" else state0
        return forward(cell, q, xs.astype(np.float64), s0, ds.astype(np.float64), spec["output"], spec["loss"])[1]

    ys, loss = forward(cell, p, xs.astype(np.float64), state0, ds.astype(np.float64), spec["output"], spec["loss"])
    grads = gradients(f, p)
    worst = central_check(f, p, grads)
    if worst > 1e-6:
        sys.exit(f"{cell}: the complex step and central differences disagree by {worst:.2e}")
    print(f"{cell}: loss {loss:.9f}; complex-step gradients within {worst:.1e} of central differences")
    after = {n: p[n] - LR * grads[n] for n in NAMES}
    # One step of torch.optim.Adam from zero moments (its documented update, bias-corrected).
    b1, b2, eps = ADAM
    adam = {}
    for n in NAMES:
        m = (1 - b1) * grads[n]
        v = (1 - b2) * grads[n] ** 2
        adam[n] = p[n] - ADAM_LR / (1 - b1) * m / (np.sqrt(v) / np.sqrt(1 - b2) + eps)
    grads32 = {n: grads[n].astype(np.float32) for n in NAMES}
    if cell == "rnn":
        # One hidden bias in tinyrnn: its gradient is either of PyTorch's two, and one step
        # moves it once.
        grads32["rnn.bias_hh_l0"] = np.zeros(H, np.float32)
        after["rnn.bias_hh_l0"] = p["rnn.bias_hh_l0"]
        adam["rnn.bias_hh_l0"] = p["rnn.bias_hh_l0"]
    after32 = {n: after[n].astype(np.float32) for n in NAMES}
    adam32 = {n: adam[n].astype(np.float32) for n in NAMES}
    lines = [
        f"cell {cell}", f"output {spec['output']}", f"loss_kind {spec['loss']}", f"lr {LR!r}",
        f"adam_lr {ADAM_LR!r}", "adam " + " ".join(repr(v) for v in ADAM),
        "xs " + " ".join(repr(float(v)) for v in xs.ravel()),
        "h0 " + " ".join(repr(float(v)) for v in h0),
        "ds " + " ".join(repr(float(v)) for v in ds.ravel()),
        "ys " + " ".join(repr(float(v)) for v in ys.ravel()),
        f"loss {float(loss)!r}",
    ]
    if cell == "lstm":
        lines.insert(6, "c0 " + " ".join(repr(float(v)) for v in c0))
    return p32, grads32, after32, adam32, "\n".join(lines) + "\n"


def write_all(folder, npz_folder):
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    convert = os.path.join(root, "scripts", "torch_convert.py")
    os.makedirs(folder, exist_ok=True)
    for cell, spec in CELLS.items():
        p32, grads32, after32, adam32, text = make(cell, spec)
        ext = "trnm" if cell == "rnn" else "trgm"
        for suffix, arrays in (("", p32), ("-grad", grads32), ("-sgd", after32), ("-adam", adam32)):
            npz = os.path.join(npz_folder, f"{cell}{suffix}.npz")
            np.savez(npz, **{n: arrays[n] for n in NAMES})
            subprocess.run([sys.executable, convert, "to-record", npz,
                            os.path.join(folder, f"{cell}{suffix}.{ext}"), "--output", spec["output"]],
                           check=True, stdout=subprocess.DEVNULL)
        with open(os.path.join(folder, f"{cell}.txt"), "w") as fh:
            fh.write(text)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--check", action="store_true", help="fail if the committed files would change")
    args = ap.parse_args()
    target = os.path.join(os.path.dirname(os.path.abspath(__file__)), "torch")
    with tempfile.TemporaryDirectory() as npz_folder, tempfile.TemporaryDirectory() as tmp:
        if not args.check:
            write_all(target, npz_folder)
            return
        write_all(tmp, npz_folder)
        changed = []
        for name in sorted(os.listdir(tmp)):
            with open(os.path.join(tmp, name), "rb") as a:
                new = a.read()
            try:
                with open(os.path.join(target, name), "rb") as b:
                    old = b.read()
            except OSError:
                old = None
            if new != old:
                changed.append(name)
    if changed:
        sys.exit(f"tests/reference/torch: {', '.join(changed)} would change; run python3 tests/reference/torch_generate.py")
    print("tests/reference/torch: the committed records and values are what this script writes")


if __name__ == "__main__":
    main()
