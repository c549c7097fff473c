#!/usr/bin/env bash
# LoGAH Lab setup. Idempotent: re-running it only does what is missing.
#
#   ./install.sh        install everything the project needs (Go tools, Jupyter, data, kernel)
#   ./install.sh run    install, then run the main job (see README)
#   ./install.sh test   install, then run the whole test suite
#
# Every build uses GOEXPERIMENT=simd (the pure-Go backend's matmul is ~20x faster with it).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$ROOT"
export GOEXPERIMENT=simd
export GOMLX_BACKEND="${GOMLX_BACKEND:-go}"
export GOMLX_NO_AUTO_INSTALL=1
export GOFLAGS="${GOFLAGS:--buildvcs=false}"

GO_MIN="1.26.5"
COMPUTE_VERSION="v0.1.2"                            # github.com/gomlx/compute, pinned in go.mod
ENGINE_PATCHES="logah/backend/patches/compute-$COMPUTE_VERSION"
ENGINE_DIR="bin/compute-patched-by-install.sh"      # go.mod's replace names this directory
GOPLS_VERSION="v0.23.0"     # the newest gopls that builds with Go 1.26
GOIMPORTS_VERSION="v0.44.0" # golang.org/x/tools
APT_PACKAGES=(jupyter-notebook jupyter-nbconvert jupyter-client python3-nbclient dataset-fashion-mnist patch)

say()  { printf '\033[1;34m==>\033[0m %s\n' "$*"; }
warn() { printf '\033[1;33mwarning:\033[0m %s\n' "$*" >&2; }
die()  { printf '\033[1;31merror:\033[0m %s\n' "$*" >&2; exit 1; }

version_ge() { # version_ge A B: A >= B (dotted numbers)
  [ "$(printf '%s\n%s\n' "$1" "$2" | sort -V | head -n1)" = "$2" ]
}

check_go() {
  command -v go >/dev/null 2>&1 || die "Go is not installed. Install Go >= $GO_MIN from https://go.dev/dl/ (e.g. tar -C /usr/local -xzf go1.26.x.linux-amd64.tar.gz; export PATH=\$PATH:/usr/local/go/bin)."
  local v
  v="$(go env GOVERSION | sed 's/^go//; s/[^0-9.].*$//')"
  version_ge "$v" "$GO_MIN" || die "Go $v is too old: LoGAH Lab needs Go >= $GO_MIN (GoMLX v0.28.2 requires it). Get it from https://go.dev/dl/."
  say "Go $v (GOEXPERIMENT=simd)"
  export PATH="$(go env GOPATH)/bin:$PATH"
}

