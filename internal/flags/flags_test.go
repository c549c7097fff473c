package flags

import (
	"errors"
	"flag"
	"io"
	"slices"
	"testing"
)

func TestInterspersedTakesFlagsAnywhere(t *testing.T) {
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	format := fs.String("format", "dot", "")
	var inits List
	fs.Var(&inits, "init", "")
	pos, err := Interspersed(fs, []string{"gpt2", "--format", "svg", "--init", "a", "x", "--init", "b", "--", "--not-a-flag"})
	if err != nil {
		t.Fatal(err)
	}
	if *format != "svg" || !slices.Equal(pos, []string{"gpt2", "x", "--not-a-flag"}) || !slices.Equal(inits, List{"a", "b"}) || inits.String() != "a,b" {
		t.Fatalf("format %q, positional %q, inits %q", *format, pos, inits)
	}
}

func TestInterspersedReturnsTheFlagSetsErrors(t *testing.T) {
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	if _, err := Interspersed(fs, []string{"a", "--nope"}); err == nil || err.Error() != "flag provided but not defined: -nope" {
		t.Fatalf("unknown flag: %v", err)
	}
	if _, err := Interspersed(fs, []string{"-h"}); !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("-h: %v, want flag.ErrHelp", err)
	}
}
