package torchpt

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
)

// archive is the zip container of a torch.save file: every entry sits under one folder,
// the prefix (<prefix>/data.pkl, <prefix>/data/<key>, <prefix>/version, ...).
type archive struct {
	prefix string
	files  map[string]*zip.File // by full name; nil value: the name is duplicated
}

// openArchive checks the magic, parses the zip directory and finds <prefix>/data.pkl.
func openArchive(r io.ReaderAt, size int64) (*archive, error) {
	var magic [4]byte
	n, _ := r.ReadAt(magic[:], 0)
	switch {
	case n >= 2 && magic[0] == 0x80 && magic[1] <= 5:
		return nil, fmt.Errorf("%w: this is a bare pickle (the legacy torch.save format of "+
			"PyTorch < 1.6), which is not supported; re-save it in PyTorch with "+
			"torch.save(torch.load(path), path)", ErrFormat)
	case n < 4 || !bytes.Equal(magic[:2], []byte("PK")):
		return nil, fmt.Errorf("%w: not a zip archive (torch.save files since PyTorch 1.6 start with \"PK\")", ErrFormat)
	}
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return nil, fmt.Errorf("%w: reading the zip directory: %v (is the file truncated?)", ErrFormat, err)
	}
	a := &archive{files: make(map[string]*zip.File, len(zr.File))}
	var prefixes []string
	torchScript := false
	for _, f := range zr.File {
		if _, dup := a.files[f.Name]; dup {
			a.files[f.Name] = nil // lookup reports it if the entry is needed
			continue
		}
		a.files[f.Name] = f
		dir, base, ok := strings.Cut(f.Name, "/")
		switch {
		case ok && base == "data.pkl" && dir != "":
			prefixes = append(prefixes, dir)
		case ok && base == "constants.pkl":
			torchScript = true
		}
	}
	switch {
	case len(prefixes) == 1:
		a.prefix = prefixes[0]
	case len(prefixes) > 1:
		return nil, fmt.Errorf("%w: the zip holds %d data.pkl entries (%s); a torch.save file has exactly one",
			ErrFormat, len(prefixes), strings.Join(prefixes, ", "))
	case torchScript:
		return nil, fmt.Errorf("%w: this is a TorchScript archive (torch.jit.save), not a torch.save "+
			"checkpoint; save the state dict with torch.save(model.state_dict(), path)", ErrFormat)
	default:
		return nil, fmt.Errorf("%w: the zip has no <name>/data.pkl entry, so it is not a torch.save file", ErrFormat)
	}
	return a, nil
}

// lookup returns the entry <prefix>/<rel>, or nil if absent.
func (a *archive) lookup(rel string) (*zip.File, error) {
	name := a.prefix + "/" + rel
	f, ok := a.files[name]
	if !ok {
		return nil, nil
	}
	if f == nil {
		return nil, fmt.Errorf("%w: the zip holds two entries named %s", ErrFormat, name)
	}
	return f, nil
}

// readEntry returns the whole uncompressed entry, refusing entries larger than max (the
// message names the option that raises it, if any) and verifying the CRC.
func readEntry(f *zip.File, max int64, option string) ([]byte, error) {
	size := f.UncompressedSize64
	if size > uint64(max) {
		if option == "" {
			return nil, fmt.Errorf("%w: %s is %d bytes, more than the %d it may have", ErrFormat, f.Name, size, max)
		}
		return nil, fmt.Errorf("%w: %s is %d bytes, more than the limit of %d; raise it with %s if the file is trusted",
			ErrLimit, f.Name, size, max, option)
	}
	rc, err := f.Open()
	if err != nil {
		return nil, fmt.Errorf("%w: opening %s: %v", ErrFormat, f.Name, err)
	}
	defer rc.Close()
	buf := make([]byte, size)
	if _, err := io.ReadFull(rc, buf); err != nil {
		return nil, fmt.Errorf("%w: reading %s: %v (is the file truncated?)", ErrFormat, f.Name, err)
	}
	// One more read reaches the end of the entry, where archive/zip checks the CRC and that
	// no data follows the declared size.
	var extra [1]byte
	for range 3 {
		k, err := rc.Read(extra[:])
		switch {
		case k != 0:
			err = errors.New("more data than its declared size")
		case errors.Is(err, io.EOF):
			return buf, nil
		case err == nil:
			continue
		}
		return nil, fmt.Errorf("%w: reading %s: %v (the file is corrupt)", ErrFormat, f.Name, err)
	}
	return nil, fmt.Errorf("%w: reading %s: no end of entry after its declared size", ErrFormat, f.Name)
}
