// Package trainer trains the networks of LoGAH Lab: target networks (ViT, GPT-2) fine-tuned
// from any initialisation, and hypernetworks trained on meta-batches of sampled architectures.
//
// A training step is one compiled GoMLX graph per architecture: forward, loss, gradients,
// global-norm clipping and the AdamW update are all inside it, and the parameters and the
// optimizer moments are plain tensors passed in and out. That keeps the optimizer exactly
// PyTorch's (torch.optim.AdamW with clip_grad_norm_), makes checkpoints a set of named tensors
// (written atomically by [checkpoint.Save]) and makes a resumed run bit-identical to an
// uninterrupted one: the data order is a pure function of (seed, epoch), and the state holds
// the step.
//
// Metrics are JSON lines ([MetricsLog]) that notebooks plot live and after the fact.
package trainer
