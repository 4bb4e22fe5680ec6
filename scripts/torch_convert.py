#!/usr/bin/env python3
"""Moves weights between PyTorch and tinyrnn: a PyTorch `state_dict` saved as an `.npz` (one
`nn.RNN`, `nn.GRU` or `nn.LSTM` layer and the `nn.Linear` on it) into a tinyrnn model record,
and a record back into such an `.npz`. numpy only: PyTorch is not needed here.

Train in PyTorch, run on the board:

    # in PyTorch: model.rnn = nn.GRU(2, 16, batch_first=True), model.fc = nn.Linear(16, 1)
    np.savez("gru.npz", **{k: v.numpy() for k, v in model.state_dict().items()})

    python3 scripts/torch_convert.py to-record gru.npz gru.trgm --output sigmoid
    # on the board: static MODEL: Gru<2, 16, 1> = match Gru::from_bytes(include_bytes!("gru.trgm")) ...

and back, to go on training a tinyrnn model in PyTorch:

    python3 scripts/torch_convert.py to-npz gru.trgm gru.npz --rnn-prefix rnn. --linear-prefix fc.
    # in PyTorch: model.load_state_dict({k: torch.from_numpy(v) for k, v in np.load("gru.npz").items()})

The cell is read from the arrays' shapes (`weight_ih_l0` holds 1, 3 or 4 gates of `hidden_size`
rows): an Elman `nn.RNN` becomes a `.trnm` record (`Rnn`), a GRU or an LSTM a `.trgm` record
(`Gru`, `Lstm`). PyTorch's `batch_first` does not change the weights. The layouts:

- PyTorch keeps each gate's input weights as `hidden × input` rows, stacked in its gate order
  (GRU r, z, n; LSTM i, f, g, o), and computes `x W^T + b`; tinyrnn keeps `x · W` with `W`
  `input × hidden`, gate by gate in the same order: each block is transposed.
- The Elman network has one hidden bias: `bias_ih_l0 + bias_hh_l0` (summed in float32, as
  PyTorch's forward adds them); back in PyTorch it is `bias_ih_l0`, with `bias_hh_l0` zero. The
  gated cells keep both, as PyTorch does (the GRU's candidate uses `b_hn` on its own).
- The `nn.Linear` on the state is `w_out = weight^T`, `b_out = bias`. What follows it is the
  record's output layer, which a `state_dict` does not hold: `--output sigmoid` if the model was
  trained with `BCEWithLogitsLoss`, `softmax` with `CrossEntropyLoss`, `linear` (the default)
  with `MSELoss` on the raw outputs.
- Biases are on in the record if any of them is in the `state_dict` (a missing one, from
  `bias=False`, is zero). An `nn.RNN` must have its default `nonlinearity="tanh"`, which the
  `state_dict` does not hold either; `relu` has no tinyrnn counterpart.

Refused, with a message and exit status 1: several layers (`weight_ih_l1`), bidirectional
layers (`_reverse`), an LSTM with `proj_size`, arrays of inconsistent shapes, a value that is not
finite, a record that is not valid (its checks are the Rust reader's). Exit status 2: a bad
command line or a file that cannot be read or written.
"""

import argparse
import re
import struct
import sys
import zlib

import numpy as np

OUTPUTS = ("sigmoid", "linear", "softmax")
GATES = {1: "rnn", 3: "gru", 4: "lstm"}
CRC_LEN = 4
HEADER = 16


class ConvertError(Exception):
    """The arrays or the record cannot be converted; the message says why."""


def _pick(state, suffix, required=True):
    """The one array whose key ends in `suffix` (after a `.` or at the start)."""
    keys = [k for k in state if k == suffix or k.endswith("." + suffix)]
    if len(keys) > 1:
        raise ConvertError(f"more than one array ends in {suffix}: {', '.join(sorted(keys))}")
    if not keys:
        if required:
            raise ConvertError(f"no array ends in {suffix}")
        return None, None
    return keys[0], np.asarray(state[keys[0]])


def _linear(state, used):
    """The `nn.Linear` on the recurrent layer: the one `weight` (and `bias`) not the layer's."""
    rest = {k: v for k, v in state.items() if k not in used}
    w_key, w = _pick(rest, "weight")
    b_key, b = _pick(rest, "bias", required=False)
    extra = set(rest) - {w_key, b_key}
    if extra:
        raise ConvertError(f"arrays neither the recurrent layer's nor the Linear's: {', '.join(sorted(extra))}")
    return w, b


