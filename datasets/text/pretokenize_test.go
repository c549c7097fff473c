package text

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/tiktoken-go/tokenizer"
)

// referenceEncode encodes with tiktoken-go's regexp-based codec, the reference for GPT2.Encode.
func referenceEncode(t testing.TB, s string) []int32 {
	t.Helper()
	c, err := tokenizer.Get(tokenizer.R50kBase)
	if err != nil {
		t.Fatal(err)
	}
	ids, _, err := c.Encode(s)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]int32, len(ids))
	for i, id := range ids {
		out[i] = int32(id)
	}
	return out
}

func checkSameAsReference(t *testing.T, tok *GPT2, s string) {
	t.Helper()
	got, want := tok.Encode(s), referenceEncode(t, s)
	if !slices.Equal(got, want) {
		k := 0
		for k < min(len(got), len(want)) && got[k] == want[k] {
			k++
		}
		ctx, _ := tok.Decode(got[max(0, k-3):min(len(got), k+3)])
		t.Fatalf("Encode differs from tiktoken-go at id %d (of %d / %d) near %q", k, len(got), len(want), ctx)
	}
}

func TestGPT2MatchesReferenceOnGoSource(t *testing.T) {
	tok, err := NewGPT2()
	if err != nil {
		t.Fatal(err)
	}
	c, err := GoSource(GoSourceOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// Every 80th file across the whole tree (about 1.2 MB): code, comments in many languages,
	// Unicode tables, test vectors.
	var sb strings.Builder
	for i := 0; i < len(c.Train); i += 80 {
		sb.WriteString(c.Train[i])
	}
	if sb.Len() < 512<<10 {
		t.Fatalf("sample too small: %d bytes", sb.Len())
	}
	checkSameAsReference(t, tok, sb.String())
}

func TestGPT2MatchesReferenceOnEdgeCases(t *testing.T) {
	tok, err := NewGPT2()
	if err != nil {
		t.Fatal(err)
	}
	cases := []string{
		"'s 't 're 've 'm 'll 'd 'S 'x '", "x''s", " 's", "'", "''", "'r", "'re", "'rex",
		" ", "  ", "a  b", "a \n b", "a\n\n\nb", "\n", "x   ", " \t\n x", "\u00a0x", "x\u3000\u3000y",
		"\u2028a\u0085b", "٣٤ ٥", " ½ Ⅻ", "e\u0301 café", "a\u200bb", "1,000,000.00", "   123",
		"!!!???", " ... ", "\t\tfunc", strings.Repeat(" ", 300) + "x", strings.Repeat("ab", 200),
		strings.Repeat("9", 500), strings.Repeat("é", 150),
	}
	for _, s := range cases {
		checkSameAsReference(t, tok, s)
	}
	// Random strings from an alphabet with every class, whitespace kind and the apostrophe.
	alphabet := []rune("aZé字 \t\n\r\u00a0\u3000\u2028'sltrvmd09٣½!.,-_\u0301😀")
	rng := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		r := make([]rune, rng.IntN(40))
		for k := range r {
			r[k] = alphabet[rng.IntN(len(alphabet))]
		}
		checkSameAsReference(t, tok, string(r))
	}
}

func TestGPT2InvalidUTF8RoundTrips(t *testing.T) {
	tok, err := NewGPT2()
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"a\xffb", "\xc3", " \xe2\x82 x", strings.Repeat("\xfe", 300)} {
		if utf8.ValidString(s) {
			t.Fatalf("%q is valid UTF-8", s)
		}
		got, err := tok.Decode(tok.Encode(s))
		if err != nil || got != s {
			t.Errorf("round trip of %q gave %q, %v", s, got, err)
		}
	}
}
