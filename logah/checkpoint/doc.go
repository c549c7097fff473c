// Package checkpoint is the on-disk format of a training run's checkpoints, shared by the
// trainer, which writes and resumes them, and by ghn.Open, which reads a hypernetwork from the
// newest checkpoint of a train-ghn run that has not written its ghn.safetensors yet (stopped, or
// still running).
//
// A run directory keeps its checkpoints in DIR/ckpt ([DirName]): ckpt-<step>.safetensors files
// (the step zero-padded to nine digits, so names sort by step) whose tensors are the trained
// parameters under "param/<name>" ([ParamPrefix]) and whatever else the trainer needs to resume
// (AdamW moments, the random state), plus latest.json, which names the newest complete file.
// Every file also carries its own record (kind, step, configuration) in its safetensors
// metadata, so a damaged latest.json or a damaged newest file costs at most the steps since the
// checkpoint before it: [Load] falls back to the newest intact file and says so on [Warnings].
//
// The package imports only logah/params and internal helpers, so that every layer can read
// checkpoints (docs/design.md).
package checkpoint
