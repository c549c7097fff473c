"""PyTorch timing of the two training steps our Go benchmarks measure.

Mirrors

    go test ./logah/nets -run '^$' -bench 'ViTTrainStep|GPT2TrainStep'

with the same model sizes, written in plain torch (no torchvision, no transformers):

* ViT (torchvision VisionTransformer semantics): 28x28x1 images, patch 4 (49 patches + class
  token), depth 4, width 64, 4 heads, MLP 256, pre-LN (eps 1e-6), nn.MultiheadAttention,
  exact-erf GELU, 10 classes; batch 64. 205,066 parameters.
* GPT-2 (Hugging Face GPT2LMHeadModel semantics): 4 layers, width 64, 4 heads, context 128,
  vocabulary 50257, learned positions, pre-LN (eps 1e-5), causal attention, gelu_new, dropout
  0.1 in train mode; batch 8 x 128 random tokens, next-token cross entropy.

A "step" is zero_grad + forward + backward + clip_grad_norm_(5) + AdamW(lr 1e-3, wd 0.01).
The Go benchmarks time only forward + loss + gradients (LossAndGradients), and their GPT-2 is
untied with dropout off, so the script also prints those "grad-only" variants for a like-for-
like comparison. cpu-ms/step is process CPU time (all threads), the steadier number on a
shared machine, as in the Go benchmarks' cpu-ms/step.

Run (Debian's PyTorch, not the python3 on PATH):

    /usr/bin/python3 docs/bench/torch_train_steps.py

Debian's torch is built with BLAS_INFO=generic and links libblas.so.3, which by default is the
netlib *reference* BLAS (unoptimised, ~10x slower matmuls); the script prints which BLAS got
loaded. To time with OpenBLAS without installing it system-wide:

    apt-get download libopenblas0-pthread && dpkg -x libopenblas0-pthread_*.deb /tmp/oblas
    LD_LIBRARY_PATH=/tmp/oblas/usr/lib/x86_64-linux-gnu/openblas-pthread \
        /usr/bin/python3 docs/bench/torch_train_steps.py

BENCH_STEPS overrides the number of timed steps (default 10). BENCH_JSON=FILE also writes the
results as JSON (read by `logah bench --vs-torch`): {"<threads>": {"<case>": {"ms", "cpu_ms"}}}. OMP_WAIT_POLICY defaults to
PASSIVE: on a busy 2-core machine libgomp's spinning barriers made 2-thread steps ~8x slower.
"""
import ctypes
import json
import math
import os
import time

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # read by libgomp when torch loads it

import torch
import torch.nn as nn
import torch.nn.functional as F

WARMUP, STEPS = 3, int(os.environ.get("BENCH_STEPS", "10"))


class ViTBlock(nn.Module):
    def __init__(self, d, heads, mlp):
        super().__init__()
        self.ln_1 = nn.LayerNorm(d, eps=1e-6)
        self.self_attention = nn.MultiheadAttention(d, heads, batch_first=True)
        self.ln_2 = nn.LayerNorm(d, eps=1e-6)
        self.mlp = nn.Sequential(nn.Linear(d, mlp), nn.GELU(), nn.Linear(mlp, d))

    def forward(self, x):
        h = self.ln_1(x)
        x = x + self.self_attention(h, h, h, need_weights=False)[0]
        return x + self.mlp(self.ln_2(x))


