//go:build !goexperiment.simd

package backend

// simdBuild says this binary was built with GOEXPERIMENT=simd (the engine's AVX kernels).
const simdBuild = false
