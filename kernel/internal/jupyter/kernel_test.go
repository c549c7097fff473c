package jupyter_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/logah-go/logah/kernel/internal/jupyter"
	"github.com/logah-go/logah/kernel/internal/kerneltest"
)

func TestMain(m *testing.M) { kerneltest.Main(m) }

// cellTimeout bounds one cell: the first cell of a run compiles the dependencies, which takes
// a minute or more on a cold Go cache.
const cellTimeout = 10 * time.Minute

// startKernel starts the kernel installed by kerneltest and waits until it answers.
func startKernel(t *testing.T) *jupyter.Kernel {
	t.Helper()
	inst := kerneltest.Install(t)
	spec, err := jupyter.ReadKernelSpec(inst.SpecDir)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	k, err := jupyter.StartKernel(ctx, spec, jupyter.StartOptions{Dir: t.TempDir(), Env: inst.Env})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := k.Close(); err != nil {
			t.Logf("closing kernel: %v", err)
		}
	})
	if _, err := k.Client.WaitReady(ctx); err != nil {
		t.Fatalf("kernel not ready: %v", err)
	}
	return k
}

// execute runs a cell and fails the test if the exchange (not the cell) fails.
func execute(t *testing.T, k *jupyter.Kernel, code string) *jupyter.ExecuteResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), cellTimeout)
	defer cancel()
	res, err := k.Client.Execute(ctx, code, jupyter.ExecuteOptions{})
	if err != nil {
		t.Fatalf("executing %q: %v", code, err)
	}
	return res
}

// mustRun executes a cell that must succeed.
func mustRun(t *testing.T, k *jupyter.Kernel, code string) *jupyter.ExecuteResult {
	t.Helper()
	res := execute(t, k, code)
	if err := res.Err(); err != nil {
		t.Fatalf("cell failed:\n%s\n%v", code, err)
	}
	return res
}

func TestKernelInfo(t *testing.T) {
	inst := kerneltest.Install(t)
	spec, err := jupyter.ReadKernelSpec(inst.SpecDir)
	if err != nil {
		t.Fatal(err)
	}
	if spec.DisplayName != "Go (LoGAH)" || spec.Language != "go" || filepath.Base(spec.Argv[0]) != "logah-kernel" {
		t.Errorf("kernelspec = %+v", spec)
	}
	k := startKernel(t)
	info, err := k.Client.KernelInfo(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if info.Status != "ok" || info.LanguageInfo.Name != "go" || info.ProtocolVersion == "" {
		t.Errorf("kernel_info_reply = %+v", info)
	}
}

const noautoget = "%noautoget\n"

func TestExecuteImportsLogah(t *testing.T) {
	k := startKernel(t)
	res := mustRun(t, k, noautoget+`import "github.com/logah-go/logah/logah/arch"
%%
a, err := arch.Named("gpt2-large")
if err != nil { panic(err) }
fmt.Println("params:", arch.NumParams(a))`)
	if got := res.Stdout(); !strings.Contains(got, "params: 774030080") {
		t.Errorf("stdout = %q, want the GPT-2 Large parameter count 774030080", got)
	}
}

func TestExecuteEnvironment(t *testing.T) {
	k := startKernel(t)
	res := mustRun(t, k, `%%
fmt.Println(os.Getenv("GOMLX_BACKEND"), os.Getenv("GOEXPERIMENT"), os.Getenv("GOMLX_NO_AUTO_INSTALL"), os.Getenv("LOGAH_REPO") != "")`)
	if got := strings.TrimSpace(res.Stdout()); got != "go simd 1 true" {
		t.Errorf("cell environment = %q, want \"go simd 1 true\"", got)
	}
}

func TestCompileError(t *testing.T) {
	k := startKernel(t)
	res := execute(t, k, `%%
var x int = "not an int"
fmt.Println(x)`)
	if res.Status != "error" {
		t.Fatalf("status = %q, want error; outputs %+v", res.Status, res.Outputs)
	}
	if msg := res.ErrorText() + htmlOf(res); !strings.Contains(msg, "cannot use") {
		t.Errorf("error does not carry the compiler message (\"cannot use ...\"):\n%s", msg)
	}
}

func TestPanicThenNextCell(t *testing.T) {
	k := startKernel(t)
	res := execute(t, k, `%%
panic("boom from the cell")`)
	if res.Status != "error" {
		t.Fatalf("status = %q, want error", res.Status)
	}
	if all := res.ErrorText() + res.Stderr() + htmlOf(res); !strings.Contains(all, "boom from the cell") {
		t.Errorf("panic message not reported; outputs: %+v", res.Outputs)
	}
	next := mustRun(t, k, `%%
fmt.Println("still alive")`)
	if !strings.Contains(next.Stdout(), "still alive") {
		t.Errorf("next cell stdout = %q", next.Stdout())
	}
}

func TestInterrupt(t *testing.T) {
	k := startKernel(t)
	started := make(chan struct{}, 1)
	done := make(chan *jupyter.ExecuteResult, 1)
	errc := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), cellTimeout)
		defer cancel()
		res, err := k.Client.Execute(ctx, `%%
fmt.Println("looping")
for i := 0; ; i++ {
	time.Sleep(10 * time.Millisecond)
}`, jupyter.ExecuteOptions{OnOutput: func(o jupyter.Output) {
			if o.Type == "stream" && strings.Contains(o.Text, "looping") {
				select {
				case started <- struct{}{}:
				default:
				}
			}
		}})
		if err != nil {
			errc <- err
			return
		}
		done <- res
	}()
	select {
	case <-started:
	case err := <-errc:
		t.Fatal(err)
	case res := <-done:
		t.Fatalf("the endless cell ended by itself: %+v", res)
	}
	sent := time.Now()
	if err := k.Client.Interrupt(context.Background()); err != nil {
		t.Fatal(err)
	}
	// The cell never ends by itself: getting a result at all shows the interrupt worked. The
	// time it took is reported, not asserted (see BenchmarkInterrupt).
	select {
	case res := <-done:
		t.Logf("interrupted cell returned %q after %v", res.Status, time.Since(sent))
	case err := <-errc:
		t.Fatal(err)
	case <-time.After(2 * time.Minute):
		t.Fatal("the cell was still running 2 minutes after interrupt_request")
	}
	next := mustRun(t, k, `%%
fmt.Println("after interrupt")`)
	if !strings.Contains(next.Stdout(), "after interrupt") {
		t.Errorf("cell after the interrupt: stdout %q", next.Stdout())
	}
}

