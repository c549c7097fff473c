#!/usr/bin/python3
"""Times one hypernetwork training step of the LoGAH authors' own PyTorch code.

Counterpart of the Go benchmark case "GHN training step" (`logah bench`,
logah/cmd/logah/cmd_bench_cases.go: benchGHNTrain): LoGAH-Tiny with d_max 512, four mini ViTs on
28x28x1 images, batch 64, meta-batch m = 1 and m = 4.

Everything that is timed is the authors' code, unmodified and imported from an extracted copy:

* github.com/Blackzxy/LoGAH     (HEAD 68c5a8387d57eaa196db9eecd0f08f0abe35d1e3) -> <authors>/LoGAH
* github.com/facebookresearch/ppuda (HEAD 4673a42507a9dcd0a5ae04e74599e8c92af689b9) -> <authors>/ppuda

(the LoGAH README says to clone LoGAH inside ppuda; putting both roots on sys.path is equivalent).
File:line references below are to those commits.

How the script maps onto their training script (LoGAH/train_ghn_ddp.py):

* flags -> args: their modified config, LoGAH/config.py:init_config (meant to replace
  ppuda/config.py, README "We also modify the config.py in ppuda"), called exactly as
  train_ghn_ddp.py:54-67 does, with the flags of their README command scaled to LoGAH-Tiny/CPU:
  -n -v 50 --ln -m M --hid 64 --lora_r 32 --layers 3 --heads 8 --opt adamw --lr 0.3e-3 --wd 1e-2
  --scheduler cosine-warmup --debug 0 --max_shape 512 --lora --max_ck_lora 8192 -b 64
  (no --amp: CPU, fp32; -S none: no checkpoint directory).
  --max_shape 512 gives max_shape (512, 512, 16, 16) (LoGAH/config.py:200-208).
* hypernetwork: config dict and GHN3(**config, debug_level=args.debug)  (train_ghn_ddp.py:97-102),
  ghn3/nn.py:173 GHN3 with the low-rank decoder ConvDecoder3LoRA (ghn3/nn.py:220-225, 1528-1577).
* target-network graphs: built once up front with their Graph class exactly as their ViTs-1K
  generator does, Graph(model, ve_cutoff=250, dense=True, list_all_nodes=True) and
  graph.net_args = net_args (vit_generator.py:106-111); each step they are collated with
  GraphBatch(graphs, dense=ghn.is_dense()) like their graph loader's collate_fn (ghn3/vit1m.py:64-69),
  outside the timed region (it is data loading, next(graphs_queue) in train_ghn_ddp.py:169).
* trainer: ghn3/trainer.py:Trainer instantiated with the arguments of train_ghn_ddp.py:121-142;
  the timed step is one call of Trainer.update(images, targets, graphs=...) (train_ghn_ddp.py:169,
  ghn3/trainer.py:249-499), which does:
    - builds the m target ViTs from graphs.net_args (ghn3/trainer.py:288-350, see "monkeypatch"),
    - GHN forward predicting all their parameters, keep_grads=True, reduce_graph=True (:352-357),
    - predicted-parameter regulariser 3e-5 * sum_p ||p||_F over all m models (:358-364, with
      predparam_wd=3e-5 from train_ghn_ddp.py:133 and param_decay = torch.norm(p, 'fro') from :105-106),
    - forward of each model on the same batch of 64 images, cross-entropy summed over models
      (label_smoothing 0 for non-ImageNet, train_ghn_ddp.py:134) (:388-400),
    - loss = (sum CE + regulariser) / m (:405-408), backward (:432),
    - clip_grad_norm_(all GHN params, 5) (:437-441, grad_clip default 5 in LoGAH/config.py:132),
    - AdamW(lr 3e-4, weight_decay 1e-2) step (:178-187, :462),
    - top-1/top-5 accuracy and running metrics (:469-479).

Monkeypatches / stubs (nothing in the authors' files is edited):

1. ghn3.trainer._vision_transformer: Trainer.update rebuilds the target nets each step from
   net_args with hard-coded CIFAR-100 constants (patch_size=2, num_classes=100, image_size=32,
   3 channels; ghn3/trainer.py:337-347). The patch replaces, in that module's namespace only, the
   torchvision factory by one that returns our 28x28x1, 10-class ViT whose (depth, heads, width,
   mlp_dim) match the call; so the step still builds fresh nets every step exactly as their loop
   does. With --nets reuse the nets are instead built once and handed over through graphs.nets (the
   other branch, ghn3/trainer.py:284-285); their cached _layered_modules is dropped before each
   step because _map_net_params deletes entries from it when reduce_graph=True (ghn3/nn.py:732,801).
2. conv_proj: torchvision's VisionTransformer always has Conv2d(3, width, patch, patch); it is
   replaced by Conv2d(1, width, patch, stride=patch) for 1-channel images.
3. Import stubs for packages Debian does not ship and that the ViT path never calls:
   transformers (ghn3/graph.py:21 builds a dict keyed by transformers.pytorch_utils.Conv1D and
   ...LlamaRMSNorm; dummy classes that nothing is an instance of), huggingface_hub (ghn3/nn.py:25-26,
   only used to download pretrained checkpoints), einops (ppuda/deepnets1m/ops.py:19, used only by
   ppuda's own attention op) and matplotlib (ppuda/deepnets1m/graph.py:19-20, only for
   visualisation; python3-matplotlib would pull OpenBLAS and switch the system libblas.so.3).
   timm is optional in their code (ghn3/trainer.py:31-36 prints "No module named 'timm'").

Run:  see docs/bench/authors_ghn_step.md.  Prints the median and mean seconds per step for each m.
"""
import argparse
import json
import gzip
import importlib.util
import os
import statistics
import sys
import time
import types

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # read by libgomp when torch loads it

