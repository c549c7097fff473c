// Package filename makes file names out of labels (architectures, display names).
package filename

import "strings"

// Safe turns s into a file name: every rune other than ASCII letters, digits, '.', '-' and
// '_' becomes replacement ("vit(L6 D128 …)" → "vit_L6_D128_…" with '_').
func Safe(s string, replacement rune) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '-', r == '_':
			return r
		}
		return replacement
	}, s)
}
