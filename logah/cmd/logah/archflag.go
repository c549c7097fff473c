package main

import (
	"flag"

	"github.com/logah-go/logah/logah/arch"
)

// parseModelArgs is the argument parsing of the commands that take one model: it defines
// --config on fs, parses args (flags may follow the model name) and resolves the model, a
// name or the --config file.
func parseModelArgs(fs *flag.FlagSet, args []string) (arch.Arch, error) {
	config := fs.String("config", "", "JSON file describing the model (instead of a name)")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return nil, err
	}
	return resolveArch(pos, *config)
}

// resolveArch turns "NAME" or "--config file.json" into an architecture (arch.Resolve).
func resolveArch(positional []string, configPath string) (arch.Arch, error) {
	switch {
	case configPath != "" && len(positional) > 0:
		return nil, usageErrorf("give a model name or --config, not both")
	case configPath != "":
		return arch.Resolve(configPath)
	case len(positional) == 1:
		return arch.Resolve(positional[0])
	case len(positional) == 0:
		return nil, usageErrorf("missing model: give a name (%s…) or --config file.json", "vit-s, gpt2-large, ")
	default:
		return nil, usageErrorf("expected one model, got %v", positional)
	}
}

// archFromFlag accepts a model name or a path to a JSON config (--arch).
func archFromFlag(s string) (arch.Arch, error) {
	if s == "" {
		return nil, usageErrorf("missing --arch: a model name or a JSON config file")
	}
	return arch.Resolve(s)
}
