package torchpt_test

import (
	"errors"
	"fmt"

	"github.com/logah-go/logah/logah/torchpt"
)

// Load a training checkpoint in the authors' layout and read its parts.
func Example() {
	c, err := torchpt.Load("testdata/tiny.pt")
	if err != nil {
		fmt.Println(err)
		return
	}
	epoch, _ := c.Int("epoch")
	fmt.Println("keys:", c.Keys(), "epoch:", epoch)

	sd, err := c.StateDict("state_dict")
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, t := range sd {
		v, _ := t.Float32()
		fmt.Println(t.Name, t, v)
	}
	cfg, _ := c.Config()
	args, _ := c.Args()
	fmt.Println("config max_shape:", cfg["max_shape"], "args.name:", args["name"])
	// Output:
	// keys: [state_dict optimizer epoch step ema_state_dict args config] epoch: 3
	// w float32[2 3] [1 2 3 4 5 6]
	// w_t float32[3 2] [1 4 2 5 3 6]
	// row1 float32[3] [4 5 6]
	// h float16[2 2] [1 -2 0.5 65504]
	// bf bfloat16[2] [1.5 -3]
	// d float64[2] [0.25 -8]
	// config max_shape: [8 8 1 1] args.name: tiny
}

// A checkpoint whose pickle would run a shell command in Python is refused, naming the
// function it asked for.
func ExampleForbiddenClassError() {
	_, err := torchpt.Load("testdata/evil.pt")
	var fc *torchpt.ForbiddenClassError
	if errors.As(err, &fc) {
		fmt.Println("refused:", fc.Module+"."+fc.Name)
	}
	// Output: refused: os.system
}
