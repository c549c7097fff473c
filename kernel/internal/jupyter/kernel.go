package jupyter

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// StartOptions tunes [StartKernel].
type StartOptions struct {
	// Dir is the kernel's working directory (default: the current directory).
	Dir string
	// Env is added to the environment (os.Environ() and then the kernelspec's env).
	Env []string
	// ConnectionDir is where the connection file is written (default: a new temporary
	// directory, removed by [Kernel.Close]).
	ConnectionDir string
}

// Kernel is a kernel process started by [StartKernel] with a connected [Client].
type Kernel struct {
	Spec     *KernelSpec
	Conn     ConnectionInfo
	ConnFile string
	Client   *Client
	// Started is when the process was started.
	Started time.Time

	cmd     *exec.Cmd
	logPath string // the kernel's stdout and stderr
	exited  chan struct{}
	waitErr error
	tmpDir  string
	once    sync.Once
}

// StartKernel writes a connection file, starts the kernel of spec and connects a client.
// It does not wait for the kernel to answer: call k.Client.WaitReady. The kernel's stdout
// and stderr go to a log file next to the connection file (a file rather than a pipe, so
// that a kernel outliving this process is not killed by SIGPIPE halfway through its
// shutdown); see [Kernel.Stderr].
func StartKernel(ctx context.Context, spec *KernelSpec, opts StartOptions) (*Kernel, error) {
	info, err := NewConnectionInfo()
	if err != nil {
		return nil, err
	}
	info.KernelName = spec.Name
	k := &Kernel{Spec: spec, Conn: info, exited: make(chan struct{})}
	dir := opts.ConnectionDir
	if dir == "" {
		if dir, err = os.MkdirTemp("", "jupyter-conn-"); err != nil {
			return nil, err
		}
		k.tmpDir = dir
	}
	// kernel-<id>.json is the name Jupyter uses; GoNB reads its kernel id from it.
	id := NewID()
	k.ConnFile = filepath.Join(dir, "kernel-"+id+".json")
	k.logPath = filepath.Join(dir, "kernel-"+id+".log")
	if err := info.WriteFile(k.ConnFile); err != nil {
		k.cleanup()
		return nil, err
	}
	logFile, err := os.Create(k.logPath)
	if err != nil {
		k.cleanup()
		return nil, fmt.Errorf("jupyter: kernel log: %w", err)
	}
	defer logFile.Close() // the child has its own descriptor
	argv := spec.Command(k.ConnFile)
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = opts.Dir
	cmd.Env = os.Environ()
	for key, v := range spec.Env {
		cmd.Env = append(cmd.Env, key+"="+v)
	}
	cmd.Env = append(cmd.Env, opts.Env...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	setProcessGroup(cmd)
	k.Started = time.Now()
	if err := cmd.Start(); err != nil {
		k.cleanup()
		return nil, fmt.Errorf("jupyter: starting kernel %q (%s): %w", spec.Name, argv[0], err)
	}
	k.cmd = cmd
	go func() {
		k.waitErr = cmd.Wait()
		close(k.exited)
	}()
	// Stop dialing as soon as the process dies (e.g. a launcher that cannot find GoNB).
	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		select {
		case <-k.exited:
			cancel()
		case <-cctx.Done():
		}
	}()
	client, err := Connect(cctx, info)
	if err != nil {
		select {
		case <-k.exited:
			err = k.exitError() // includes the kernel's output
		default:
			err = fmt.Errorf("%w\nkernel output:\n%s", err, k.Stderr())
		}
		k.Close()
		return nil, fmt.Errorf("jupyter: starting kernel %q: %w", spec.Name, err)
	}
	client.watchProcess(k.exited, k.exitError)
	k.Client = client
	return k, nil
}

// Stderr returns the last 64 KiB the kernel wrote to stdout and stderr.
func (k *Kernel) Stderr() string {
	f, err := os.Open(k.logPath)
	if err != nil {
		return ""
	}
	defer f.Close()
	const max = 64 << 10
	if st, err := f.Stat(); err == nil && st.Size() > max {
		_, _ = f.Seek(st.Size()-max, io.SeekStart)
	}
	data, _ := io.ReadAll(f)
	return strings.TrimRight(string(data), "\n")
}

// Exited is closed when the kernel process has exited.
func (k *Kernel) Exited() <-chan struct{} { return k.exited }

func (k *Kernel) exitError() error {
	return fmt.Errorf("kernel %q exited (%v); its output:\n%s", k.Spec.Name, k.waitErr, k.Stderr())
}

// Wait waits for the process to exit, up to ctx.
func (k *Kernel) Wait(ctx context.Context) error {
	select {
	case <-k.exited:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Close asks the kernel to shut down (shutdown_request on control) and waits up to 5 s for
// it to exit; a kernel still running then gets SIGTERM and, 3 s later, SIGKILL. Whatever is
// left of its process group (cells) is killed, and the connection file removed.
func (k *Kernel) Close() error {
	var err error
	k.once.Do(func() {
		if k.Client != nil {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			select {
			case <-k.exited:
			default:
				_ = k.Client.Shutdown(ctx, false)
				err = k.Wait(ctx)
			}
			cancel()
			_ = k.Client.Close()
		}
		if k.cmd != nil {
			select {
			case <-k.exited:
			default:
				terminateProcessGroup(k.cmd)
				select {
				case <-k.exited:
				case <-time.After(3 * time.Second):
				}
			}
			killProcessGroup(k.cmd) // the kernel's cells run as children: never leave them behind
			<-k.exited
		}
		k.cleanup()
		if errors.Is(err, context.DeadlineExceeded) {
			err = fmt.Errorf("jupyter: kernel did not exit within 5 s of shutdown_request; stopped it with signals")
		}
	})
	return err
}

func (k *Kernel) cleanup() {
	if k.ConnFile != "" {
		_ = os.Remove(k.ConnFile)
		_ = os.Remove(k.logPath)
	}
	if k.tmpDir != "" {
		_ = os.RemoveAll(k.tmpDir)
	}
}