def from_state_dict(state):
    """The tinyrnn parameters of a PyTorch `state_dict` (a mapping of names to arrays): returns
    (cell, I, H, O, biases, arrays) with `arrays` in the record's order, float32."""
    for k in state:
        if "_reverse" in k or k.endswith("weight_hr_l0") or re.search(r"_l[1-9][0-9]*$", k):
            raise ConvertError(f"{k}: only one unidirectional layer without projection converts")
    used = set()
    k_ih, w_ih = _pick(state, "weight_ih_l0")
    k_hh, w_hh = _pick(state, "weight_hh_l0")
    used |= {k_ih, k_hh}
    b_keys = [_pick(state, s, required=False) for s in ("bias_ih_l0", "bias_hh_l0")]
    used |= {k for k, _ in b_keys if k}
    if w_hh.ndim != 2 or w_ih.ndim != 2:
        raise ConvertError("weight_ih_l0 and weight_hh_l0 must be matrices")
    h = w_hh.shape[1]
    if h == 0 or w_hh.shape[0] % h or w_hh.shape[0] // h not in GATES:
        raise ConvertError(f"weight_hh_l0 is {w_hh.shape}: not 1, 3 or 4 gates of {h} rows")
    g = w_hh.shape[0] // h
    i = w_ih.shape[1]
    if w_ih.shape != (g * h, i):
        raise ConvertError(f"weight_ih_l0 is {w_ih.shape}, weight_hh_l0 {w_hh.shape}: not the same gates")
    w_lin, b_lin = _linear(state, used)
    if w_lin.ndim != 2 or w_lin.shape[1] != h:
        raise ConvertError(f"the Linear's weight is {w_lin.shape}: not (outputs, {h})")
    o = w_lin.shape[0]
    b_ih, b_hh = (b if b is not None else None for _, b in b_keys)
    for name, b, n in (("bias_ih_l0", b_ih, g * h), ("bias_hh_l0", b_hh, g * h), ("the Linear's bias", b_lin, o)):
        if b is not None and b.shape != (n,):
            raise ConvertError(f"{name} is {b.shape}, not ({n},)")
    biases = any(b is not None for b in (b_ih, b_hh, b_lin))
    zeros = np.zeros(g * h, np.float32)
    b_ih = np.float32(zeros if b_ih is None else b_ih)
    b_hh = np.float32(zeros if b_hh is None else b_hh)
    b_out = np.zeros(o, np.float32) if b_lin is None else np.float32(b_lin)
    f32 = np.float32
    # Each gate's block, (H, I) in PyTorch, is (I, H) here.
    w_x = f32(w_ih).reshape(g, h, i).transpose(0, 2, 1)
    w_h = f32(w_hh).reshape(g, h, h).transpose(0, 2, 1)
    w_out = f32(w_lin).T
    if g == 1:
        arrays = [w_x[0], w_h[0], w_out, (b_ih + b_hh).astype(np.float32), b_out]
    else:
        arrays = [w_x, w_h, w_out, b_ih.reshape(g, h), b_hh.reshape(g, h), b_out]
    if not all(np.isfinite(a).all() for a in arrays):
        raise ConvertError("a weight or bias is not finite")
    return GATES[g], i, h, o, biases, arrays


def to_record(state, output="linear"):
    """The bytes of the tinyrnn record of a PyTorch `state_dict`: a model record (`TRNM`) for
    an Elman `nn.RNN` (tanh), a gated model record (`TRGM`) for a GRU or an LSTM."""
    cell, i, h, o, biases, arrays = from_state_dict(state)
    if output not in OUTPUTS:
        raise ConvertError(f"output layer {output}: one of {', '.join(OUTPUTS)}")
    if cell == "rnn":
        # Magic, version 1, shape, activation 1 (tanh), flags, output, reserved.
        head = b"TRNM" + struct.pack("<4H4B", 1, i, h, o, 1, int(biases), OUTPUTS.index(output), 0)
    else:
        head = b"TRGM" + struct.pack("<4H4B", 1, i, h, o, 3 if cell == "gru" else 4,
                                      int(biases), OUTPUTS.index(output), 0)
    body = b"".join(np.ascontiguousarray(a, dtype="<f4").tobytes() for a in arrays)
    rec = head + body
    return rec + struct.pack("<I", zlib.crc32(rec))


