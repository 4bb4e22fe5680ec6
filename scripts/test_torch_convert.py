#!/usr/bin/env python3
"""Tests of scripts/torch_convert.py on arrays laid out as PyTorch lays them (numpy only):
round trips both ways, what each array becomes, and what it refuses.

    python3 scripts/test_torch_convert.py

The converted weights running as PyTorch's formulas say is tests/torch_reference.rs's part.
"""

import os
import struct
import subprocess
import sys
import tempfile
import unittest
import zlib

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torch_convert as tc  # noqa: E402

SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "torch_convert.py")


def state_dict(gates, i=2, h=5, o=3, seed=0, rnn="rnn.", fc="fc.", bias=True, fc_bias=True):
    """A state_dict as PyTorch's layers name and shape it, with distinct values."""
    rng = np.random.default_rng(seed)
    s = {rnn + "weight_ih_l0": rng.normal(size=(gates * h, i)),
         rnn + "weight_hh_l0": rng.normal(size=(gates * h, h))}
    if bias:
        s[rnn + "bias_ih_l0"] = rng.normal(size=gates * h)
        s[rnn + "bias_hh_l0"] = rng.normal(size=gates * h)
    s[fc + "weight"] = rng.normal(size=(o, h))
    if fc_bias:
        s[fc + "bias"] = rng.normal(size=o)
    return {k: v.astype(np.float32) for k, v in s.items()}


class RoundTrips(unittest.TestCase):
    def test_gated_cells_both_ways_bit_for_bit(self):
        for gates, cell in ((3, "gru"), (4, "lstm")):
            s = state_dict(gates)
            rec = tc.to_record(s, "softmax")
            self.assertEqual(rec[:4], b"TRGM")
            self.assertEqual(rec[12], gates)
            back, got_cell, output = tc.to_state_dict(rec)
            self.assertEqual((got_cell, output), (cell, "softmax"))
            self.assertEqual(sorted(back), sorted(s))
            for k in s:
                np.testing.assert_array_equal(back[k], s[k], err_msg=k)
            self.assertEqual(tc.to_record(back, "softmax"), rec)

    def test_elman_sums_its_two_biases(self):
        s = state_dict(1)
        rec = tc.to_record(s, "sigmoid")
        self.assertEqual((rec[:4], rec[12], rec[14]), (b"TRNM", 1, 0))
        back, cell, output = tc.to_state_dict(rec, "cell.", "head.")
        self.assertEqual((cell, output), ("rnn", "sigmoid"))
        np.testing.assert_array_equal(back["cell.bias_ih_l0"], s["rnn.bias_ih_l0"] + s["rnn.bias_hh_l0"])
        np.testing.assert_array_equal(back["cell.bias_hh_l0"], np.zeros(5, np.float32))
        np.testing.assert_array_equal(back["cell.weight_hh_l0"], s["rnn.weight_hh_l0"])
        np.testing.assert_array_equal(back["head.weight"], s["fc.weight"])
        # Once summed, the record is the same.
        self.assertEqual(tc.to_record({k.replace("cell.", "rnn.").replace("head.", "fc."): v
                                       for k, v in back.items()}, "sigmoid"), rec)


class Layout(unittest.TestCase):
    def test_each_gate_block_is_transposed_in_pytorchs_gate_order(self):
        i, h, o = 2, 5, 3
        s = state_dict(3, i, h, o)
        cell, gi, gh, go, biases, arrays = tc.from_state_dict(s)
        self.assertEqual((cell, gi, gh, go, biases), ("gru", i, h, o, True))
        w_x, w_h, w_out, b_x, b_h, b_out = arrays
        self.assertEqual((w_x.shape, w_h.shape, w_out.shape, b_x.shape), ((3, i, h), (3, h, h), (h, o), (3, h)))
        # Gate 1 (z), row 4 of PyTorch's block, column 1 is w_x[1][1][4]: x · W_xz's unit 4.
        self.assertEqual(w_x[1, 1, 4], s["rnn.weight_ih_l0"][h + 4, 1])
        self.assertEqual(w_h[2, 3, 0], s["rnn.weight_hh_l0"][2 * h + 0, 3])
        self.assertEqual(w_out[4, 2], s["fc.weight"][2, 4])
        self.assertEqual(b_h[2, 1], s["rnn.bias_hh_l0"][2 * h + 1])
        # The record holds them in that order, after the 16-byte header.
        rec = tc.to_record(s)
        first = struct.unpack_from("<f", rec, 16 + 4 * (1 * i * h + 1 * h + 4))[0]
        self.assertEqual(np.float32(first), w_x[1, 1, 4])

    def test_missing_biases_are_zero_and_any_bias_turns_them_on(self):
        s = state_dict(4, bias=False, fc_bias=False)
        *_, biases, arrays = tc.from_state_dict(s)
        self.assertFalse(biases)
        self.assertTrue(all((a == 0).all() for a in arrays[3:]))
        s = state_dict(4, bias=False)
        self.assertTrue(tc.from_state_dict(s)[4])
        # A record without biases goes back to PyTorch with zero biases.
        back, _, _ = tc.to_state_dict(tc.to_record(state_dict(3, bias=False, fc_bias=False)))
        self.assertTrue((back["rnn.bias_hh_l0"] == 0).all() and (back["fc.bias"] == 0).all())

    def test_the_keys_are_found_under_any_prefix(self):
        s = state_dict(3, rnn="encoder.gru.", fc="head.")
        self.assertEqual(tc.to_record(s), tc.to_record(state_dict(3)))


