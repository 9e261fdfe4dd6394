#!/usr/bin/python3
"""Trains the PyTorch module of torch_model.py on dense linear regression, to
compare icl's training dynamics with PyTorch's (a manual check, minutes long).

Usage: torch_train.py [--init garg|gpt2] [--d 5 --n 11 --L 3 --C 64 --H 2]
                      [--lr 1e-3 --steps 4000 --batch 64 --seed 1]
                      [--precision fp32|bf16] [--every 500]

Adam at a constant learning rate, no clipping, one torch thread; prints every
500 steps the normalized squared error per position (mean over 1024 fixed
prompts, divided by d so the zero predictor scores ~1). --init garg is Garg et
al.'s model and icl's: GPT-2's N(0, 0.02^2) inside the transformer (residual
projections scaled by 1/sqrt(2L)) and nn.Linear's default for the read-in and
read-out; --init gpt2 puts N(0, 0.02^2) on those two as well. The icl run to
compare with is 'icl train -config' of the same sizes with
schedule: {kind: constant, lr: 0.001} and no grad_clip.

--precision bf16 runs the forward passes (training and evaluation) under
torch.autocast("cpu", dtype=torch.bfloat16), PyTorch's mixed precision: matrix
products in bf16, parameters, Adam and the loss in float32. The same run at
fp32 and at bf16 shows how far bf16 products move PyTorch's training curve, to
hold against how far they move icl's (train.precision bf16 against fp32).
"""
import argparse, contextlib, math, os, sys, time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_model import ICLGPT2


def main():
    ap = argparse.ArgumentParser()
    for name, v in (("d", 5), ("n", 11), ("L", 3), ("C", 64), ("H", 2), ("steps", 4000), ("batch", 64), ("seed", 1), ("every", 500)):
        ap.add_argument("--" + name, type=int, default=v)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--init", choices=("garg", "gpt2"), default="garg")
    ap.add_argument("--precision", choices=("fp32", "bf16"), default="fp32")
    a = ap.parse_args()
    torch.set_num_threads(1)
    torch.manual_seed(a.seed)
    m = ICLGPT2(a.d, 2 * a.n, a.L, a.C, a.H)  # read_in / read_out keep nn.Linear's default init
    for name, p in m.named_parameters():
        if name.startswith("read_") and a.init == "garg":
            continue
        if name.endswith("bias"):
            torch.nn.init.zeros_(p)
        elif ".ln_" in name or name.startswith("ln_"):
            torch.nn.init.ones_(p)
        elif name.endswith("c_proj.weight") or name.endswith("mlp_proj.weight"):
            torch.nn.init.normal_(p, 0, 0.02 / math.sqrt(2 * a.L))
        else:
            torch.nn.init.normal_(p, 0, 0.02)
    opt = torch.optim.Adam(m.parameters(), lr=a.lr)
    g = torch.Generator().manual_seed(a.seed + 100)

    def sample(B, gen):
        xs = torch.randn(B, a.n, a.d, generator=gen)
        w = torch.randn(B, a.d, 1, generator=gen)
        return xs, (xs @ w)[:, :, 0]

    exs, eys = sample(1024, torch.Generator().manual_seed(7))

    def ctx():
        if a.precision == "bf16":
            return torch.autocast("cpu", dtype=torch.bfloat16)
        return contextlib.nullcontext()

    t0 = time.time()
    for s in range(a.steps + 1):
        if s % a.every == 0:
            with torch.no_grad(), ctx():
                pe = ((m(exs, eys).float() - eys) ** 2).mean(0) / a.d
            print("step %5d  mean %.3f  per position %s  (%.0f s)" % (
                s, pe.mean().item(), " ".join("%.2f" % v for v in pe.tolist()), time.time() - t0), flush=True)
        if s == a.steps:
            break
        xs, ys = sample(a.batch, g)
        with ctx():
            pred = m(xs, ys)
        loss = ((pred.float() - ys) ** 2).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()


if __name__ == "__main__":
    main()
