package jupyter

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/go-zeromq/zmq4"
)

// fakeKernel answers kernel_info and execute requests the way a Jupyter kernel does, to test
// the client without starting one. Before each real reply it sends a forged copy signed with
// another key, which the client must drop.
type fakeKernel struct {
	info   ConnectionInfo
	signer Signer
	shell  zmq4.Socket
	ctrl   zmq4.Socket
	iopub  zmq4.Socket
	cancel context.CancelFunc
}

func startFakeKernel(t *testing.T) *fakeKernel {
	t.Helper()
	info, err := NewConnectionInfo()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	fk := &fakeKernel{info: info, signer: NewSigner(info.Key), cancel: cancel,
		shell: zmq4.NewRouter(ctx), ctrl: zmq4.NewRouter(ctx), iopub: zmq4.NewPub(ctx)}
	for sock, port := range map[zmq4.Socket]int{fk.shell: info.ShellPort, fk.ctrl: info.ControlPort, fk.iopub: info.IOPubPort} {
		if err := sock.Listen(info.Endpoint(port)); err != nil {
			t.Fatal(err)
		}
	}
	go fk.serve(fk.shell)
	go fk.serve(fk.ctrl)
	t.Cleanup(func() {
		cancel()
		fk.shell.Close()
		fk.ctrl.Close()
		fk.iopub.Close()
	})
	return fk
}

func (fk *fakeKernel) send(sock zmq4.Socket, signer Signer, parent *Message, msgType string, content any) {
	m, _ := NewMessage("fake-kernel", msgType, content)
	m.ParentHeader = parent.Header
	if sock != fk.iopub {
		m.Identities = parent.Identities
	}
	frames, _ := signer.Encode(m)
	_ = sock.SendMulti(zmq4.NewMsgFrom(frames...))
}

func (fk *fakeKernel) serve(sock zmq4.Socket) {
	forger := NewSigner("forged")
	for {
		zm, err := sock.Recv()
		if err != nil {
			return
		}
		req, err := fk.signer.Decode(zm.Frames)
		if err != nil {
			continue
		}
		status := func(state string) {
			fk.send(fk.iopub, fk.signer, req, "status", map[string]any{"execution_state": state})
		}
		status("busy")
		switch req.Type() {
		case "kernel_info_request":
			fk.send(sock, forger, req, "kernel_info_reply", map[string]any{"status": "ok", "implementation": "forged"})
			fk.send(sock, fk.signer, req, "kernel_info_reply", map[string]any{
				"status": "ok", "protocol_version": "5.3", "implementation": "fake",
				"language_info": map[string]any{"name": "go"}})
		case "execute_request":
			var content struct{ Code string }
			_ = json.Unmarshal(req.Content, &content)
			fk.send(fk.iopub, forger, req, "stream", map[string]any{"name": "stdout", "text": "FORGED\n"})
			fk.send(fk.iopub, fk.signer, req, "stream", map[string]any{"name": "stdout", "text": "ran " + content.Code + "\n"})
			fk.send(fk.iopub, fk.signer, req, "display_data", map[string]any{
				"data": map[string]any{"text/html": "<b>v1</b>"}, "transient": map[string]any{"display_id": "d1"}})
			fk.send(fk.iopub, fk.signer, req, "update_display_data", map[string]any{
				"data": map[string]any{"text/html": "<b>v2</b>"}, "transient": map[string]any{"display_id": "d1"}})
			if strings.Contains(content.Code, "fail") {
				fk.send(fk.iopub, fk.signer, req, "error", map[string]any{"ename": "ERROR", "evalue": "it failed", "traceback": []string{"\x1b[31mline 1\x1b[0m"}})
				fk.send(sock, fk.signer, req, "execute_reply", map[string]any{"status": "error", "execution_count": 2, "ename": "ERROR", "evalue": "it failed"})
			} else {
				fk.send(sock, fk.signer, req, "execute_reply", map[string]any{"status": "ok", "execution_count": 1})
			}
		case "interrupt_request", "shutdown_request":
			fk.send(sock, fk.signer, req, strings.Replace(req.Type(), "request", "reply", 1), map[string]any{"status": "ok"})
		}
		status("idle")
	}
}

