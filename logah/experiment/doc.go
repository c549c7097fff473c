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
package experiment
