package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/logah-go/logah/logah/arch"
)

// resolveArch turns "NAME" or "--config file.json" into an architecture.
func resolveArch(positional []string, configPath string) (arch.Arch, error) {
	switch {
	case configPath != "" && len(positional) > 0:
		return nil, usageErrorf("give a model name or --config, not both")
	case configPath != "":
		data, err := os.ReadFile(configPath)
		if err != nil {
			return nil, fmt.Errorf("reading --config: %w", err)
		}
		a, err := arch.ParseJSON(data)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", configPath, err)
		}
		return a, nil
	case len(positional) == 1:
		return arch.Named(positional[0])
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
	if strings.HasSuffix(s, ".json") {
		return resolveArch(nil, s)
	}
	return arch.Named(s)
}