install_system_packages() {
  local missing=()
  for p in "${APT_PACKAGES[@]}"; do
    dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
  done
  if [ ${#missing[@]} -eq 0 ]; then
    say "system packages present: ${APT_PACKAGES[*]}"
    return
  fi
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo="sudo"; else sudo="none"; fi
  fi
  if command -v apt-get >/dev/null 2>&1 && [ "$sudo" != "none" ]; then
    say "installing with apt: ${missing[*]} (a minute or two; a line per package)"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}" 2>&1 \
      | sed -un 's/^Setting up \([^ ]*\) .*/    set up \1/p'
  else
    warn "cannot install ${missing[*]} here (needs apt and root or passwordless sudo). Install them yourself:"
    warn "  Debian/Ubuntu: sudo apt-get install ${APT_PACKAGES[*]}"
    warn "  pip:           /usr/bin/python3 -m pip install --user notebook nbconvert nbclient   (then: ./install.sh again)"
    warn "  macOS:         brew install jupyterlab   (Fashion-MNIST: logah data get fashion-mnist)"
  fi
}

# patch_engine copies github.com/gomlx/compute from the module cache into $ENGINE_DIR and applies
# our patch series to it (logah/backend/patches/README.md says what each patch does). go.mod's
# replace directive points there, so every build (CLI, go test, notebook cells) uses the patched
# engine. It is redone only when the series changes (a stamp file records its checksum).
patch_engine() {
  local sum src tmp p
  sum="$(cat "$ENGINE_PATCHES"/*.patch | sha256sum | cut -d' ' -f1)"
  if [ -f "$ENGINE_DIR/LOGAH_PATCHES" ] && grep -q "^series $sum$" "$ENGINE_DIR/LOGAH_PATCHES"; then
    say "patched engine present: $ENGINE_DIR ($(grep -c '^patch ' "$ENGINE_DIR/LOGAH_PATCHES") patches)"
    return
  fi
  command -v patch >/dev/null 2>&1 || die "the patch command is missing (it applies the engine patches): apt-get install patch"
  say "patching github.com/gomlx/compute $COMPUTE_VERSION with $(ls "$ENGINE_PATCHES"/*.patch | wc -l) patches into $ENGINE_DIR"
  src="$(go mod download -json "github.com/gomlx/compute@$COMPUTE_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
  [ -n "$src" ] && [ -d "$src" ] || die "could not download github.com/gomlx/compute@$COMPUTE_VERSION into the module cache"
  mkdir -p bin
  tmp="$(mktemp -d bin/.engine.XXXXXX)"
  cp -R "$src/." "$tmp/"
  chmod -R u+w "$tmp"
  for p in "$ENGINE_PATCHES"/*.patch; do
    printf '    %s\n' "$(basename "$p")"
    patch -s -p1 -d "$tmp" --forward --batch < "$p" >/dev/null || die "patch $p does not apply to compute $COMPUTE_VERSION"
  done
  { echo "series $sum"; for p in "$ENGINE_PATCHES"/*.patch; do echo "patch $(basename "$p")"; done; } > "$tmp/LOGAH_PATCHES"
  rm -rf "$ENGINE_DIR"
  mv "$tmp" "$ENGINE_DIR"
}

# go_build is go build that says what it compiles: every 25th package, so a first build (a few
# hundred packages) is not silent. Lines with a space are messages (errors), printed as they come.
go_build() {
  go build -v "$@" 2>&1 | awk '/ / {print; fflush(); next} {n++; if (n % 25 == 0) printf "    compiled %d packages (%s)\n", n, $0; fflush()}'
}

install_go_tools() {
  say "downloading Go modules (pinned in go.mod)"
  patch_engine
  # -x shows each module as it arrives (nothing when the cache already has them all).
  go mod download -x 2>&1 | sed -un 's#^\# get .*/\([^/]*/[^/]*\)/@v/\(v[^ ]*\)\.zip: 200.*#    fetched \1 \2#p'
  mkdir -p bin
  say "building the pinned GoNB kernel into bin/gonb"
  go_build -o bin/gonb github.com/janpfeifer/gonb
  say "building the logah command into bin/logah (the first build compiles GoMLX: a few minutes)"
  go_build -o bin/logah ./logah/cmd/logah
  local gobin
  gobin="$(go env GOPATH)/bin"
  if [ -x "$gobin/goimports" ]; then
    say "goimports present"
  else
    say "installing goimports ($GOIMPORTS_VERSION)"
    GOFLAGS= go install "golang.org/x/tools/cmd/goimports@$GOIMPORTS_VERSION"
  fi
  if [ -x "$gobin/gopls" ] && "$gobin/gopls" version 2>/dev/null | grep -q "$GOPLS_VERSION"; then
    say "gopls $GOPLS_VERSION present"
  else
    say "installing gopls $GOPLS_VERSION (autocomplete in notebooks; takes a minute)"
    GOFLAGS= go install "golang.org/x/tools/gopls@$GOPLS_VERSION" || warn "gopls did not install: notebooks work, without autocomplete"
  fi
}

install_kernel() {
  if [ -d kernel ]; then
    say "installing the Jupyter kernel \"Go (LoGAH)\""
    go run ./kernel install --user
  fi
}

install_all() {
  check_go
  install_system_packages
  install_go_tools
  install_kernel
}

run_main() {
  mkdir -p out
  say "GPT-2 Large: $(./bin/logah arch gpt2-large --brief)"
  ./bin/logah graph gpt2-large --format svg --out out/gpt2-large.svg
  say "quickstart notebook through the \"Go (LoGAH)\" kernel -> out/01_quickstart.html"
  ./bin/logah-kernel nbrun --html out/01_quickstart.html notebooks/01_quickstart.ipynb
  say "done. Open the notebooks with: jupyter notebook notebooks/   (kernel \"Go (LoGAH)\"; diagnose with: go run ./kernel doctor)"
}

run_tests() {
  say "go vet ./... (and the XLA build of the backend and kernel, which needs cgo)"
  go vet ./...
  go vet -tags xla ./logah/backend ./kernel
  say "go test ./... (GOEXPERIMENT=simd): a line per package as it ends, progress of long tests"
  go build -o bin/testprogress ./internal/testprogress
  go test -json -count=1 -timeout 40m ./... | bin/testprogress
  say "the XLA path without a plugin explains the offline setup"
  go test -count=1 -tags xla -run XLA ./logah/backend
}

case "${1:-}" in
  "") install_all ;;
  run) install_all; run_main ;;
  test) install_all; run_tests ;;
  -h|--help|help) sed -n '2,8p' "$0" ;;
  *) die "unknown command '$1': use ./install.sh, ./install.sh run or ./install.sh test" ;;
esac