# The four mini ViTs of the Go benchmark (torchvision VisionTransformer, 10 classes).
VITS = [
    {"image_size": 28, "channels": 1, "patch": 4, "depth": 6, "width": 48, "heads": 4, "mlp_dim": 192},
    {"image_size": 28, "channels": 1, "patch": 4, "depth": 6, "width": 128, "heads": 2, "mlp_dim": 512},
    {"image_size": 28, "channels": 1, "patch": 7, "depth": 5, "width": 48, "heads": 2, "mlp_dim": 192},
    {"image_size": 28, "channels": 1, "patch": 4, "depth": 6, "width": 80, "heads": 8, "mlp_dim": 320},
]
NUM_CLASSES = 10
BATCH = 64


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--authors", default="/tmp/authors",
                   help="folder holding the extracted LoGAH/ and ppuda/ repositories")
    p.add_argument("--m", default="1,4", help="comma-separated meta-batch sizes to time")
    p.add_argument("--warmup", type=int, default=4, help="untimed warm-up steps per mode")
    p.add_argument("--steps", type=int, default=20, help="timed steps per mode")
    p.add_argument("--threads", type=int, default=2, help="torch.set_num_threads")
    p.add_argument("--json", default="", help="also write the table as JSON to this file (read by `logah bench --vs-torch`)")
    p.add_argument("--data", default="/usr/share/datasets/fashion-mnist",
                   help="Fashion-MNIST IDX folder; random normal images if absent")
    p.add_argument("--nets", choices=["fresh", "reuse"], default="fresh",
                   help="fresh: Trainer.update builds the target nets every step, as in their loop "
                        "(default); reuse: build once, pass them in graphs.nets")
    p.add_argument("--ve_cutoff", type=int, default=250,
                   help="virtual-edge cut-off of the precomputed graphs (250 in vit_generator.py:106)")
    return p.parse_args()


# ---------------------------------------------------------------------------------------------
# Stubs for optional imports (see the module docstring, item 3).

def _stub(name, **attrs):
    mod = types.ModuleType(name)
    mod.__dict__.update(attrs)
    mod.__file__ = "<stub from authors_ghn_step.py>"
    sys.modules[name] = mod
    return mod


def install_stubs():
    import torch.nn as nn

    def missing(what):
        def f(*a, **k):
            raise RuntimeError(f"{what} is stubbed out by authors_ghn_step.py (not installed)")
        return f

    if importlib.util.find_spec("transformers") is None:
        class Conv1D(nn.Module):  # stand-in for transformers.pytorch_utils.Conv1D
            pass

        class LlamaRMSNorm(nn.Module):  # stand-in for ...modeling_llama.LlamaRMSNorm
            pass

        class LlamaPreTrainedModel(nn.Module):
            pass

        tf = _stub("transformers", LlamaPreTrainedModel=LlamaPreTrainedModel)
        tf.pytorch_utils = _stub("transformers.pytorch_utils", Conv1D=Conv1D)
        tf.models = _stub("transformers.models")
        tf.models.llama = _stub("transformers.models.llama")
        tf.models.llama.modeling_llama = _stub("transformers.models.llama.modeling_llama",
                                               LlamaRMSNorm=LlamaRMSNorm)
    if importlib.util.find_spec("huggingface_hub") is None:
        class HfHubHTTPError(Exception):
            pass
        hf = _stub("huggingface_hub", hf_hub_download=missing("huggingface_hub.hf_hub_download"))
        hf.utils = _stub("huggingface_hub.utils", HfHubHTTPError=HfHubHTTPError)
    if importlib.util.find_spec("einops") is None:
        _stub("einops", rearrange=missing("einops.rearrange"))
    if importlib.util.find_spec("matplotlib") is None:
        mpl = _stub("matplotlib", use=lambda *a, **k: None)
        mpl.pyplot = _stub("matplotlib.pyplot")
        mpl.cm = _stub("matplotlib.cm")


