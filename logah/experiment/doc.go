// Package experiment is the one place that assembles the project's runs, each from one
// configuration value: training a hypernetwork on a family of architectures ([GHNTraining],
// [TrainGHN]), fine-tuning one network from a chosen initialisation ([FineTuning],
// [FineTune]) and fine-tuning architectures from several initialisations over seeds
// ([Comparison], [Compare], whose every run is a FineTuning).
//
// The `logah train-ghn`, `logah finetune` and `logah compare` commands fill these values from
// their flags and the notebooks fill them in Go, so a notebook and its command line produce the
// same numbers. The values embed the trainer's own configurations (trainer.GHNTrainConfig,
// trainer.FineTuneConfig) under their names, and add what the trainer does not decide: data,
// initialisation, the hypernetwork to build, the held-out architectures.
//
//	spec := experiment.DefaultGHNTraining("vits-mini")
//	spec.Steps, spec.OutDir = 300, "runs/logah"
//	res, err := experiment.TrainGHN(ctx, spec, nil)
//
//	f := experiment.DefaultFineTuning(a)
//	f.Init = experiment.Init{Name: "logah", GHN: g}
//	f.Steps, f.WarmupSteps, f.OutDir = 500, 25, "runs/finetune"
//	res, err := experiment.FineTune(ctx, f, nil)
//
// A warm-up is a number of steps everywhere (WarmupSteps, `--warmup`); a fine-tuning run or a
// comparison may give it as a fraction of its steps instead (WarmupFraction,
// `--warmup-fraction`), which is how [DefaultComparison] scales it to any budget.
//
// A comparison fine-tunes with [DefaultComparison]'s fast recipe or the authors' ViT recipe,
// [PaperViTFineTuning]. Each run records its [Protocol]; with SaveTo every finished run is
// written at once, and Resume continues an interrupted comparison from that file:
//
//	c := experiment.PaperViTFineTuning()
//	c.Archs, c.Inits = archs, []experiment.Init{{Name: "random"}, {Name: "logah", GHN: g}}
//	c.SaveTo, c.Resume = "runs/paper.json", true
//	runs, err := experiment.Compare(ctx, c, nil)
//	table := experiment.SummaryRows(experiment.Summarize(runs, "accuracy"), "accuracy")
package experiment
