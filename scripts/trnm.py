#!/usr/bin/env python3
"""Reads a tinyrnn model (.trnm), training state (.trns) or stream state (.trnh) in Python,
from the format's description alone (src/format/mod.rs, docs/format.md), and runs the model with
the course's forward pass in numpy: every output layer (sigmoid, linear, softmax), and training
states of every loss and optimiser (SGD: version 1; momentum and Adam: version 2, their
settings and state).

A second, independent reader of the format: it checks every field the Rust reader checks, and
its results (the course's code, float64, on the Rust-trained weights) show that the file means
what the docs say. For learners: the weights come out as the course's `W_in`, `W` and `W_out`,
ready for the notebook.

    python3 scripts/trnm.py examples/firmware/model/addition-2-16-1.trnm
    python3 scripts/trnm.py half.trns                      # a training state: its settings too
    python3 scripts/trnm.py latch.trnh                     # a stream state: and its hidden state
    python3 scripts/trnm.py model.trnm --npz weights.npz   # W_in, W, W_out (b_h, b_out) for np.load

For a model or training state with 2 inputs and 1 output (the binary-addition shape) it
evaluates all 16,384 pairs a, b < 128 as the course does (bits least significant first, an
output above 0.5 is a 1); not for a stream state, whose task is another (the latch, say).
Exit status: 0 on success, 1 if the bytes are not a valid record, 2 on a bad command line or a
file that cannot be read. Output cut short by its reader (`| head`) ends it quietly with 0, as
the examples do.
"""

import argparse
import os
import struct
import sys
import zlib

import numpy as np

MODEL_HEADER = 16
STATE_HEADER = 48
# A version-2 state (momentum or Adam) holds, after the 48 bytes of the header, the optimiser
# (1 byte, 3 reserved), its four settings (f32), a u64 (momentum: started; Adam: its step count)
# and, after the weights, its state: k arrays of P floats.
OPTIM_HEADER = 28
OUTPUTS = ("sigmoid", "linear", "softmax")
OPTIMIZERS = {1: ("momentum", 1, ("momentum", "weight_decay")),
              2: ("adam", 2, ("beta1", "beta2", "eps", "weight_decay"))}


class FormatError(Exception):
    """The bytes are not a valid record; the message says which check failed."""


def _params(buf, offset, i, h, o):
    """The weights and biases stored from `offset`, as float32 arrays in the course's shapes."""
    sizes = [("W_in", (i, h)), ("W", (h, h)), ("W_out", (h, o)), ("b_h", (h,)), ("b_out", (o,))]
    arrays = {}
    for name, shape in sizes:
        n = int(np.prod(shape))
        arrays[name] = np.frombuffer(buf, dtype="<f4", count=n, offset=offset).reshape(shape)
        offset += 4 * n
    return arrays


