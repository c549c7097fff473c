package jupyter_test

import (
	"os"
	"strconv"
	"strings"

	"github.com/logah-go/logah/kernel/internal/jupyter"
)

func quote(s string) string { return strconv.Quote(s) }

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// htmlOf concatenates the text/html and text/plain data of a result's displays.
func htmlOf(res *jupyter.ExecuteResult) string {
	var b strings.Builder
	for _, o := range res.Displays() {
		b.WriteString(o.MIME("text/html"))
		b.WriteString(o.MIME("text/plain"))
	}
	return b.String()
}
