// Command kernel installs and runs "Go (LoGAH)", the Jupyter kernel of LoGAH Lab: GoNB, built
// from the version pinned in go.mod, started by a small launcher that prepares its environment.
//
// GoNB cannot be embedded (its packages are internal), so the kernel is two binaries in
// <repo>/bin: gonb (go build github.com/janpfeifer/gonb) and logah-kernel (this program).
//
// # Commands
//
//	go run ./kernel install [--user | --system | --prefix DIR] [--name logah] [--backend B]
//	go run ./kernel uninstall [--user | --system | --prefix DIR] [--name logah]
//	go run ./kernel doctor
//	go run ./kernel nbrun [--html OUT.html] [--out OUT.ipynb | --inplace] [--smoke] NOTEBOOK...
//	bin/logah-kernel launch --repo DIR --gonb FILE CONNECTION_FILE   (what kernel.json runs)
//
// install builds bin/gonb if it is missing, copies itself to bin/logah-kernel (`go run`
// builds into a temporary directory; the copy keeps the build tags, e.g. -tags xla) and
// writes the kernelspec "logah" (display name "Go (LoGAH)", with logos) into
// $JUPYTER_DATA_DIR/kernels (default ~/.local/share/jupyter/kernels; --prefix DIR uses
// DIR/share/jupyter/kernels and --system /usr/local/share/jupyter/kernels). Unlike `jupyter
// kernelspec install`, the default is the user's directory. `jupyter kernelspec list` then
// shows it.
//
// # The launcher
//
// kernel.json runs `logah-kernel launch`, which completes the environment and then execs
// GoNB with -go_work=<repo>, so that cells can import github.com/logah-go/logah/... from this
// checkout. Values already set (exported before starting Jupyter) win over these defaults:
//
//	GOMLX_BACKEND=go           GoMLX's pure-Go backend (no cgo, no downloads)
//	GOEXPERIMENT=simd          AVX2/AVX-512 matmul in the Go backend (docs/performance.md)
//	GOMLX_NO_AUTO_INSTALL=1    never download XLA plugins
//	LOGAH_REPO=<repo>          where the checkout is, for notebooks that read its files
//	PATH += go's directory (if missing), $GOBIN or $GOPATH/bin (goimports, gopls)
//
// With GOMLX_BACKEND=xla:... the launcher also adds -tags=xla to GOFLAGS, so cells are built
// with the XLA backend (see kernel/README.md, "XLA and CUDA").
//
// # Notebooks start with %noautoget
//
// GoNB runs `go get` before building a cell. Its temporary module only knows this checkout
// through a replace directive, so that `go get` resolves every other import (gomlx, gonbui...)
// to its *latest* version through the Go proxy: versions drift from the pins in go.mod, and
// offline, or behind a proxy with a stale version list, the build fails. A first cell with
// `%noautoget` makes GoNB build with the workspace's build list instead, i.e. exactly the
// versions in go.mod. New third-party imports must then be added to go.mod (pinned).
//
// # Doctor
//
// doctor prints a table of checks (Go version, SIMD, goimports, gopls, GoNB, Jupyter,
// the kernelspec and the checkout it serves, Fashion-MNIST, the backend and, for XLA, the PJRT
// plugin, cgo and the cells' registration) with a fix for each failure, and exits 1 if a
// check failed.
//
// # Display helpers and tests
//
// What cells display lives apart from the kernel, in package logah/show (graphs, parameter
// tables, training curves, progress and tables). Package kernel/internal/jupyter is a Go
// Jupyter client used by nbrun, doctor and this program's tests and benchmarks, which install the kernel into a temporary JUPYTER_DATA_DIR. Its benchmarks
// time the kernel's start and warm notebook cells (docs/performance.md says how to run them).
package main
