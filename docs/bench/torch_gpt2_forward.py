#!/usr/bin/python3
"""PyTorch timing of a GPT-2 forward pass on parameters read from a safetensors file.

Counterpart of the "GPT-2 Large forward" row of `logah bench` (and of `logah bench --vs-torch`):
the same file (Hugging Face GPT2LMHeadModel names, Conv1D weights stored (in, out)), the same 73
token ids (7·i mod vocab), evaluation mode. Plain torch (transformers is not packaged in
Debian): an eager re-implementation of GPT2LMHeadModel's forward, gelu_new, LayerNorm eps 1e-5.

    /usr/bin/python3 docs/bench/torch_gpt2_forward.py FILE.safetensors [--layers 36 --heads 20]
        [--tokens 73] [--threads N] [--json OUT]

Prints the time to read the file into tensors, the time of the forward pass, and their sum.
The safetensors reader is numpy over the raw file (no safetensors package needed).
"""
import argparse
import json
import math
import os
import struct
import time

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import numpy as np
import torch
import torch.nn.functional as F


def read_safetensors(path):
    """All tensors of a safetensors file as torch tensors (copied out of the file)."""
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        base = 8 + n
        out = {}
        for name, info in header.items():
            if name == "__metadata__":
                continue
            if info["dtype"] != "F32":
                raise SystemExit(f"{name}: dtype {info['dtype']}, only F32 is read here")
            start, end = info["data_offsets"]
            f.seek(base + start)
            arr = np.frombuffer(f.read(end - start), dtype="<f4").reshape(info["shape"])
            out[name] = torch.from_numpy(arr.copy())
    return out


def forward(w, tokens, layers, heads):
    T = tokens.shape[1]
    x = w["transformer.wte.weight"][tokens] + w["transformer.wpe.weight"][:T]
    mask = torch.ones(T, T, dtype=torch.bool).tril()
    for l in range(layers):
        p = f"transformer.h.{l}."
        h = F.layer_norm(x, x.shape[-1:], w[p + "ln_1.weight"], w[p + "ln_1.bias"], 1e-5)
        qkv = h @ w[p + "attn.c_attn.weight"] + w[p + "attn.c_attn.bias"]
        q, k, v = qkv.split(x.shape[-1], dim=-1)
        B, D = x.shape[0], x.shape[-1]
        q, k, v = (t.view(B, T, heads, D // heads).transpose(1, 2) for t in (q, k, v))
        att = (q @ k.transpose(-1, -2)) / math.sqrt(D // heads)
        att = att.masked_fill(~mask, torch.finfo(att.dtype).min).softmax(-1)
        y = (att @ v).transpose(1, 2).reshape(B, T, D)
        x = x + y @ w[p + "attn.c_proj.weight"] + w[p + "attn.c_proj.bias"]
        h = F.layer_norm(x, x.shape[-1:], w[p + "ln_2.weight"], w[p + "ln_2.bias"], 1e-5)
        h = F.gelu(h @ w[p + "mlp.c_fc.weight"] + w[p + "mlp.c_fc.bias"], approximate="tanh")
        x = x + h @ w[p + "mlp.c_proj.weight"] + w[p + "mlp.c_proj.bias"]
    x = F.layer_norm(x, x.shape[-1:], w["transformer.ln_f.weight"], w["transformer.ln_f.bias"], 1e-5)
    head = w.get("lm_head.weight", w["transformer.wte.weight"])
    return x @ head.t()


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("file")
    p.add_argument("--layers", type=int, default=36)
    p.add_argument("--heads", type=int, default=20)
    p.add_argument("--tokens", type=int, default=73)
    p.add_argument("--threads", type=int, default=0, help="torch.set_num_threads (0: torch's default)")
    p.add_argument("--json", default="")
    opts = p.parse_args()
    if opts.threads:
        torch.set_num_threads(opts.threads)
    t0 = time.perf_counter()
    w = read_safetensors(opts.file)
    t1 = time.perf_counter()
    vocab = w["transformer.wte.weight"].shape[0]
    tokens = torch.tensor([[(7 * i) % vocab for i in range(opts.tokens)]])
    with torch.no_grad():
        logits = forward(w, tokens, opts.layers, opts.heads)
    t2 = time.perf_counter()
    res = {"threads": torch.get_num_threads(), "load_s": t1 - t0, "forward_s": t2 - t1, "total_s": t2 - t0,
           "logits_sum": float(logits.double().sum()), "logits_0_0": float(logits[0, 0, 0])}
    print(f"torch {torch.__version__}, {res['threads']} threads: read {res['load_s']:.2f} s, "
          f"forward of {opts.tokens} tokens {res['forward_s']:.2f} s, total {res['total_s']:.2f} s "
          f"(logits[0,0,0] = {res['logits_0_0']:.6g})")
    if opts.json:
        with open(opts.json, "w") as f:
            json.dump(res, f, indent=1)


if __name__ == "__main__":
    main()
