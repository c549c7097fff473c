package filename

import "testing"

func TestSafeKeepsPortableRunesOnly(t *testing.T) {
	for _, c := range []struct {
		in   string
		repl rune
		want string
	}{
		{"vit(L6 D128 H8 M512 p4 28x28x1 C10)", '_', "vit_L6_D128_H8_M512_p4_28x28x1_C10_"},
		{"logah-m4.v2_b", '_', "logah-m4.v2_b"},
		{"a/b\\c:d é", '-', "a-b-c-d--"},
	} {
		if got := Safe(c.in, c.repl); got != c.want {
			t.Errorf("Safe(%q, %q) = %q, want %q", c.in, c.repl, got, c.want)
		}
	}
}
