//go:build !xla

package main

// xlaBuild tells whether this binary links GoMLX's XLA backend (the xla build tag).
const xlaBuild = false

// probeXLA would create the backend; without the xla tag it cannot, and says so with "".
func probeXLA(backend string) (string, error) { return "", nil }