class ViT(nn.Module):
    def __init__(self, image=28, channels=1, patch=4, depth=4, d=64, heads=4, mlp=256, classes=10):
        super().__init__()
        self.conv_proj = nn.Conv2d(channels, d, kernel_size=patch, stride=patch)
        self.class_token = nn.Parameter(torch.zeros(1, 1, d))
        self.pos_embedding = nn.Parameter(torch.empty(1, (image // patch) ** 2 + 1, d).normal_(std=0.02))
        self.layers = nn.Sequential(*[ViTBlock(d, heads, mlp) for _ in range(depth)])
        self.ln = nn.LayerNorm(d, eps=1e-6)
        self.head = nn.Linear(d, classes)

    def forward(self, images, labels):
        x = self.conv_proj(images).flatten(2).transpose(1, 2)  # (B, 49, D)
        x = torch.cat([self.class_token.expand(x.shape[0], -1, -1), x], dim=1) + self.pos_embedding
        x = self.ln(self.layers(x))
        return F.cross_entropy(self.head(x[:, 0]), labels)


class GPT2Block(nn.Module):
    def __init__(self, d, heads, ctx, p):
        super().__init__()
        self.heads, self.p = heads, p
        self.ln_1, self.ln_2 = nn.LayerNorm(d, eps=1e-5), nn.LayerNorm(d, eps=1e-5)
        self.c_attn, self.attn_proj = nn.Linear(d, 3 * d), nn.Linear(d, d)
        self.c_fc, self.mlp_proj = nn.Linear(d, 4 * d), nn.Linear(4 * d, d)
        self.register_buffer("causal", torch.tril(torch.ones(ctx, ctx, dtype=torch.bool)))

    def forward(self, x):
        B, T, D = x.shape
        q, k, v = self.c_attn(self.ln_1(x)).split(D, dim=2)
        q, k, v = (t.view(B, T, self.heads, D // self.heads).transpose(1, 2) for t in (q, k, v))
        att = (q @ k.transpose(-1, -2)) / math.sqrt(D // self.heads)
        att = att.masked_fill(~self.causal[:T, :T], torch.finfo(att.dtype).min).softmax(-1)
        y = (F.dropout(att, self.p, self.training) @ v).transpose(1, 2).reshape(B, T, D)
        x = x + F.dropout(self.attn_proj(y), self.p, self.training)
        h = F.gelu(self.c_fc(self.ln_2(x)), approximate="tanh")  # gelu_new
        return x + F.dropout(self.mlp_proj(h), self.p, self.training)


class GPT2(nn.Module):
    def __init__(self, layers=4, d=64, heads=4, ctx=128, vocab=50257, dropout=0.1, tied=True):
        super().__init__()
        self.p = dropout
        self.wte, self.wpe = nn.Embedding(vocab, d), nn.Embedding(ctx, d)
        self.h = nn.ModuleList([GPT2Block(d, heads, ctx, dropout) for _ in range(layers)])
        self.ln_f = nn.LayerNorm(d, eps=1e-5)
        self.lm_head = nn.Linear(d, vocab, bias=False)
        if tied:
            self.lm_head.weight = self.wte.weight
        for m in self.modules():
            if isinstance(m, (nn.Linear, nn.Embedding)):
                nn.init.normal_(m.weight, std=0.02)

    def forward(self, tokens):
        pos = torch.arange(tokens.shape[1])
        x = F.dropout(self.wte(tokens) + self.wpe(pos), self.p, self.training)
        for block in self.h:
            x = block(x)
        logits = self.lm_head(self.ln_f(x))
        return F.cross_entropy(logits[:, :-1].flatten(0, 1), tokens[:, 1:].flatten())


def time_steps(model, inputs, full):
    """Mean wall and CPU ms per step; full adds clipping and AdamW to forward + backward."""
    model.train()
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.01)

    def step():
        opt.zero_grad(set_to_none=True)
        model(*inputs).backward()
        if full:
            torch.nn.utils.clip_grad_norm_(model.parameters(), 5.0)
            opt.step()

    for _ in range(WARMUP):
        step()
    wall0, cpu0 = time.perf_counter(), time.process_time()
    for _ in range(STEPS):
        step()
    return (time.perf_counter() - wall0) * 1e3 / STEPS, (time.process_time() - cpu0) * 1e3 / STEPS


def blas_library():
    """Path of the BLAS shared library torch loaded (from /proc/self/maps)."""
    paths = {l.split()[-1] for l in open("/proc/self/maps") if "blas" in l.rsplit("/", 1)[-1]}
    return sorted(paths)[0] if paths else "unknown"


def set_threads(n):
    """torch.set_num_threads, plus OpenBLAS's own pool, which torch does not size on this build."""
    torch.set_num_threads(n)
    if "openblas" in blas_library():
        ctypes.CDLL(blas_library()).openblas_set_num_threads(n)


def main():
    torch.manual_seed(1)
    vit = ViT()
    images, labels = torch.randn(64, 1, 28, 28), torch.arange(64) % 10
    gpt2, gpt2_go = GPT2(), GPT2(dropout=0.0, tied=False)
    tokens = torch.randint(0, 50257, (8, 128))
    count = lambda m: sum(p.numel() for p in m.parameters())  # tied weights counted once
    print(f"torch {torch.__version__}; {STEPS} timed steps after {WARMUP} warm-up steps; BLAS {blas_library()}; "
          f"OMP_WAIT_POLICY={os.environ['OMP_WAIT_POLICY']}")
    print(f"ViT params: {count(vit):,}   GPT-2 params: tied {count(gpt2):,}, untied {count(gpt2_go):,}")
    cases = [  # name, model, inputs, full step?, items per step, unit
        ("ViT  step (fwd+bwd+clip+AdamW)", vit, (images, labels), True, 64, "images/s"),
        ("ViT  grad-only (as Go bench)", vit, (images, labels), False, 64, "images/s"),
        ("GPT-2 tied, dropout 0.1, step", gpt2, (tokens,), True, 8 * 128, "tokens/s"),
        ("GPT-2 tied, dropout 0.1, grad-only", gpt2, (tokens,), False, 8 * 128, "tokens/s"),
        ("GPT-2 untied, no dropout, grad-only (as Go bench)", gpt2_go, (tokens,), False, 8 * 128, "tokens/s"),
    ]
    results = {}
    for threads in (2, 1):
        set_threads(threads)
        print(f"\n== torch.get_num_threads() = {torch.get_num_threads()}")
        for name, model, inputs, full, items, unit in cases:
            wall, cpu = time_steps(model, inputs, full)
            results.setdefault(str(threads), {})[name.split(" (")[0].replace("  ", " ")] = {"ms": wall, "cpu_ms": cpu}
            print(f"{name:<50} {wall:8.1f} ms/step {items * 1e3 / wall:10.0f} {unit}  {cpu:8.1f} cpu-ms/step")
    if os.environ.get("BENCH_JSON"):
        with open(os.environ["BENCH_JSON"], "w") as f:
            json.dump({"torch": torch.__version__, "blas": blas_library(), "threads": results}, f, indent=1)


if __name__ == "__main__":
    main()
