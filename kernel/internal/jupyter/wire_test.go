package jupyter

import (
	"errors"
	"testing"
)

func TestSignKnownVector(t *testing.T) {
	// hmac.new(b"secret-key", b'{"a":1}' b'{}' b'{}' b'{"code":"x"}', hashlib.sha256).hexdigest()
	const want = "b3151a71a276c153d0333cc1e69f490488506d5559cf8c03102aa30f7e961a51"
	s := NewSigner("secret-key")
	got := s.Sign([]byte(`{"a":1}`), []byte(`{}`), []byte(`{}`), []byte(`{"code":"x"}`))
	if got != want {
		t.Fatalf("Sign = %s, want %s (Python's hmac)", got, want)
	}
	if !s.Verify([]byte(want), []byte(`{"a":1}`), []byte(`{}`), []byte(`{}`), []byte(`{"code":"x"}`)) {
		t.Error("Verify rejects the known signature")
	}
}

func TestEncodeDecodeRoundTrip(t *testing.T) {
	s := NewSigner("k")
	m, err := NewMessage("sess", "execute_request", map[string]any{"code": "1+1"})
	if err != nil {
		t.Fatal(err)
	}
	m.Identities = [][]byte{[]byte("peer")}
	m.ParentHeader = Header{MsgID: "parent", MsgType: "x"}
	frames, err := s.Encode(m)
	if err != nil {
		t.Fatal(err)
	}
	if string(frames[0]) != "peer" || string(frames[1]) != delimiter {
		t.Fatalf("frames start %q %q", frames[0], frames[1])
	}
	got, err := s.Decode(frames)
	if err != nil {
		t.Fatal(err)
	}
	if got.Header != m.Header || got.ParentHeader.MsgID != "parent" || string(got.Content) != string(m.Content) {
		t.Errorf("round trip: got %+v, want %+v", got, m)
	}
	if len(got.Identities) != 1 || string(got.Identities[0]) != "peer" {
		t.Errorf("identities = %q", got.Identities)
	}
}

func TestDecodeRejectsBadSignatures(t *testing.T) {
	s := NewSigner("right-key")
	m, _ := NewMessage("sess", "kernel_info_request", nil)
	frames, _ := s.Encode(m)

	tampered := append([][]byte(nil), frames...)
	tampered[5] = []byte(`{"code":"rm -rf /"}`) // content changed after signing
	wrongKey, _ := NewSigner("other-key").Encode(m)
	notHex := append([][]byte(nil), frames...)
	notHex[1] = []byte("zz")
	for name, f := range map[string][][]byte{"tampered": tampered, "wrong key": wrongKey, "not hex": notHex} {
		if _, err := s.Decode(f); !errors.Is(err, ErrBadSignature) {
			t.Errorf("%s: Decode error = %v, want ErrBadSignature", name, err)
		}
	}
	if _, err := s.Decode(frames[:4]); err == nil || errors.Is(err, ErrBadSignature) {
		t.Errorf("truncated message: error = %v, want a malformed-message error", err)
	}
	// With an empty key (signing disabled) everything verifies, as in Jupyter.
	if _, err := NewSigner("").Decode(wrongKey); err != nil {
		t.Errorf("empty key: %v", err)
	}
}
