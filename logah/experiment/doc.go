// Package experiment runs the project's experiments from one configuration value each:
// training a hypernetwork on a family of architectures ([TrainGHN]) and fine-tuning
// architectures from several initialisations over seeds ([Compare]).
//
// The `logah train-ghn` and `logah compare` commands fill these values from their flags and
// the notebooks fill them in Go, so a notebook and its command line produce the same numbers.
//
//	spec := experiment.DefaultGHNTraining("vits-mini")
//	spec.Steps, spec.Out = 300, "runs/logah"
//	res, err := experiment.TrainGHN(ctx, spec, nil)
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