func TestClientAgainstFakeKernel(t *testing.T) {
	fk := startFakeKernel(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	c, err := Connect(ctx, fk.info)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()

	info, err := c.WaitReady(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if info.Implementation != "fake" || info.LanguageInfo.Name != "go" {
		t.Errorf("kernel info = %+v: the forged reply was accepted or the real one lost", info)
	}
	if c.Rejected() == 0 {
		t.Error("Rejected() = 0 after a forged reply")
	}

	res, err := c.Execute(ctx, "x := 1", ExecuteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != "ok" || res.ExecutionCount != 1 || res.Err() != nil {
		t.Errorf("result = %+v", res)
	}
	if got := res.Stdout(); got != "ran x := 1\n" {
		t.Errorf("stdout = %q (a forged stream must be dropped)", got)
	}
	d := res.Displays()
	if len(d) != 2 || d[0].DisplayID != "d1" || d[1].Type != "update_display_data" || d[1].MIME("text/html") != "<b>v2</b>" {
		t.Errorf("displays = %+v", d)
	}

	res, err = c.Execute(ctx, "fail", ExecuteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != "error" || res.Err() == nil || res.ErrorText() != "ERROR: it failed\nline 1" {
		t.Errorf("failing cell: status %q, error text %q", res.Status, res.ErrorText())
	}

	if err := c.Interrupt(ctx); err != nil {
		t.Errorf("interrupt: %v", err)
	}
	if err := c.Shutdown(ctx, false); err != nil {
		t.Errorf("shutdown: %v", err)
	}
}

func TestExecuteFailsWhenContextEnds(t *testing.T) {
	info, err := NewConnectionInfo()
	if err != nil {
		t.Fatal(err)
	}
	// A "kernel" that accepts connections and never answers.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	shell, ctrl, pub := zmq4.NewRouter(ctx), zmq4.NewRouter(ctx), zmq4.NewPub(ctx)
	defer shell.Close()
	defer ctrl.Close()
	defer pub.Close()
	for sock, port := range map[zmq4.Socket]int{shell: info.ShellPort, ctrl: info.ControlPort, pub: info.IOPubPort} {
		if err := sock.Listen(info.Endpoint(port)); err != nil {
			t.Fatal(err)
		}
	}
	c, err := Connect(ctx, info)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	short, cancelShort := context.WithTimeout(ctx, 200*time.Millisecond)
	defer cancelShort()
	if _, err := c.Execute(short, "1", ExecuteOptions{}); err == nil || !strings.Contains(err.Error(), "deadline") {
		t.Errorf("Execute against a silent kernel: error %v, want a deadline error", err)
	}
}

func TestConnectionFileRoundTrip(t *testing.T) {
	info, err := NewConnectionInfo()
	if err != nil {
		t.Fatal(err)
	}
	p := t.TempDir() + "/kernel-x.json"
	if err := info.WriteFile(p); err != nil {
		t.Fatal(err)
	}
	got, err := ReadConnectionFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if got != info {
		t.Errorf("read %+v, wrote %+v", got, info)
	}
	if got.Endpoint(got.ShellPort) != fmt.Sprintf("tcp://127.0.0.1:%d", info.ShellPort) {
		t.Errorf("endpoint %s", got.Endpoint(got.ShellPort))
	}
}

func TestStartKernelThatExitsReportsItsOutput(t *testing.T) {
	dir := t.TempDir()
	spec := &KernelSpec{Name: "broken", Dir: dir, Argv: []string{"/bin/sh", "-c", "echo launcher: gonb is missing >&2; exit 3", "{connection_file}"}}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	start := time.Now()
	_, err := StartKernel(ctx, spec, StartOptions{})
	if err == nil {
		t.Fatal("StartKernel of a kernel that exits at once succeeded")
	}
	if !strings.Contains(err.Error(), "gonb is missing") || !strings.Contains(err.Error(), "exit status 3") {
		t.Errorf("error does not carry the kernel's output and status: %v", err)
	}
	t.Logf("failed after %v: %v", time.Since(start), err)
}