# ---------------------------------------------------------------------------------------------

def blas_library():
    """Path of the BLAS shared library torch loaded (from /proc/self/maps)."""
    try:
        paths = {l.split()[-1] for l in open("/proc/self/maps") if "blas" in l.rsplit("/", 1)[-1]}
    except OSError:
        return "?"
    return ", ".join(sorted(paths)) or "none (MKL or built-in)"


def set_threads(torch, n):
    torch.set_num_threads(n)
    lib = blas_library()
    if "openblas" in lib:  # torch does not size OpenBLAS's own pool on Debian's build
        import ctypes
        ctypes.CDLL(lib.split(", ")[0]).openblas_set_num_threads(n)


def load_images(torch, folder, n):
    """n Fashion-MNIST training images (normalised) and labels, or random ones if absent."""
    imgs = os.path.join(folder, "train-images-idx3-ubyte.gz")
    labs = os.path.join(folder, "train-labels-idx1-ubyte.gz")
    if os.path.exists(imgs) and os.path.exists(labs):
        import numpy as np
        with gzip.open(imgs, "rb") as f:
            x = np.frombuffer(f.read(), dtype=np.uint8, offset=16).reshape(-1, 1, 28, 28)
        with gzip.open(labs, "rb") as f:
            y = np.frombuffer(f.read(), dtype=np.uint8, offset=8)
        n = min(n, len(x))
        x = torch.from_numpy(x[:n].astype(np.float32) / 255.0)
        x = (x - 0.2860) / 0.3530  # Fashion-MNIST mean/std
        return x, torch.from_numpy(y[:n].astype(np.int64)), "Fashion-MNIST"
    g = torch.Generator().manual_seed(0)
    return (torch.randn(n, 1, 28, 28, generator=g), torch.randint(0, NUM_CLASSES, (n,), generator=g),
            "random normal 28x28x1 (Fashion-MNIST not found)")


def their_args(m, init_config_fn):
    """args of train_ghn_ddp.py for the LoGAH-Tiny/CPU command line (train_ghn_ddp.py:55-67)."""
    argv = ["train_ghn_ddp.py", "-n", "-v", "50", "--ln", "-m", str(m), "--name", "bench",
            "-d", "cifar10", "--hid", "64", "--lora_r", "32", "--layers", "3", "--heads", "8",
            "--opt", "adamw", "--lr", "0.3e-3", "--wd", "1e-2", "--scheduler", "cosine-warmup",
            "--debug", "0", "--max_shape", "512", "--lora", "--max_ck_lora", str(16 * 512),
            "-b", str(BATCH), "-S", "none", "--device", "cpu"]
    parser = argparse.ArgumentParser(description="GHN-3 training")
    parser.add_argument("--heads", type=int, default=8)
    parser.add_argument("--compile", type=str, default=None)
    parser.add_argument("--ghn2", action="store_true")
    parser.add_argument("--interm_epoch", type=int, default=5)
    saved = sys.argv
    sys.argv = argv
    try:
        args = init_config_fn(mode="train_ghn", parser=parser, verbose=False, debug=0, layers=3,
                              shape_multiplier=1)
    finally:
        sys.argv = saved
    return argv[1:], args