class Refusals(unittest.TestCase):
    def refused(self, s, words):
        with self.assertRaises(tc.ConvertError) as e:
            tc.to_record(s)
        self.assertIn(words, str(e.exception))

    def test_what_does_not_convert(self):
        s = state_dict(3)
        self.refused({**s, "rnn.weight_ih_l1": s["rnn.weight_ih_l0"]}, "one unidirectional layer")
        self.refused({**s, "rnn.weight_ih_l0_reverse": s["rnn.weight_ih_l0"]}, "one unidirectional layer")
        self.refused({**s, "rnn.weight_hr_l0": np.zeros((2, 5), np.float32)}, "without projection")
        self.refused({**s, "rnn.weight_hh_l0": np.zeros((10, 5), np.float32)}, "not 1, 3 or 4 gates")
        self.refused({**s, "rnn.weight_ih_l0": np.zeros((12, 2), np.float32)}, "not the same gates")
        self.refused({**s, "fc.weight": np.zeros((3, 4), np.float32)}, "not (outputs, 5)")
        self.refused({**s, "rnn.bias_hh_l0": np.zeros(14, np.float32)}, "bias_hh_l0 is (14,)")
        self.refused({**s, "other.weight": s["fc.weight"]}, "more than one array ends in weight")
        self.refused({**s, "extra": np.zeros(1)}, "neither the recurrent layer's nor the Linear's")
        bad = dict(s)
        bad["rnn.weight_hh_l0"] = bad["rnn.weight_hh_l0"].copy()
        bad["rnn.weight_hh_l0"][0, 0] = np.nan
        self.refused(bad, "not finite")
        with self.assertRaises(tc.ConvertError):
            tc.to_record(s, "relu")

    def test_records_are_checked_as_the_rust_reader_checks_them(self):
        rec = bytearray(tc.to_record(state_dict(4)))
        for edit, words in (((0, b"X"), "bad magic"), ((4, b"\x02"), "unsupported version"),
                            ((12, b"\x05"), "not a GRU"), ((100, b"\x00\x00"), "bad checksum")):
            bad = bytearray(rec)
            bad[edit[0]:edit[0] + len(edit[1])] = edit[1]
            with self.assertRaises(tc.ConvertError) as e:
                tc.to_state_dict(bytes(bad))
            self.assertIn(words, str(e.exception))
        with self.assertRaises(tc.ConvertError):
            tc.to_state_dict(bytes(rec[:-1]))
        # A sigmoid Elman network has no nn.RNN to go to.
        elman = bytearray(tc.to_record(state_dict(1)))
        elman[12] = 0
        elman[-4:] = struct.pack("<I", zlib.crc32(bytes(elman[:-4])))
        with self.assertRaises(tc.ConvertError) as e:
            tc.to_state_dict(bytes(elman))
        self.assertIn("sigmoid", str(e.exception))


class CommandLine(unittest.TestCase):
    def run_script(self, *args):
        return subprocess.run([sys.executable, SCRIPT, *args], capture_output=True, text=True)

    def test_both_commands_and_their_exit_statuses(self):
        with tempfile.TemporaryDirectory() as tmp:
            npz, rec, back = (os.path.join(tmp, n) for n in ("m.npz", "m.trgm", "back.npz"))
            np.savez(npz, **state_dict(3))
            r = self.run_script("to-record", npz, rec, "--output", "sigmoid")
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertIn("GRU 2-5-3, sigmoid output", r.stdout)
            r = self.run_script("to-npz", rec, back)
            self.assertEqual(r.returncode, 0, r.stderr)
            with np.load(back) as z, open(rec, "rb") as f:
                self.assertEqual(tc.to_record({k: z[k] for k in z.files}, "sigmoid"), f.read())
            # Not a record: 1. A missing file or a bad flag: 2. Nothing is written either way.
            self.assertEqual(self.run_script("to-npz", npz, os.path.join(tmp, "x.npz")).returncode, 1)
            self.assertEqual(self.run_script("to-npz", os.path.join(tmp, "none"), back).returncode, 2)
            self.assertEqual(self.run_script("to-record", npz, rec, "--output", "tanh").returncode, 2)
            self.assertFalse(os.path.exists(os.path.join(tmp, "x.npz")))


if __name__ == "__main__":
    unittest.main()
