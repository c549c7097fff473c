package main

import (
	"testing"

	"github.com/logah-go/logah/kernel/internal/kerneltest"
)

func TestMain(m *testing.M) { kerneltest.Main(m) }