def main():
    opts = parse_args()
    logah_dir = os.path.join(opts.authors, "LoGAH")
    ppuda_dir = os.path.join(opts.authors, "ppuda")
    for d in (logah_dir, ppuda_dir):
        if not os.path.isdir(d):
            sys.exit(f"{d} not found: extract the repositories first (docs/bench/authors_ghn_step.md)")
    sys.path[:0] = [logah_dir, ppuda_dir]  # LoGAH cloned inside ppuda (their README)

    import torch
    import torch.nn as nn
    install_stubs()
    set_threads(torch, opts.threads)

    from torchvision.models import vision_transformer as tv_vit
    import ghn3.trainer as ghn3_trainer
    from ghn3.nn import GHN3
    from ghn3.graph import Graph, GraphBatch
    from ghn3.trainer import Trainer

    spec = importlib.util.spec_from_file_location("logah_config", os.path.join(logah_dir, "config.py"))
    logah_config = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(logah_config)

    # --- target networks ---------------------------------------------------------------------
    def build_vit(cfg):
        # torchvision's ViT as in vit_generator.py:96-99 (weights=None), our size and classes
        net = tv_vit._vision_transformer(patch_size=cfg["patch"], num_layers=cfg["depth"],
                                         num_heads=cfg["heads"], hidden_dim=cfg["width"],
                                         mlp_dim=cfg["mlp_dim"], num_classes=NUM_CLASSES,
                                         image_size=cfg["image_size"], weights=None, progress=False)
        # 1-channel images: replace the 3-channel patch embedding (docstring item 2)
        net.conv_proj = nn.Conv2d(cfg["channels"], cfg["width"], kernel_size=cfg["patch"],
                                  stride=cfg["patch"])
        net.expected_input_sz = (cfg["channels"], cfg["image_size"], cfg["image_size"])
        return net

    by_dims = {(c["depth"], c["heads"], c["width"], c["mlp_dim"]): c for c in VITS}
    assert len(by_dims) == len(VITS)

    def patched_vision_transformer(patch_size, num_layers, num_heads, hidden_dim, mlp_dim,
                                   weights, progress, **kwargs):
        # Monkeypatch 1: called by Trainer.update (ghn3/trainer.py:337-347) with patch_size=2,
        # num_classes=100, image_size=32; we return our 28x28x1 10-class ViT of the same dims.
        return build_vit(by_dims[(int(num_layers), int(num_heads), int(hidden_dim), int(mlp_dim))])

    ghn3_trainer._vision_transformer = patched_vision_transformer

    graphs = []
    for cfg in VITS:
        model = build_vit(cfg)
        graph = Graph(model, ve_cutoff=opts.ve_cutoff, dense=True, list_all_nodes=True)  # vit_generator.py:106
        net_args = {"patch_size": cfg["patch"], "num_layers": cfg["depth"], "num_heads": cfg["heads"],
                    "hidden_dim": cfg["width"], "mlp_dim": cfg["mlp_dim"], "num_classes": NUM_CLASSES,
                    "image_size": cfg["image_size"], "num_nodes": int(graph._Adj.shape[0])}
        graph.net_args = net_args                                                         # vit_generator.py:111
        if opts.nets == "reuse":
            graph.net = model  # GraphBatch.append collects it into graphs.nets (ghn3/graph.py:86-89)
        graphs.append(graph)
        cfg["n_params"] = sum(p.numel() for p in model.parameters())
        cfg["n_nodes"] = net_args["num_nodes"]

    modes = [int(s) for s in opts.m.split(",") if s.strip()]
    n_steps = opts.warmup + opts.steps
    max_batches = n_steps * len(modes)
    images, labels, src = load_images(torch, opts.data, BATCH * max_batches)
    n_batches = len(images) // BATCH

    import torchvision
    print(f"torch {torch.__version__}, torchvision {torchvision.__version__}, "
          f"threads {torch.get_num_threads()}, BLAS {blas_library()}")
    print(f"authors' code: {logah_dir} + {ppuda_dir}; target nets: {opts.nets}; images: {src}")
    for i, c in enumerate(VITS):
        print(f"  vit{i}: patch {c['patch']} depth {c['depth']} width {c['width']} heads {c['heads']} "
              f"mlp {c['mlp_dim']}: {c['n_params']:,} params, {c['n_nodes']} graph nodes")

    rows = []
    batch_i = 0
    for m in modes:
        argv, args = their_args(m, logah_config.init_config)
        hid = args.hid
        # train_ghn_ddp.py:97-102
        config = {"max_shape": args.max_shape, "num_classes": NUM_CLASSES, "hypernet": args.hypernet,
                  "lora": args.lora, "lora_r": args.lora_r, "max_ck_lora": args.max_ck_lora,
                  "use_1d_decoder": args.use_1d_decoder,
                  "decoder": args.decoder, "weight_norm": args.weight_norm, "ve": args.virtual_edges > 1,
                  "layernorm": args.ln, "hid": hid, "layers": args.layers, "heads": args.heads,
                  "is_ghn2": args.ghn2}
        ghn = GHN3(**config, debug_level=args.debug).to(args.device)
        # train_ghn_ddp.py:121-142 (is_imagenet False, ghn2 False, ema off, no AMP on CPU)
        trainer = Trainer(ghn,
                          opt=args.opt,
                          opt_args={"lr": args.lr, "weight_decay": args.wd, "momentum": args.momentum},
                          scheduler="mstep" if args.scheduler is None else args.scheduler,
                          scheduler_args={"milestones": args.lr_steps, "gamma": args.gamma},
                          n_batches=50000 // args.batch_size + 1,  # len(train_queue) for CIFAR-10
                          grad_clip=args.grad_clip,
                          device=args.device,
                          log_interval=args.log_interval,
                          amp=False,                 # their commands use --amp (CUDA); CPU runs fp32
                          amp_min_scale=1024,
                          amp_growth_interval=100,
                          predparam_wd=0 if args.ghn2 else 3e-5,
                          label_smoothing=0.0,
                          save_dir=args.save,        # None (-S none)
                          ckpt=args.ckpt,
                          epochs=args.epochs,
                          verbose=False,             # True on rank 0 in theirs: prints grads at step 0
                          compile_mode=args.compile,
                          ema=args.ema,
                          ema_helper=None)
        trainer.reset_metrics(trainer.start_epoch)  # train_ghn_ddp.py:162
        n_ghn = sum(p.numel() for p in ghn.parameters())
        n_l1 = sum(p.numel() for p in ghn.decoder.l1.parameters())  # defined, never used (nn.py:1545)
        print(f"\nm={m}: their flags: {' '.join(argv)}")
        print(f"  GHN3 {n_ghn:,} parameters ({n_ghn - n_l1:,} without the unused decoder.l1); "
              f"max_shape {tuple(args.max_shape)}, max_ck_lora {args.max_ck_lora}, lora_r {args.lora_r}, "
              f"weight_norm {args.weight_norm}, ln {args.ln}, opt {args.opt} lr {args.lr} wd {args.wd}, "
              f"grad_clip {args.grad_clip}")

        wall, cpu, losses = [], [], []
        for step in range(n_steps):
            idx = [step % len(VITS)] if m == 1 else [(step * m + j) % len(VITS) for j in range(m)]
            b = batch_i % n_batches
            batch_i += 1
            x, y = images[b * BATCH:(b + 1) * BATCH], labels[b * BATCH:(b + 1) * BATCH]
            if opts.nets == "reuse":
                for i in idx:  # see docstring item 1
                    graphs[i].net.__dict__.pop("_layered_modules", None)
            gb = GraphBatch([graphs[i] for i in idx], dense=ghn.is_dense())  # collate_fn, ghn3/vit1m.py:68
            t0, c0 = time.perf_counter(), time.process_time()
            metrics = trainer.update(x, y, graphs=gb)                       # train_ghn_ddp.py:169
            t1, c1 = time.perf_counter(), time.process_time()
            tag = "warm-up" if step < opts.warmup else "timed"
            print(f"  step {step + 1:3d} ({tag}) nets {idx}: {t1 - t0:7.3f} s wall, {c1 - c0:7.3f} s cpu, "
                  f"running loss {metrics['loss'].avg:.4f}", flush=True)
            if step >= opts.warmup:
                wall.append(t1 - t0)
                cpu.append(c1 - c0)
        if wall:
            rows.append((m, len(wall), statistics.median(wall), statistics.mean(wall),
                         statistics.median(cpu)))
        del trainer, ghn

    print(f"\nLoGAH authors' GHN training step (Trainer.update), LoGAH-Tiny d_max 512 K 8192 r 32, "
          f"4 mini ViTs, batch {BATCH}, {src}")
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, nets {opts.nets}, "
          f"{opts.warmup} warm-up steps")
    print(f"{'m':>3} {'steps':>6} {'median s/step':>14} {'mean s/step':>12} {'median cpu s/step':>18}")
    for m, n, med, mean, cmed in rows:
        print(f"{m:>3} {n:>6} {med:>14.3f} {mean:>12.3f} {cmed:>18.3f}")
    if opts.json:
        with open(opts.json, "w") as f:
            json.dump({"threads": torch.get_num_threads(), "torch": torch.__version__,
                       "steps": {f"m={m}": {"median_s": med, "mean_s": mean, "median_cpu_s": cmed, "n": n}
                                 for m, n, med, mean, cmed in rows}}, f, indent=1)


if __name__ == "__main__":
    main()
