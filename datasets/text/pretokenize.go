package text

import (
	"unicode"
	"unicode/utf8"
)

// GPT-2 cuts text into pieces with the regular expression
//
//	's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
//
// before merging bytes inside each piece. gpt2NextPiece is that expression written out by hand,
// alternative by alternative, with the backtracking engine's semantics: at each position the first
// alternative that matches wins, each greedy. \s is unicode.IsSpace, \p{L} unicode.IsLetter and
// \p{N} unicode.IsNumber, the classes the regexp engine used by tiktoken-go uses.

// Character classes of the pre-tokenizer.
const (
	classSpace = iota
	classLetter
	classNumber
	classOther
)

// asciiClass holds the class of each ASCII character.
var asciiClass = func() (t [utf8.RuneSelf]uint8) {
	for r := range rune(utf8.RuneSelf) {
		t[r] = runeClass(r)
	}
	return t
}()

func runeClass(r rune) uint8 {
	switch {
	case unicode.IsSpace(r):
		return classSpace
	case unicode.IsLetter(r):
		return classLetter
	case unicode.IsNumber(r):
		return classNumber
	}
	return classOther
}

// classAt returns the class and byte length of the character at s[i]. An invalid byte counts as
// one U+FFFD (class other), as the regexp engine sees it.
func classAt(s string, i int) (class uint8, size int) {
	if c := s[i]; c < utf8.RuneSelf {
		return asciiClass[c], 1
	}
	r, n := utf8.DecodeRuneInString(s[i:])
	return runeClass(r), n
}

// scanClass returns the end of the run of characters of class c starting at i.
func scanClass(s string, i int, c uint8) int {
	for i < len(s) {
		ci, n := classAt(s, i)
		if ci != c {
			return i
		}
		i += n
	}
	return i
}

// gpt2NextPiece returns the end of the piece that starts at s[i] (i < len(s)).
func gpt2NextPiece(s string, i int) int {
	// 's|'t|'re|'ve|'m|'ll|'d
	if s[i] == '\'' && i+1 < len(s) {
		switch s[i+1] {
		case 's', 't', 'm', 'd':
			return i + 2
		}
		if i+2 < len(s) {
			switch s[i+1 : i+3] {
			case "re", "ve", "ll":
				return i + 3
			}
		}
	}
	// ' ?\p{L}+', ' ?\p{N}+' and ' ?[^\s\p{L}\p{N}]+': an optional space then a run of one class.
	if s[i] == ' ' && i+1 < len(s) {
		if c, n := classAt(s, i+1); c != classSpace {
			return scanClass(s, i+1+n, c)
		}
	}
	c, n := classAt(s, i)
	if c != classSpace {
		return scanClass(s, i+n, c)
	}
	// '\s+(?!\S)': the whitespace run, less its last character when a non-space follows;
	// '\s+' when that leaves nothing.
	end := scanClass(s, i+n, classSpace)
	if end == len(s) {
		return end
	}
	_, lastSize := utf8.DecodeLastRuneInString(s[i:end])
	if last := end - lastSize; last > i {
		return last
	}
	return end
}
