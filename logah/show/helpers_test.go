package show

import (
	"bytes"
	"encoding/xml"
	"io"
	"testing"
)

// record installs a Recorder for the duration of the test.
func record(t *testing.T) *Recorder {
	t.Helper()
	r := &Recorder{}
	prev := SetDisplayer(r)
	t.Cleanup(func() { SetDisplayer(prev) })
	return r
}

// wellFormed fails the test if doc is not well-formed XML.
func wellFormed(t *testing.T, doc []byte) {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(doc))
	for {
		_, err := d.Token()
		if err == io.EOF {
			return
		}
		if err != nil {
			t.Fatalf("not well-formed XML: %v\n%s", err, doc)
		}
	}
}
