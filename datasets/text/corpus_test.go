package text

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

const wikiSample = " \n = Valkyria Chronicles III = \n \n Senjō no Valkyria 3 is a game .\n\n = = Gameplay = = \n"

func TestLoadWikiText(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "wikitext-2-raw")
	writeFile(t, filepath.Join(dir, "wiki.train.raw"), wikiSample)
	writeFile(t, filepath.Join(dir, "wiki.valid.raw"), " \n = Valid = \n")
	// The archive's parent folder is accepted too.
	c, err := LoadWikiText(root, 0)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{" = Valkyria Chronicles III = \n", " Senjō no Valkyria 3 is a game .\n", " = = Gameplay = = \n"}
	if !slices.Equal(c.Train, want) {
		t.Errorf("Train = %q, want %q", c.Train, want)
	}
	if !slices.Equal(c.Valid, []string{" = Valid = \n"}) || len(c.Test) != 0 {
		t.Errorf("Valid = %q, Test = %q", c.Valid, c.Test)
	}
	if c.Name != "wikitext-2" {
		t.Errorf("Name = %q", c.Name)
	}
	// A byte cap keeps whole lines only.
	c, err = LoadWikiText(dir, 40)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(c.Train, want[:1]) {
		t.Errorf("capped Train = %q, want %q", c.Train, want[:1])
	}
}

func TestLoadWikiTextHFNames(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "train.txt"), "a\nb\n")
	writeFile(t, filepath.Join(dir, "validation.txt"), "c\n")
	writeFile(t, filepath.Join(dir, "test.txt"), "d")
	c, err := LoadWikiText(dir, 0)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(c.Train, []string{"a\n", "b\n"}) || !slices.Equal(c.Valid, []string{"c\n"}) || !slices.Equal(c.Test, []string{"d"}) {
		t.Errorf("corpus = %+v", c)
	}
}

func TestLoadWikiTextMissing(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "wiki.train.raw"), "x\n")
	_, err := LoadWikiText(dir, 0)
	if err == nil || !strings.Contains(err.Error(), "wiki.valid.raw") {
		t.Errorf("error = %v, want one naming wiki.valid.raw", err)
	}
	if _, err := LoadWikiText("", 0); err == nil || !strings.Contains(err.Error(), "GoSource") {
		t.Errorf("error = %v, want one pointing at GoSource", err)
	}
}

func TestGoSourceSyntheticTree(t *testing.T) {
	root := t.TempDir()
	files := map[string]string{}
	for i := range 200 {
		name := filepath.Join("pkg"+string(rune('a'+i%7)), "f"+strings.Repeat("x", i%5)+string(rune('a'+i%26))+".go")
		files[filepath.ToSlash(name)] = "package p // " + name + "\n"
	}
	for name, content := range files {
		writeFile(t, filepath.Join(root, name), content)
	}
	writeFile(t, filepath.Join(root, "pkga", "testdata", "bad.go"), "not go")
	writeFile(t, filepath.Join(root, "pkga", "README"), "not go either")
	c, err := GoSource(GoSourceOptions{Root: root})
	if err != nil {
		t.Fatal(err)
	}
	all := append(slices.Clone(c.Train), c.Valid...)
	if len(all) != len(files) {
		t.Fatalf("%d documents, want %d (testdata and non-.go files skipped)", len(all), len(files))
	}
	for _, d := range all {
		if strings.Contains(d, "not go") {
			t.Fatalf("document from a skipped file: %q", d)
		}
	}
	// Train documents come in walk order, which for this tree is sorted path order.
	var paths []string
	for _, d := range c.Train {
		paths = append(paths, strings.TrimSpace(strings.TrimPrefix(d, "package p // ")))
	}
	if !slices.IsSorted(paths) {
		t.Errorf("train documents not in sorted path order: %v", paths[:10])
	}
	// The split follows the path hash.
	for _, d := range c.Valid {
		rel := filepath.ToSlash(strings.TrimSpace(strings.TrimPrefix(d, "package p // ")))
		if !validFile(rel, 5) {
			t.Errorf("%s in validation but its hash says train", rel)
		}
	}
	if len(c.Valid) == 0 || len(c.Valid) > 30 {
		t.Errorf("%d of 200 files in validation, want about 10", len(c.Valid))
	}
}

func TestGoSourceGOROOT(t *testing.T) {
	const maxBytes = 2 << 20
	c, err := GoSource(GoSourceOptions{MaxBytes: maxBytes})
	if err != nil {
		t.Fatal(err)
	}
	total := DocBytes(c.Train) + DocBytes(c.Valid)
	if total != maxBytes {
		t.Errorf("read %d bytes, want the cap %d", total, maxBytes)
	}
	if !strings.Contains(c.Train[0], "package ") {
		t.Errorf("first document does not look like Go: %.80q", c.Train[0])
	}
	share := float64(DocBytes(c.Valid)) / float64(total)
	if len(c.Valid) == 0 || share > 0.2 {
		t.Errorf("validation share %.3f with %d files, want a few percent", share, len(c.Valid))
	}
	again, err := GoSource(GoSourceOptions{MaxBytes: maxBytes})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(c.Train, again.Train) || !slices.Equal(c.Valid, again.Valid) {
		t.Error("two reads of the Go source corpus differ")
	}
}

func TestGoSourceErrors(t *testing.T) {
	if _, err := GoSource(GoSourceOptions{Root: t.TempDir()}); err == nil || !strings.Contains(err.Error(), "no .go files") {
		t.Errorf("empty root: error = %v", err)
	}
	if _, err := GoSource(GoSourceOptions{Root: filepath.Join(t.TempDir(), "nope")}); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing root: error = %v, want ErrNotExist", err)
	}
	if _, err := GoSource(GoSourceOptions{ValidPercent: 100}); err == nil {
		t.Error("ValidPercent 100 accepted")
	}
}
