package logah

import (
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/logah-go/logah/internal/repo"
)

// TestImportsFollowTheLayering checks the import rules of docs/design.md that the compiler does
// not: nothing under logah/ imports the kernel (the logah command included: it must not carry
// the Jupyter client), and no library package imports internal/fixtures, which imports testing.
func TestImportsFollowTheLayering(t *testing.T) {
	root, err := repo.Root()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("go", "list", "-deps", "-f", "{{.ImportPath}}", "./logah/...")
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	deps := strings.Fields(string(out))
	for _, forbidden := range []string{repo.ModulePath + "/kernel", repo.ModulePath + "/internal/fixtures", "testing"} {
		if i := slices.IndexFunc(deps, func(d string) bool { return d == forbidden || strings.HasPrefix(d, forbidden+"/") }); i >= 0 {
			t.Errorf("a package under logah/ (not its tests) imports %s", deps[i])
		}
	}
}
