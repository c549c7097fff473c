package backend

import (
	"strings"
	"testing"
)

func TestNewSelectsBackends(t *testing.T) {
	b, err := New("")
	if err != nil || b.Name() != "Go Backend" {
		t.Fatalf("default: %v %v", b, err)
	}
	if _, err := New("go:parallelism=1"); err != nil {
		t.Fatalf("go with options: %v", err)
	}
	if _, err := New("go:frobnicate"); err == nil {
		t.Fatal("unknown Go backend option accepted")
	}
	if _, err := New("tpu"); err == nil || !strings.Contains(err.Error(), "not a known backend") {
		t.Fatalf("unknown backend: %v", err)
	}
	if xlaNew == nil {
		if _, err := New("xla:cuda"); err == nil || !strings.Contains(err.Error(), "-tags xla") {
			t.Fatalf("xla without the tag must explain how to build: %v", err)
		}
	}
}
