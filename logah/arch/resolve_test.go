package arch

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestResolveNamesAndFiles(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		t.Helper()
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	mini := mustNamed(t, "vit-mini")
	miniJSON, err := MarshalJSON(mini)
	if err != nil {
		t.Fatal(err)
	}
	gpt := mustNamed(t, "gpt2-mini")
	gptJSON, err := MarshalJSON(gpt)
	if err != nil {
		t.Fatal(err)
	}
	one := write("vit.json", string(miniJSON))
	noExt := write("vit.cfg", string(miniJSON))
	list := write("held_out.json", "[\n"+string(miniJSON)+",\n"+string(gptJSON)+"\n]\n")
	single := write("one.json", "["+string(miniJSON)+"]")

	for spec, want := range map[string]Arch{"vit-mini": mini, " GPT2-Mini ": gpt, one: mini, noExt: mini, single: mini} {
		a, err := Resolve(spec)
		if err != nil || a != want {
			t.Errorf("Resolve(%q) = %v, %v; want %v", spec, a, err, want)
		}
	}
	got, err := ResolveList(list)
	if err != nil || len(got) != 2 || got[0] != mini || got[1] != gpt {
		t.Errorf("ResolveList(held_out.json) = %v, %v", got, err)
	}
	if got, err := ResolveList("gpt2-mini"); err != nil || len(got) != 1 || got[0] != gpt {
		t.Errorf("ResolveList(a name) = %v, %v", got, err)
	}

	bad := write("bad.json", `[{"kind":"vit","image_size":28,"channels":1,"patch":5,"depth":4,"width":64,"heads":4,"mlp_dim":256,"classes":10}]`)
	for spec, wants := range map[string][]string{
		"gpt3":                       {`unknown model "gpt3"`, "vit-s", "or give the path of a JSON configuration file"},
		"":                           {"no architecture", "model name", "JSON configuration file"},
		filepath.Join(dir, "x.json"): {"x.json", "no such file"},
		list:                         {"a list of 2 configurations", "a file of its own"},
		bad:                          {"bad.json[0]", "patch 5 does not divide image_size 28"},
		write("typo.json", `{"kind":"vit","widht":3}`): {"typo.json", `unknown field "widht"`},
		write("broken.json", `[{"kind":"vit"`):         {"broken.json: not a JSON list"},
	} {
		_, err := Resolve(spec)
		for _, want := range wants {
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("Resolve(%q): %v, want an error saying %q", spec, err, want)
			}
		}
	}
}