def read(buf):
    """Parses a model, training-state or stream-state record at the start of `buf`; raises
    FormatError if invalid."""
    if len(buf) < MODEL_HEADER:
        raise FormatError("buffer too short for a header")
    magic = bytes(buf[:4])
    if magic not in (b"TRNM", b"TRNS", b"TRNH"):
        raise FormatError(f"bad magic {magic!r}")
    state = magic != b"TRNM"
    stream = magic == b"TRNH"
    header = STATE_HEADER if state else MODEL_HEADER
    if len(buf) < header:
        raise FormatError("buffer too short for a header")
    (version,) = struct.unpack_from("<H", buf, 4)
    if version not in ((1, 2) if state else (1,)):
        raise FormatError(f"unsupported version {version}")
    i, h, o = struct.unpack_from("<3H", buf, 6)
    p = i * h + h * h + h * o + h + o
    optim = None
    if version == 2:
        if len(buf) < header + OPTIM_HEADER:
            raise FormatError("buffer too short for a header")
        (code,) = struct.unpack_from("<B", buf, header)
        if code not in OPTIMIZERS:
            raise FormatError(f"unknown optimiser {code}")
        optim = OPTIMIZERS[code]
        header += OPTIM_HEADER
    k = optim[1] if optim else 0
    # A stream state holds the hidden state (H floats) between the weights (and the optimiser's
    # state) and the checksum.
    length = header + 4 * p * (1 + k) + (4 * h if stream else 0) + 4
    if len(buf) < length:
        raise FormatError(f"buffer too short: {len(buf)} bytes, the record takes {length}")
    (crc,) = struct.unpack_from("<I", buf, length - 4)
    if zlib.crc32(bytes(buf[: length - 4])) != crc:
        raise FormatError("bad checksum")
    kind = "stream state" if stream else "state" if state else "model"
    record = {"kind": kind, "I": i, "H": h, "O": o, "length": length}
    if state:
        (seq_len, activation, flags) = struct.unpack_from("<HBB", buf, 12)
        lr, clip, iterations = struct.unpack_from("<ffQ", buf, 16)
        rng = struct.unpack_from("<4I", buf, 32)
        if flags & ~0b11111 or not (np.isfinite(lr) and lr > 0):
            raise FormatError("invalid flags or learning rate")
        output = (flags >> 2) & 3
        cross_entropy = bool(flags & 16)
        clip_on = bool(flags & 2)
        (clip_bits,) = struct.unpack_from("<I", buf, 20)
        if (clip_on and not (np.isfinite(clip) and clip > 0)) or (not clip_on and clip_bits != 0):
            raise FormatError("invalid clipping threshold")
        if rng == (0, 0, 0, 0):
            raise FormatError("invalid RNG state (all zero)")
        record.update(L=seq_len, learning_rate=lr, clip=clip if clip_on else None,
                      iterations=iterations, rng_state=rng,
                      loss="cross-entropy" if cross_entropy else "squared error")
        if optim:
            reserved = bytes(buf[STATE_HEADER + 1:STATE_HEADER + 4])
            settings = struct.unpack_from("<4f", buf, STATE_HEADER + 4)
            (count,) = struct.unpack_from("<Q", buf, STATE_HEADER + 20)
            names = optim[2]
            if reserved != bytes(3) or any(v != 0 for v in settings[len(names):]):
                raise FormatError("invalid reserved bytes")
            if optim[0] == "momentum" and count > 1:
                raise FormatError("invalid optimiser step count")
            record["optimizer"] = dict(name=optim[0], **dict(zip(names, settings)),
                                       **{"started" if optim[0] == "momentum" else "t": count})
        else:
            record["optimizer"] = dict(name="sgd")
    else:
        activation, flags, output, reserved = struct.unpack_from("<BBBB", buf, 12)
        if flags & ~1 or reserved != 0:
            raise FormatError("invalid flags or reserved bytes")
    if activation not in (0, 1):
        raise FormatError(f"invalid activation {activation}")
    if output >= len(OUTPUTS):
        raise FormatError(f"invalid output layer {output}")
    record.update(activation=("sigmoid", "tanh")[activation], biases=bool(flags & 1),
                  output=OUTPUTS[output])
    arrays = _params(buf, header, i, h, o)
    offset = header + 4 * p
    if optim:
        for name in ("velocity",) if k == 1 else ("adam_m", "adam_v"):
            arrays[name] = np.frombuffer(buf, dtype="<f4", count=p, offset=offset)
            offset += 4 * p
    if stream:
        arrays["hidden"] = np.frombuffer(buf, dtype="<f4", count=h, offset=offset)
    if not all(np.isfinite(a).all() for a in arrays.values()):
        raise FormatError("a weight (or the optimiser's or the hidden state) is not finite")
    record.update(arrays)
    return record


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def forward(m, xs):
    """The course's forward pass over a batch: xs has shape (batch, steps, I); returns the
    outputs, shape (batch, steps, O). float64, as the course computes."""
    act = sigmoid if m["activation"] == "sigmoid" else np.tanh
    w_in, w, w_out = (m[k].astype(np.float64) for k in ("W_in", "W", "W_out"))
    b_h = m["b_h"].astype(np.float64) if m["biases"] else 0.0
    b_out = m["b_out"].astype(np.float64) if m["biases"] else 0.0
    z = np.zeros((xs.shape[0], m["H"]))
    ys = []
    for t in range(xs.shape[1]):
        z = act(xs[:, t] @ w_in + z @ w + b_h)
        logits = z @ w_out + b_out
        if m["output"] == "sigmoid":
            ys.append(sigmoid(logits))
        elif m["output"] == "linear":
            ys.append(logits)
        else:
            e = np.exp(logits - logits.max(axis=1, keepdims=True))
            ys.append(e / e.sum(axis=1, keepdims=True))
    return np.stack(ys, axis=1)