def read_record(buf):
    """Parses a model record (`TRNM`) or a gated model record (`TRGM`) with every check the
    Rust reader makes: returns (cell, I, H, O, biases, output, arrays)."""
    if len(buf) < HEADER:
        raise ConvertError("too short for a header")
    magic = bytes(buf[:4])
    if magic not in (b"TRNM", b"TRGM"):
        raise ConvertError(f"bad magic {magic!r}: not a model record")
    version, i, h, o, code, flags, out, reserved = struct.unpack_from("<4H4B", buf, 4)
    if version != 1:
        raise ConvertError(f"unsupported version {version}")
    if magic == b"TRNM":
        g, cell = 1, "rnn"
        if code != 1:
            raise ConvertError("a sigmoid Elman network has no PyTorch counterpart (nn.RNN is tanh or relu)")
    else:
        if code not in (3, 4):
            raise ConvertError(f"gated record of {code} gates: not a GRU (3) nor an LSTM (4)")
        g, cell = code, GATES[code]
    shapes = [(g, i, h), (g, h, h), (h, o)] if g > 1 else [(i, h), (h, h), (h, o)]
    shapes += [(g, h), (g, h), (o,)] if g > 1 else [(h,), (o,)]
    p = sum(int(np.prod(s)) for s in shapes)
    length = HEADER + 4 * p + CRC_LEN
    if len(buf) < length:
        raise ConvertError(f"too short: {len(buf)} bytes, the record takes {length}")
    (crc,) = struct.unpack_from("<I", buf, length - CRC_LEN)
    if zlib.crc32(bytes(buf[:length - CRC_LEN])) != crc:
        raise ConvertError("bad checksum")
    if out >= len(OUTPUTS) or flags & ~1 or reserved:
        raise ConvertError("invalid output layer, flags or reserved byte")
    arrays, offset = [], HEADER
    for s in shapes:
        n = int(np.prod(s))
        arrays.append(np.frombuffer(buf, "<f4", n, offset).reshape(s).astype(np.float32))
        offset += 4 * n
    if not all(np.isfinite(a).all() for a in arrays):
        raise ConvertError("a weight or bias is not finite")
    return cell, i, h, o, bool(flags & 1), OUTPUTS[out], arrays


def to_state_dict(buf, rnn_prefix="rnn.", linear_prefix="fc."):
    """The PyTorch `state_dict` (names to float32 arrays) of a model record: what
    `load_state_dict` takes for an `nn.RNN`/`nn.GRU`/`nn.LSTM` named by `rnn_prefix` and an
    `nn.Linear` by `linear_prefix`, both with biases. Returns (state, cell, output)."""
    cell, i, h, o, biases, output, arrays = read_record(buf)
    g = {"rnn": 1, "gru": 3, "lstm": 4}[cell]
    w_x, w_h, w_out = arrays[:3]
    if g == 1:
        w_x, w_h = w_x[None], w_h[None]
    state = {
        rnn_prefix + "weight_ih_l0": np.ascontiguousarray(w_x.transpose(0, 2, 1).reshape(g * h, i)),
        rnn_prefix + "weight_hh_l0": np.ascontiguousarray(w_h.transpose(0, 2, 1).reshape(g * h, h)),
    }
    if g == 1:
        b_ih, b_hh = arrays[3], np.zeros(h, np.float32)
    else:
        b_ih, b_hh = arrays[3].reshape(g * h), arrays[4].reshape(g * h)
    b_out = arrays[-1]
    if not biases:
        # The record's biases take no part: PyTorch's layers, biased by default, get zeros.
        b_ih, b_hh, b_out = np.zeros_like(b_ih), np.zeros_like(b_hh), np.zeros_like(b_out)
    state[rnn_prefix + "bias_ih_l0"] = b_ih
    state[rnn_prefix + "bias_hh_l0"] = b_hh
    state[linear_prefix + "weight"] = np.ascontiguousarray(w_out.T)
    state[linear_prefix + "bias"] = b_out
    return state, cell, output


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="command", required=True)
    a = sub.add_parser("to-record", help="a PyTorch state_dict (.npz) into a tinyrnn record")
    a.add_argument("npz")
    a.add_argument("record")
    a.add_argument("--output", choices=OUTPUTS, default="linear",
                   help="the output layer after the Linear (default: linear)")
    b = sub.add_parser("to-npz", help="a tinyrnn model record into a PyTorch state_dict (.npz)")
    b.add_argument("record")
    b.add_argument("npz")
    b.add_argument("--rnn-prefix", default="rnn.", help="the recurrent layer's name and a dot (default: rnn.)")
    b.add_argument("--linear-prefix", default="fc.", help="the Linear's name and a dot (default: fc.)")
    args = ap.parse_args()
    try:
        if args.command == "to-record":
            with np.load(args.npz) as z:
                state = {k: z[k] for k in z.files}
        else:
            with open(args.record, "rb") as f:
                buf = f.read()
    except (OSError, ValueError) as e:
        print(f"error: cannot read {args.npz if args.command == 'to-record' else args.record}: {e}",
              file=sys.stderr)
        sys.exit(2)
    try:
        if args.command == "to-record":
            rec = to_record(state, args.output)
            cell, i, h, o, *_ = from_state_dict(state)
            out, what = args.record, f"{cell.upper()} {i}-{h}-{o}, {args.output} output, {len(rec)} bytes"
        else:
            state, cell, output = to_state_dict(buf, args.rnn_prefix, args.linear_prefix)
            out, what = args.npz, f"{cell.upper()}: {', '.join(state)} (the record's output layer: {output})"
    except ConvertError as e:
        print(f"error: {e}", file=sys.stderr)
        sys.exit(1)
    try:
        if args.command == "to-record":
            with open(out, "wb") as f:
                f.write(rec)
        else:
            np.savez(out, **state)
    except OSError as e:
        print(f"error: cannot write {out}: {e.strerror}", file=sys.stderr)
        sys.exit(2)
    print(f"{out}: {what}")


if __name__ == "__main__":
    main()