func TestBadSignatureRejected(t *testing.T) {
	k := startKernel(t)
	marker := filepath.Join(t.TempDir(), "forged-cell-ran")
	m, err := k.Client.NewMessage("execute_request", map[string]any{
		"code": "%%\nos.WriteFile(" + quote(marker) + ", nil, 0o644)", "silent": false, "store_history": true,
		"user_expressions": map[string]any{}, "allow_stdin": false, "stop_on_error": true,
	})
	if err != nil {
		t.Fatal(err)
	}
	frames, err := jupyter.NewSigner("not-the-key").Encode(m)
	if err != nil {
		t.Fatal(err)
	}
	if err := k.Client.SendFrames(jupyter.Shell, frames); err != nil {
		t.Fatal(err)
	}
	// A properly signed cell afterwards proves the forged one had its chance to run first
	// (the shell channel is handled in order). GoNB v0.11.4 goes further than ignoring the
	// forged message: its dispatcher stops the kernel on any invalid message, so the signed
	// cell may fail because the kernel is gone.
	ctx, cancel := context.WithTimeout(context.Background(), cellTimeout)
	defer cancel()
	res, err := k.Client.Execute(ctx, "%%\nfmt.Println(\"signed\")", jupyter.ExecuteOptions{})
	if err != nil {
		select {
		case <-k.Exited():
		case <-time.After(time.Minute):
			t.Fatalf("the kernel neither answered after the forged message nor exited: %v", err)
		}
		if !strings.Contains(k.Stderr(), "signature") {
			t.Errorf("the kernel exited without mentioning the signature; its log:\n%s", k.Stderr())
		}
		t.Logf("GoNB stopped on the forged message (as v0.11.4 does): %v", err)
	} else if !strings.Contains(res.Stdout(), "signed") {
		t.Errorf("signed cell after the forged one: %+v", res)
	}
	if fileExists(marker) {
		t.Fatalf("the kernel executed a message signed with the wrong key")
	}
}

func TestDisplayGraph(t *testing.T) {
	k := startKernel(t)
	res := mustRun(t, k, noautoget+`import (
	"github.com/logah-go/logah/logah/show"
	"github.com/logah-go/logah/logah/arch"
)
%%
a, err := arch.Named("vit-s")
if err != nil { panic(err) }
if err := show.ArchGraph(a); err != nil { panic(err) }`)
	var found bool
	for _, o := range res.Displays() {
		h := o.MIME("text/html")
		if o.Type == "display_data" && strings.Contains(h, "<svg") && strings.Contains(h, "164 nodes") {
			found = true
		}
	}
	if !found {
		t.Errorf("no display_data with the graph's SVG; outputs: %+v", res.Outputs)
	}
}

func TestLiveDisplayUpdatesInPlace(t *testing.T) {
	k := startKernel(t)
	res := mustRun(t, k, noautoget+`import "github.com/logah-go/logah/logah/show"
%%
c := show.NewCurves(show.CurvesOptions{Every: time.Millisecond})
for i := range 20 {
	c.Add("run", "loss", float64(i), 1/float64(i+1))
	time.Sleep(5 * time.Millisecond)
}
c.Done()`)
	var liveID string
	updates, finals := 0, 0
	for _, o := range res.Displays() {
		switch {
		case o.Type == "display_data" && o.DisplayID != "":
			if liveID != "" {
				t.Errorf("a second live display %q (first %q): updates must reuse one display", o.DisplayID, liveID)
			}
			liveID = o.DisplayID
		case o.Type == "update_display_data":
			if o.DisplayID != liveID {
				t.Errorf("update of display %q, live display is %q", o.DisplayID, liveID)
			}
			updates++
		case o.Type == "display_data" && strings.Contains(o.MIME("text/html"), "<svg"):
			finals++
		}
	}
	if liveID == "" || updates == 0 || finals != 1 {
		t.Errorf("live display %q, %d updates, %d final copies; want one live display, updates, one final copy", liveID, updates, finals)
	}
}

// TestCellRunsOnPatchedEngine checks that notebook cells are compiled against the compute
// engine ./install.sh patched (go.mod's replace), with the AVX kernels and the parallel
// scheduler.
func TestCellRunsOnPatchedEngine(t *testing.T) {
	k := startKernel(t)
	res := mustRun(t, k, noautoget+`import "github.com/logah-go/logah/logah/backend"
%%
e := backend.Engine()
fmt.Println("patched:", e.Patched, "simd:", e.SIMD, "options:", e.GoOptions == "")
fmt.Println(e)`)
	if got := res.Stdout(); !strings.Contains(got, "patched: true simd: true options: true") {
		t.Errorf("the cell's engine is not the patched one:\n%s", got)
	}
}
