#!/usr/bin/python3
"""Times one PyTorch training step (forward, backward, AdamW) of the same model
as `icl bench`, on this machine, for a same-machine speed comparison.

Usage: torch_bench.py [--threads N] [--presets quick,small,medium,garg-tiny,garg-small,garg-standard]
                      [--seconds S] [--precision fp32,bf16]
Uses the module of torch_model.py (written from docs/design.md alone). --precision bf16
runs the step under torch.autocast("cpu", dtype=torch.bfloat16), PyTorch's counterpart of
`icl bench -precision bf16` (its matrix products in bf16, float32 parameters and AdamW);
fp32,bf16 times both, one after the other, as `icl bench -precision fp32,bf16` does.

Time it against icl in one window, one thread each; on the machines where OpenBLAS is
pinned to an older kernel, unset the pins in the timing command alone:
  env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python3 interop/torch_bench.py --precision fp32,bf16
"""
import argparse, contextlib, time

import torch

from torch_model import ICLGPT2

# (d, points, layers, width, heads), as `icl bench` names them: the models the
# quick, small and medium scales train, then Garg et al.'s sizes.
PRESETS = {
    "quick": (5, 11, 2, 32, 2),
    "small": (8, 17, 4, 64, 4),
    "medium": (8, 17, 6, 128, 4),
    "garg-tiny": (5, 11, 3, 64, 2),
    "garg-small": (10, 21, 6, 128, 4),
    "garg-standard": (20, 41, 12, 256, 8),
}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--presets", default="quick,small,medium,garg-tiny,garg-small,garg-standard")
    ap.add_argument("--seconds", type=float, default=4)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--precision", default="fp32")
    a = ap.parse_args()
    precs = a.precision.split(",")
    for p in precs:
        if p not in ("fp32", "bf16"):
            ap.error("--precision %r: want fp32, bf16 or both, comma-separated" % a.precision)
    torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    print("torch %s, %d torch threads, batch %d" % (torch.__version__, torch.get_num_threads(), a.batch))
    for name in a.presets.split(","):
        for prec in precs:
            d, n, L, C, H = PRESETS[name]
            m = ICLGPT2(d, 2 * n, L, C, H)
            opt = torch.optim.AdamW(m.parameters(), lr=1e-4, weight_decay=0)
            xs, ys = torch.randn(a.batch, n, d), torch.randn(a.batch, n)

            def step():
                opt.zero_grad(set_to_none=True)
                ctx = torch.autocast("cpu", dtype=torch.bfloat16) if prec == "bf16" else contextlib.nullcontext()
                with ctx:
                    pred = m(xs, ys)
                loss = ((pred.float() - ys) ** 2).mean()
                loss.backward()
                opt.step()

            step()
            steps, t0 = 0, time.perf_counter()
            while steps < 3 or time.perf_counter() - t0 < a.seconds:
                step()
                steps += 1
            print("%-9s %-4s %9.2f ms/step" % (name, prec, (time.perf_counter() - t0) / steps * 1e3))


if __name__ == "__main__":
    main()
