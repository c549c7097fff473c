//go:build !goexperiment.simd

package machine

// SIMD says this binary was built with GOEXPERIMENT=simd: the Go backend's AVX2/AVX-512 matrix
// kernels are compiled in.
const SIMD = false
