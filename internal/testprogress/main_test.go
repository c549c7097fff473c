package main

import (
	"strings"
	"testing"
	"time"
)

// TestFilterShowsClosingLinesFailuresAndProgress feeds the filter the events of a passing and a
// failing test and checks what a person sees.
func TestFilterShowsClosingLinesFailuresAndProgress(t *testing.T) {
	var out strings.Builder
	f := newFilter(&out)
	for _, e := range []event{
		{Action: "run", Package: "p", Test: "TestGood"},
		{Action: "output", Package: "p", Test: "TestGood", Output: "chatter of a passing test\n"},
		{Action: "output", Package: "p", Test: "TestGood", Output: "nbrun: cell 2/9 (code 1/4): fmt.Println()\n"},
		{Action: "pass", Package: "p", Test: "TestGood"},
		{Action: "run", Package: "p", Test: "TestBad"},
		{Action: "output", Package: "p", Test: "TestBad", Output: "    bad_test.go:3: want 1, got 2\n"},
		{Action: "fail", Package: "p", Test: "TestBad"},
		{Action: "output", Package: "p", Output: "FAIL\tp\t0.1s\n"},
		{Action: "output", Package: "q", Output: "ok  \tq\t2.0s\n"},
	} {
		f.handle(e)
	}
	got := out.String()
	for _, want := range []string{"nbrun: cell 2/9", "want 1, got 2", "FAIL\tp", "ok  \tq"} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "chatter") {
		t.Errorf("a passing test's output was shown:\n%s", got)
	}
	if !f.failed {
		t.Error("a failing test did not mark the run failed")
	}

	out.Reset()
	f.handle(event{Action: "run", Package: "k", Test: "TestNotebooks"})
	f.running[key{"k", "TestNotebooks"}] = time.Now().Add(-2 * time.Minute)
	f.remind(time.Minute)
	if !strings.Contains(out.String(), "k TestNotebooks running for 2m") {
		t.Errorf("reminder = %q", out.String())
	}
}
