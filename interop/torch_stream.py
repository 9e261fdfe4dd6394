#!/usr/bin/python3
"""Compares the residual stream that `icl probe` writes with torch_model.py's
hidden states (the PyTorch model written from docs/design.md alone).

Usage: torch_stream.py MODEL.safetensors PROMPTS.npz ACTIVATIONS.npz [--tol 1e-5]
Runs torch_model.py's module in float64 on the prompts, keeping the hidden
state (B, 2N, C) after the embedding (read-in plus position embeddings) and
after each block, and compares its rows at the x-tokens (0, 2, ..., 2N-2)
with ACTIVATIONS.npz's stream_0 .. stream_L (B, N, C), and the final
LayerNorm of the last one with readout_input. Every stream_l of the model
must be in the file. Exit status 0 iff every |torch - icl| is <= tol.
"""
import argparse, os, sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_model import load_model  # noqa: E402


def hidden_states(m, xs, ys):
    """The hidden states of m on xs (B, N, d), ys (B, N): a list of L+1
    (B, 2N, C) tensors, after the embedding and after each block, and the
    final LayerNorm of the last, as torch_model.ICLGPT2.forward computes
    them (no family indicator)."""
    B, N, d = xs.shape
    yt = torch.zeros_like(xs)
    yt[:, :, 0] = ys
    z = torch.stack((xs, yt), dim=2).reshape(B, 2 * N, d)
    if m.F > 0:
        z = torch.cat((z, torch.zeros(B, 2 * N, m.F, dtype=xs.dtype)), dim=2)
    h = m.read_in(z) + m.wpe[: 2 * N]
    out = [h]
    for blk in m.blocks:
        h = blk(h)
        out.append(h)
    return out, m.ln_f(h)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("weights"), ap.add_argument("prompts"), ap.add_argument("activations")
    ap.add_argument("--tol", type=float, default=1e-5)
    a = ap.parse_args()
    m = load_model(a.weights)
    p = np.load(a.prompts)
    xs, ys = torch.from_numpy(p["xs"].astype(np.float64)), torch.from_numpy(p["ys"].astype(np.float64))
    act = np.load(a.activations)
    with torch.no_grad():
        states, lnf = hidden_states(m, xs, ys)
    pairs = [("stream_%d" % l, s[:, 0::2].numpy()) for l, s in enumerate(states)]
    pairs.append(("readout_input", lnf[:, 0::2].numpy()))
    worst = 0.0
    for name, ours in pairs:
        if name not in act.files:
            raise SystemExit("%s has no %s (run icl probe with -layers all)" % (a.activations, name))
        icl = act[name].astype(np.float64)
        if icl.shape != ours.shape:
            raise SystemExit("%s: shape mismatch: icl %s, torch %s" % (name, icl.shape, ours.shape))
        diff = np.abs(ours - icl).max()
        worst = max(worst, diff)
        print("torch_stream: %-13s (B, N, C) = %s  max|torch| = %.4g  max abs diff = %.3e"
              % (name, ours.shape, np.abs(ours).max(), diff))
    ok = worst <= a.tol
    print("RESULT %s streams=%d max_abs_diff=%.6e (tol %.0e)" % ("OK" if ok else "FAIL", len(pairs) - 1, worst, a.tol))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
