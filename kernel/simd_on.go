//go:build goexperiment.simd

package main

// simdBuild tells whether this binary was built with GOEXPERIMENT=simd.
const simdBuild = true
