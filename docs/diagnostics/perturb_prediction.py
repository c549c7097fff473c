#!/usr/bin/python3
"""Perturb a predicted ViT parameter file, to find which part of a prediction fine-tunes slowly.

Reads a safetensors file written by `logah predict` and writes one variant of it:

  scale-pos F     multiply encoder.pos_embedding by F
  scale F         multiply every 2-D weight of the encoder layers (attention in/out projections,
                  MLP) by F
  add-noise SD    add N(0, SD²) noise to those weights (full rank; the predictions have rank ≤ r)
  replace SD      replace those weights by N(0, SD²) noise, keeping the rest of the prediction
                  (patch embedding, positional embedding, LayerNorms, biases, head)

  /usr/bin/python3 docs/diagnostics/perturb_prediction.py IN.safetensors OUT.safetensors add-noise 0.08

Then fine-tune OUT with `bin/logah finetune --init OUT ...`. The noise is drawn from numpy's
default_rng(SEED) (--seed, default 0). Needs numpy only (Debian: python3-numpy).
"""
import argparse
import json
import struct

import numpy as np


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("src")
    ap.add_argument("dst")
    ap.add_argument("op", choices=["scale-pos", "scale", "add-noise", "replace"])
    ap.add_argument("value", type=float)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    rng = np.random.default_rng(args.seed)

    raw = open(args.src, "rb").read()
    n = struct.unpack("<Q", raw[:8])[0]
    header = json.loads(raw[8 : 8 + n])
    data = bytearray(raw[8 + n :])
    changed = 0
    for name, info in sorted(header.items()):
        if name == "__metadata__":
            continue
        if info["dtype"] != "F32":
            raise SystemExit(f"{name}: dtype {info['dtype']}, only F32 files are supported")
        begin, end = info["data_offsets"]
        x = np.frombuffer(bytes(data[begin:end]), dtype=np.float32).copy()
        layer_matrix = len(info["shape"]) == 2 and name.startswith("encoder.layers")
        if args.op == "scale-pos" and name == "encoder.pos_embedding":
            x *= args.value
        elif args.op == "scale" and layer_matrix:
            x *= args.value
        elif args.op == "add-noise" and layer_matrix:
            x += rng.normal(0, args.value, x.shape)
        elif args.op == "replace" and layer_matrix:
            x = rng.normal(0, args.value, x.shape)
        else:
            continue
        data[begin:end] = x.astype(np.float32).tobytes()
        changed += 1
    if changed == 0:
        raise SystemExit("no tensor matched: is this a ViT parameter file from logah predict?")
    with open(args.dst, "wb") as f:
        f.write(raw[: 8 + n])
        f.write(bytes(data))
    print(f"{args.dst}: {args.op} {args.value} on {changed} tensors")


if __name__ == "__main__":
    main()
