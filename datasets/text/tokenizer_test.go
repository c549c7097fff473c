package text

import (
	"slices"
	"strings"
	"testing"
)

// roundTripTexts exercise ASCII, whitespace runs, code, non-Latin scripts, emoji and contractions.
var roundTripTexts = []string{
	"",
	"Hello, world!",
	"  leading and trailing spaces  \n\n\n\ttabs\r\n",
	"func main() {\n\tfmt.Println(\"héllo\", 42, 3.14e-10)\n}\n",
	"Ünïcödé — 日本語のテキスト, русский текст, العربية, 🚀🔥👩‍👩‍👧",
	"I'm sure they'll say it's what we've done, isn't it? 'quoted' words",
	" = Valkyria Chronicles III = \n",
	strings.Repeat("a", 300) + strings.Repeat(" ", 130) + "end", // long pieces take the heap merge path
}

func TestGPT2KnownIDs(t *testing.T) {
	tok, err := NewGPT2()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		text string
		want []int32
	}{
		{"Hello, ", []int32{15496, 11, 220}},
		{"Hello world", []int32{15496, 995}},
		{" the", []int32{262}},
		{"!", []int32{0}},
	} {
		if got := tok.Encode(c.text); !slices.Equal(got, c.want) {
			t.Errorf("Encode(%q) = %v, want %v", c.text, got, c.want)
		}
	}
}

func TestGPT2Vocabulary(t *testing.T) {
	tok, err := NewGPT2()
	if err != nil {
		t.Fatal(err)
	}
	if tok.VocabSize() != 50257 {
		t.Fatalf("VocabSize = %d, want 50257", tok.VocabSize())
	}
	// The last ordinary token and the separator decode; one past the end does not.
	if s, err := tok.Decode([]int32{50255}); err != nil || s != " gazed" {
		t.Errorf("Decode([50255]) = %q, %v; want \" gazed\"", s, err)
	}
	if s, err := tok.Decode([]int32{15496, GPT2EOT, 15496}); err != nil || s != "Hello<|endoftext|>Hello" {
		t.Errorf("Decode with EOT = %q, %v", s, err)
	}
	for _, bad := range []int32{50257, -1} {
		if _, err := tok.Decode([]int32{15496, bad}); err == nil {
			t.Errorf("Decode(%d) succeeded, want an error", bad)
		}
	}
	// Special-token text is ordinary text for Encode.
	if ids := tok.Encode("a<|endoftext|>b"); slices.Contains(ids, GPT2EOT) {
		t.Errorf("Encode of the EOT text produced the EOT id: %v", ids)
	}
}

func TestRoundTrip(t *testing.T) {
	gpt2, err := NewGPT2()
	if err != nil {
		t.Fatal(err)
	}
	for _, tok := range []Tokenizer{gpt2, Bytes{}} {
		for _, s := range roundTripTexts {
			ids := tok.Encode(s)
			for _, id := range ids {
				if id < 0 || int(id) >= tok.VocabSize() {
					t.Fatalf("%T: Encode(%q) gave id %d outside the vocabulary", tok, s, id)
				}
			}
			got, err := tok.Decode(ids)
			if err != nil {
				t.Fatalf("%T: Decode: %v", tok, err)
			}
			if got != s {
				t.Errorf("%T: round trip of %q gave %q", tok, s, got)
			}
		}
	}
}

func TestGPT2DecodeSplitsBytes(t *testing.T) {
	tok, err := NewGPT2()
	if err != nil {
		t.Fatal(err)
	}
	ids := tok.Encode("🚀 rocket")
	// Decoding pieces separately and joining them must give the same bytes even when a piece
	// ends inside a multi-byte character.
	var sb strings.Builder
	for _, id := range ids {
		s, err := tok.Decode([]int32{id})
		if err != nil {
			t.Fatal(err)
		}
		sb.WriteString(s)
	}
	if sb.String() != "🚀 rocket" {
		t.Errorf("piecewise decode = %q", sb.String())
	}
}

func TestBytes(t *testing.T) {
	b := Bytes{}
	if b.VocabSize() != 256 {
		t.Fatalf("VocabSize = %d", b.VocabSize())
	}
	if got := b.Encode("Aé"); !slices.Equal(got, []int32{65, 0xc3, 0xa9}) {
		t.Errorf("Encode = %v", got)
	}
	if _, err := b.Decode([]int32{65, 256}); err == nil {
		t.Error("Decode(256) succeeded, want an error")
	}
}

func TestNewTokenizer(t *testing.T) {
	for name, size := range map[string]int{"gpt2": 50257, "bytes": 256} {
		tok, err := NewTokenizer(name)
		if err != nil || tok.VocabSize() != size {
			t.Errorf("NewTokenizer(%q) = %v, %v", name, tok, err)
		}
	}
	if _, err := NewTokenizer("llama"); err == nil || !strings.Contains(err.Error(), "gpt2") {
		t.Errorf("unknown tokenizer error = %v, want one listing the known names", err)
	}
}

func TestTokenize(t *testing.T) {
	gpt2, err := NewGPT2()
	if err != nil {
		t.Fatal(err)
	}
	docs := append(slices.Clone(roundTripTexts), roundTripTexts...)
	var want []int32
	for _, d := range docs {
		want = append(want, gpt2.Encode(d)...)
		want = append(want, GPT2EOT)
	}
	if got := Tokenize(gpt2, docs, GPT2EOT); !slices.Equal(got, want) {
		t.Errorf("Tokenize differs from sequential encoding: %d vs %d ids", len(got), len(want))
	}
	if got := Tokenize(Bytes{}, []string{"ab", "c"}); !slices.Equal(got, []int32{97, 98, 99}) {
		t.Errorf("Tokenize without separator = %v", got)
	}
	if got := Tokenize(Bytes{}, nil); len(got) != 0 {
		t.Errorf("Tokenize(nil) = %v", got)
	}
}
