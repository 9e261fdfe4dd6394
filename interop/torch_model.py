#!/usr/bin/python3
"""Independent PyTorch implementation of icl's GPT-2 ICL model, written from
docs/design.md section 2 alone (tensor table, token layout, GELU tanh, LayerNorm eps
1e-5, pre-LN blocks, read-out after ln_f), used to check icl's export and model.

Usage: torch_model.py MODEL.safetensors PROMPTS.npz ICL_PREDS.npy [--tol 1e-4]
Loads the weights (safetensors parsed by hand), predicts every position of every
prompt in float64, and compares with `icl predict`'s (B, N) float32 output.
A model with a family indicator (config n_families = F > 0) reads PROMPTS.npz's
"families" (B), each prompt's family index or -1 for none, as the one-hot
indicator appended to every token; without "families" every indicator is zero.
Exit status 0 iff max |torch - icl| <= tol.
"""
import argparse, json, math, struct, sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


def read_safetensors(path):
    """Returns ({name: float64 ndarray}, metadata dict) from a .safetensors file:
    u64 little-endian header size, JSON header {name: {dtype, shape,
    data_offsets: [begin, end)} relative to the byte buffer after the header}."""
    with open(path, "rb") as f:
        raw = f.read()
    (hlen,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + hlen].decode("utf-8"))
    buf = raw[8 + hlen:]
    meta = header.pop("__metadata__", {}) or {}
    dtypes = {"F32": "<f4", "F64": "<f8", "F16": "<f2"}
    out = {}
    for name, t in header.items():
        b, e = t["data_offsets"]
        a = np.frombuffer(buf[b:e], dtype=dtypes[t["dtype"]]).reshape(t["shape"])
        out[name] = a.astype(np.float64)
    return out, meta


class Block(nn.Module):
    def __init__(s, C, H):
        super().__init__()
        s.H = H
        s.ln_1, s.ln_2 = nn.LayerNorm(C, eps=1e-5), nn.LayerNorm(C, eps=1e-5)
        s.c_attn, s.c_proj = nn.Linear(C, 3 * C), nn.Linear(C, C)
        s.c_fc, s.mlp_proj = nn.Linear(C, 4 * C), nn.Linear(4 * C, C)

    def forward(s, x):  # x (B, T, C)
        B, T, C = x.shape
        q, k, v = s.c_attn(s.ln_1(x)).split(C, dim=2)  # q, k, v stacked, heads contiguous
        q, k, v = (t.view(B, T, s.H, C // s.H).transpose(1, 2) for t in (q, k, v))
        att = (q @ k.transpose(-2, -1)) / math.sqrt(C // s.H)
        mask = torch.ones(T, T, dtype=torch.bool).tril()
        att = att.masked_fill(~mask, float("-inf")).softmax(dim=-1)
        x = x + s.c_proj((att @ v).transpose(1, 2).reshape(B, T, C))
        return x + s.mlp_proj(F.gelu(s.c_fc(s.ln_2(x)), approximate="tanh"))


class ICLGPT2(nn.Module):
    def __init__(s, d, T, L, C, H, F=0):
        super().__init__()
        s.F = F
        s.read_in = nn.Linear(d + F, C)
        s.wpe = nn.Parameter(torch.zeros(T, C))
        s.blocks = nn.ModuleList(Block(C, H) for _ in range(L))
        s.ln_f = nn.LayerNorm(C, eps=1e-5)
        s.read_out = nn.Linear(C, 1)

    def forward(s, xs, ys, ind=None):  # xs (B, N, d), ys (B, N), ind (B, F) or None -> (B, N)
        B, N, d = xs.shape
        yt = torch.zeros_like(xs)
        yt[:, :, 0] = ys
        z = torch.stack((xs, yt), dim=2).reshape(B, 2 * N, d)  # z_{2i} = x_i, z_{2i+1} = (y_i, 0..)
        if s.F > 0:  # the indicator after the d features of every token
            if ind is None:
                ind = torch.zeros(B, s.F, dtype=xs.dtype)
            z = torch.cat((z, ind[:, None, :].expand(B, 2 * N, s.F)), dim=2)
        h = s.read_in(z) + s.wpe[: 2 * N]
        for blk in s.blocks:
            h = blk(h)
        return s.read_out(s.ln_f(h))[:, 0::2, 0]  # read-out at x-tokens


def load_model(path):
    ts, meta = read_safetensors(path)
    C, e = ts["read_in.weight"].shape  # e = d + F
    T = ts["wpe"].shape[0]
    L = len({k.split(".")[1] for k in ts if k.startswith("blocks.")})
    cfg = json.loads(meta["config"]) if "config" in meta else {}
    H = int(cfg.get("n_head", 0))
    if H <= 0:
        raise SystemExit("no n_head in the file's __metadata__ config: %r" % meta)
    F = int(cfg.get("n_families", 0))
    d = int(cfg.get("n_dims", e - F))
    if d + F != e:
        raise SystemExit("read_in.weight has %d inputs; config n_dims %d + n_families %d" % (e, d, F))
    m = ICLGPT2(d, T, L, C, H, F).double()
    sd = {k: torch.from_numpy(v) for k, v in ts.items()}
    missing, unexpected = m.load_state_dict(sd, strict=False)
    if missing or unexpected:
        raise SystemExit("tensor names differ from docs/design.md: missing %s, unexpected %s" % (missing, unexpected))
    return m


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("weights"), ap.add_argument("prompts"), ap.add_argument("preds")
    ap.add_argument("--tol", type=float, default=1e-4)
    a = ap.parse_args()
    m = load_model(a.weights)
    p = np.load(a.prompts)
    xs, ys = torch.from_numpy(p["xs"].astype(np.float64)), torch.from_numpy(p["ys"].astype(np.float64))
    ind = None
    if "families" in p.files:
        fam = p["families"].astype(np.int64)
        if m.F == 0 or fam.min() < -1 or fam.max() >= m.F:
            raise SystemExit("families %s do not fit a model of %d families" % (np.unique(fam), m.F))
        ind = torch.zeros(len(fam), m.F, dtype=torch.float64)
        shown = fam >= 0
        ind[torch.from_numpy(np.nonzero(shown)[0]), torch.from_numpy(fam[shown])] = 1
        print("torch_model: %d families, %d of %d prompts show theirs" % (m.F, shown.sum(), len(fam)))
    with torch.no_grad():
        ours = m(xs, ys, ind).numpy()
    icl = np.load(a.preds).astype(np.float64)
    if icl.shape != ours.shape:
        raise SystemExit("shape mismatch: icl %s, torch %s" % (icl.shape, ours.shape))
    diff = np.abs(ours - icl)
    i = np.unravel_index(np.argmax(diff), diff.shape)
    print("torch_model: B=%d N=%d  max|pred| = %.4g  max abs diff = %.3e at %s (tol %.0e)"
          % (ours.shape[0], ours.shape[1], np.abs(ours).max(), diff.max(), i, a.tol))
    print("RESULT %s max_abs_diff=%.6e" % ("OK" if diff.max() <= a.tol else "FAIL", diff.max()))
    sys.exit(0 if diff.max() <= a.tol else 1)


if __name__ == "__main__":
    main()
