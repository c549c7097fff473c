package text

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// wikiTextNames are the file names accepted for each split, in order of preference: the raw files
// of the official archives (wikitext-2-raw-v1.zip, wikitext-103-raw-v1.zip), their tokenized
// counterparts, and the split names Hugging Face uses (train / validation / test) as .txt files.
var wikiTextNames = map[string][]string{
	"train": {"wiki.train.raw", "wiki.train.tokens", "train.txt", "wiki.train.txt"},
	"valid": {"wiki.valid.raw", "wiki.valid.tokens", "validation.txt", "valid.txt", "wiki.valid.txt"},
	"test":  {"wiki.test.raw", "wiki.test.tokens", "test.txt", "wiki.test.txt"},
}

// wikiTextSubdirs are the top folders of the official archives and Hugging Face configurations,
// searched when dir itself does not hold the files.
var wikiTextSubdirs = []string{
	"wikitext-2-raw", "wikitext-103-raw", "wikitext-2-raw-v1", "wikitext-103-raw-v1",
	"wikitext-2", "wikitext-103", "wikitext-2-v1", "wikitext-103-v1",
}

// LoadWikiText reads WikiText-2 or WikiText-103 from dir: wiki.{train,valid,test}.raw as in the
// official archives (or the .tokens files, or train.txt / validation.txt / test.txt), in dir or in
// one of the archive's top folders (wikitext-2-raw, wikitext-103-raw, ...). The test split is
// optional.
//
// Documents are lines, as in Hugging Face's wikitext datasets: each keeps its trailing newline and
// whitespace-only lines are dropped (they are empty rows there and tokenize to nothing).
//
// maxBytes > 0 reads at most that many bytes of each split (whole lines only), for quick runs.
func LoadWikiText(dir string, maxBytes int64) (*Corpus, error) {
	if dir == "" {
		return nil, fmt.Errorf("wikitext: no directory given: WikiText is not bundled; pass the folder where wikitext-2-raw-v1.zip or wikitext-103-raw-v1.zip was extracted, or use GoSource for an offline corpus")
	}
	found := ""
	for _, d := range append([]string{dir}, joinAll(dir, wikiTextSubdirs)...) {
		if pickFile(d, wikiTextNames["train"]) != "" && pickFile(d, wikiTextNames["valid"]) != "" {
			found = d
			break
		}
	}
	if found == "" {
		return nil, fmt.Errorf("wikitext: no training and validation files in %s (nor in its sub-folders %s): want wiki.train.raw and wiki.valid.raw (or %s / %s)",
			dir, strings.Join(wikiTextSubdirs, ", "), strings.Join(wikiTextNames["train"][1:], ", "), strings.Join(wikiTextNames["valid"][1:], ", "))
	}
	c := &Corpus{Name: "wikitext-" + wikiTextSize(found)}
	for _, split := range []struct {
		key string
		dst *[]string
	}{{"train", &c.Train}, {"valid", &c.Valid}, {"test", &c.Test}} {
		path := pickFile(found, wikiTextNames[split.key])
		if path == "" {
			continue // only test may be missing
		}
		data, err := readPrefix(path, maxBytes)
		if err != nil {
			return nil, fmt.Errorf("wikitext: %w", err)
		}
		*split.dst = splitLines(data)
	}
	return c, nil
}

// wikiTextSize guesses "2" or "103" from the folder name, "raw" otherwise.
func wikiTextSize(dir string) string {
	base := filepath.Base(dir)
	switch {
	case strings.Contains(base, "103"):
		return "103"
	case strings.Contains(base, "2"):
		return "2"
	}
	return "raw"
}

func joinAll(dir string, names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = filepath.Join(dir, n)
	}
	return out
}

// pickFile returns the first of names that is a regular file in dir, or "".
func pickFile(dir string, names []string) string {
	for _, n := range names {
		p := filepath.Join(dir, n)
		if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() {
			return p
		}
	}
	return ""
}

// readPrefix reads a file, or its first maxBytes bytes cut after the last newline (maxBytes > 0).
func readPrefix(path string, maxBytes int64) ([]byte, error) {
	data, err := readCapped(path, maxBytes, 0)
	if err != nil {
		return nil, err
	}
	if maxBytes > 0 && int64(len(data)) == maxBytes {
		if i := bytes.LastIndexByte(data, '\n'); i >= 0 {
			data = data[:i+1]
		}
	}
	return data, nil
}

// splitLines cuts text into lines that keep their "\n", dropping whitespace-only lines.
func splitLines(data []byte) []string {
	s := string(data)
	lines := make([]string, 0, strings.Count(s, "\n")+1)
	for len(s) > 0 {
		i := strings.IndexByte(s, '\n')
		line := s
		if i >= 0 {
			line, s = s[:i+1], s[i+1:]
		} else {
			s = ""
		}
		if strings.TrimSpace(line) != "" {
			lines = append(lines, line)
		}
	}
	return lines
}
