package arch

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"strings"
)

// Resolve turns the way the command line and the notebooks name an architecture into one: a
// registered model name ([Named]: "vit-s", "gpt2-large", "meta-llama/Llama-2-7b-hf", …) or
// the path of a JSON file holding one configuration ([ParseJSON]). A spec ending in .json is
// always a file; any other spec is a name, or, when no model has that name, an existing file.
func Resolve(spec string) (Arch, error) {
	list, err := ResolveList(spec)
	if err != nil {
		return nil, err
	}
	if len(list) != 1 {
		return nil, fmt.Errorf("architecture file %s holds a list of %d configurations where one is wanted: copy the one you mean into a file of its own", spec, len(list))
	}
	return list[0], nil
}

// ResolveList is [Resolve] for the places that take several architectures at once (`logah
// compare --arch`, the evaluation lists of the notebooks): the JSON file may also hold a list
// of configurations, such as the held_out.json that `logah train-ghn` writes.
func ResolveList(spec string) ([]Arch, error) {
	spec = strings.TrimSpace(spec)
	if spec == "" {
		return nil, fmt.Errorf("no architecture: give a model name such as vit-s or gpt2-large, or a JSON configuration file")
	}
	if !strings.HasSuffix(strings.ToLower(spec), ".json") {
		a, err := Named(spec)
		if err == nil {
			return []Arch{a}, nil
		}
		if st, serr := os.Stat(spec); serr != nil || st.IsDir() {
			return nil, fmt.Errorf("%w; or give the path of a JSON configuration file (.json)", err)
		}
	}
	return readList(spec)
}

// readList reads a JSON file holding one configuration or a list of them.
func readList(path string) ([]Arch, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("architecture file: %w", err)
	}
	if !bytes.HasPrefix(bytes.TrimSpace(data), []byte("[")) {
		a, err := ParseJSON(data)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		return []Arch{a}, nil
	}
	var list []json.RawMessage
	if err := json.Unmarshal(data, &list); err != nil {
		return nil, fmt.Errorf("%s: not a JSON list of configurations: %w", path, err)
	}
	out := make([]Arch, len(list))
	for i, raw := range list {
		if out[i], err = ParseJSON(raw); err != nil {
			return nil, fmt.Errorf("%s[%d]: %w", path, i, err)
		}
	}
	return out, nil
}
