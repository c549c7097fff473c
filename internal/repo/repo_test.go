package repo

import (
	"os"
	"path/filepath"
	"testing"
)

func TestRootIsTheCheckoutHoldingThisPackage(t *testing.T) {
	root, err := Root()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "internal", "repo", "repo.go")); err != nil {
		t.Fatalf("Root() = %s, which does not hold this package: %v", root, err)
	}
}

func TestFindUpSkipsOtherModules(t *testing.T) {
	dir := t.TempDir()
	if _, ok := FindUp(dir); ok {
		t.Fatalf("found a checkout above the empty %s", dir)
	}
	other := filepath.Join(dir, "other")
	os.MkdirAll(filepath.Join(other, "sub"), 0o755)
	os.WriteFile(filepath.Join(other, "go.mod"), []byte("module example.com/other\n"), 0o644)
	if _, ok := FindUp(filepath.Join(other, "sub")); ok {
		t.Fatal("a go.mod of another module was taken for the checkout")
	}
	os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module \""+ModulePath+"\"\n\ngo 1.26\n"), 0o644)
	got, ok := FindUp(filepath.Join(other, "sub"))
	if !ok || got != dir {
		t.Fatalf("FindUp = %q, %v; want %q", got, ok, dir)
	}
}