def addition_accuracy(m, bits=8):
    """Exact-sum and bit accuracy over every pair a, b < 2^(bits-1), as the course encodes them."""
    half = 1 << (bits - 1)
    a, b = (v.ravel() for v in np.meshgrid(np.arange(half), np.arange(half), indexing="ij"))
    shifts = np.arange(bits)  # least significant bit first
    xs = np.stack([(a[:, None] >> shifts) & 1, (b[:, None] >> shifts) & 1], axis=2).astype(float)
    want = ((a + b)[:, None] >> shifts) & 1
    got = (forward(m, xs)[:, :, 0] > 0.5).astype(int)
    exact = int((got == want).all(axis=1).sum())
    return exact, len(a), int((got == want).sum()), want.size


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("file", help="a .trnm model, .trns training state or .trnh stream state")
    ap.add_argument("--npz", help="also save the weights (W_in, W, W_out, b_h, b_out) here")
    args = ap.parse_args()
    try:
        with open(args.file, "rb") as f:
            buf = f.read()
    except OSError as e:
        print(f"error: cannot read {args.file}: {e.strerror}", file=sys.stderr)
        sys.exit(2)
    try:
        m = read(buf)
    except FormatError as e:
        print(f"error: {args.file}: {e}", file=sys.stderr)
        sys.exit(1)
    print(f"{m['kind']} record, {m['length']} bytes: {m['I']}-{m['H']}-{m['O']}, "
          f"{m['activation']} hidden layer, biases {'on' if m['biases'] else 'off'}, "
          f"{m['output']} output")
    if m["kind"] != "model":
        clip = "off" if m["clip"] is None else f"{m['clip']:g}"
        print(f"L {m['L']}, learning rate {m['learning_rate']:g}, clip {clip}, "
              f"iterations {m['iterations']}, RNG state {[hex(w) for w in m['rng_state']]}")
        opt = m["optimizer"]
        print(f"loss {m['loss']}, optimiser {opt['name']}" + "".join(
            f", {k} {v:g}" for k, v in opt.items() if k != "name"))
    if "hidden" in m:
        print(f"hidden state (the next window starts in it): "
              f"{np.array2string(m['hidden'][:4], precision=6)}...")
    for k in ("W_in", "W", "W_out"):
        print(f"{k}: shape {m[k].shape}, first row {np.array2string(m[k][0][:4], precision=6)}...")
    if args.npz:
        try:
            np.savez(args.npz, **{k: m[k] for k in ("W_in", "W", "W_out", "b_h", "b_out")})
        except OSError as e:
            print(f"error: cannot write {args.npz}: {e.strerror}", file=sys.stderr)
            sys.exit(2)
        print(f"saved the weights to {args.npz}")
    if m["I"] == 2 and m["O"] == 1 and m["kind"] != "stream state":
        exact, pairs, bits_right, bits = addition_accuracy(m)
        print(f"the course's forward pass (numpy, float64): exact accuracy {exact}/{pairs} pairs, "
              f"bits right {bits_right}/{bits}")


if __name__ == "__main__":
    try:
        main()
        sys.stdout.flush()
    except BrokenPipeError:
        # The reader closed the pipe: stop quietly, and point standard output at /dev/null so
        # that Python's own flush at exit does not fail again (the recipe of Python's docs on
        # SIGPIPE).
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(0)
