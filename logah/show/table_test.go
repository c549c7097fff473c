package show

import (
	"fmt"
	"strings"
	"testing"
)

func TestTableTextAlignsNumbers(t *testing.T) {
	tb := NewTable("results", "model", "params", "acc")
	tb.Add("vit-s", int64(21_342_820), 0.8125).Add("gpt2", 124_439_808, 0.5)
	got := tb.Text()
	want := "results\n" +
		"model       params     acc\n" +
		"--------------------------\n" +
		"vit-s   21,342,820  0.8125\n" +
		"gpt2   124,439,808     0.5\n"
	if got != want {
		t.Errorf("Text() =\n%s\nwant\n%s", got, want)
	}
}

func TestTableHTMLEscapesAndFolds(t *testing.T) {
	tb := NewTable("<b>t</b>", "name")
	tb.MaxRows = 2
	for i := range 5 {
		tb.Add(fmt.Sprintf("row%d & <x>", i))
	}
	h := tb.HTMLFragment()
	if strings.Contains(h, "<b>t</b>") || !strings.Contains(h, "&lt;b&gt;t&lt;/b&gt;") {
		t.Errorf("title not escaped: %s", h)
	}
	if !strings.Contains(h, "row4 &amp; &lt;x&gt;") {
		t.Errorf("cell not escaped: %s", h)
	}
	if !strings.Contains(h, "<details><summary>3 more rows</summary>") {
		t.Errorf("rows after MaxRows are not folded: %s", h)
	}
	if txt := tb.Text(); !strings.Contains(txt, "... 3 more rows") || strings.Contains(txt, "row2") {
		t.Errorf("text does not elide folded rows:\n%s", txt)
	}
}

func TestTableOf(t *testing.T) {
	type result struct {
		Model  string  `show:"model"`
		Acc    float64 `show:"accuracy"`
		Secret string  `show:"-"`
		hidden int
	}
	tb, err := TableOf("r", []result{{"a", 0.5, "x", 1}, {"b", 0.25, "y", 2}})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(tb.Columns, ",") != "model,accuracy" || len(tb.Rows) != 2 || tb.Rows[1][0] != "b" {
		t.Errorf("TableOf = %+v", tb)
	}
	if _, err := TableOf("r", 3); err == nil {
		t.Error("TableOf(3) did not fail")
	}
}

func TestFormatting(t *testing.T) {
	for _, c := range []struct{ got, want string }{
		{formatInt(774030080), "774,030,080"}, {formatInt(-1234), "-1,234"}, {formatInt(12), "12"},
		{formatFloat(0.000123), "1.23e-04"}, {formatFloat(3.14159), "3.142"}, {formatFloat(2e7), "2.00e+07"}, {formatFloat(25000), "25,000"}, {formatFloat(-12), "-12"},
		{formatShape([]int{768, 3072}), "768×3072"}, {formatShape(nil), "scalar"},
		{formatBytes(3_096_120_320), "3.10 GB"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}

func ExampleTable() {
	t := NewTable("fine-tuning", "init", "epochs", "accuracy")
	t.Add("random", 10, 0.7125)
	t.Add("LoGAH", 10, 0.8031)
	t.Show() // outside a notebook: prints the text rendition
	// Output:
	// fine-tuning
	// init    epochs  accuracy
	// ------------------------
	// random      10    0.7125
	// LoGAH       10    0.8031
}
