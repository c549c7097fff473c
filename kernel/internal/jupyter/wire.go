package jupyter

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// ProtocolVersion is the Jupyter messaging protocol version this client speaks.
const ProtocolVersion = "5.3"

// delimiter separates the routing identities from the message proper on the wire.
const delimiter = "<IDS|MSG>"

// ErrBadSignature is returned by [Signer.Decode] when a message's HMAC does not match.
var ErrBadSignature = errors.New("jupyter: message has a bad signature (wrong key or tampered message)")

// Header is a message header (also used as parent_header).
type Header struct {
	MsgID    string `json:"msg_id"`
	Session  string `json:"session"`
	Username string `json:"username"`
	Date     string `json:"date"`
	MsgType  string `json:"msg_type"`
	Version  string `json:"version"`
}

// Message is one Jupyter message. Content is kept raw so that each caller decodes only what
// it needs (see [Message.Decode]).
type Message struct {
	Identities   [][]byte
	Header       Header
	ParentHeader Header
	Metadata     map[string]any
	Content      json.RawMessage
	Buffers      [][]byte
}

// Type is the message type, e.g. "execute_reply".
func (m *Message) Type() string { return m.Header.MsgType }

// Decode unmarshals the content into v.
func (m *Message) Decode(v any) error {
	if err := json.Unmarshal(m.Content, v); err != nil {
		return fmt.Errorf("jupyter: decoding %s content: %w", m.Header.MsgType, err)
	}
	return nil
}

// NewMessage returns a message of the given type with a fresh msg_id, the given session and
// the current time. content is marshalled to JSON (nil becomes {}).
func NewMessage(session, msgType string, content any) (*Message, error) {
	if content == nil {
		content = map[string]any{}
	}
	raw, err := json.Marshal(content)
	if err != nil {
		return nil, fmt.Errorf("jupyter: encoding %s content: %w", msgType, err)
	}
	return &Message{
		Header: Header{
			MsgID: NewID(), Session: session, Username: "logah", MsgType: msgType, Version: ProtocolVersion,
			Date: time.Now().UTC().Format(time.RFC3339Nano),
		},
		Metadata: map[string]any{},
		Content:  raw,
	}, nil
}

// NewID returns a random 128-bit identifier in hex, used for message and session ids.
func NewID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// Signer signs and verifies messages with HMAC-SHA256 over the four JSON frames
// header, parent_header, metadata and content, as the connection file's key dictates.
// An empty key disables signing (signatures are empty and not checked), as Jupyter allows.
type Signer struct {
	key []byte
}

// NewSigner returns a signer for the connection file's key (the key string's bytes are the
// HMAC key, as in Jupyter: it is not hex-decoded).
func NewSigner(key string) Signer { return Signer{key: []byte(key)} }

// Sign returns the hex HMAC of the frames.
func (s Signer) Sign(frames ...[]byte) string {
	if len(s.key) == 0 {
		return ""
	}
	mac := hmac.New(sha256.New, s.key)
	for _, f := range frames {
		mac.Write(f)
	}
	return hex.EncodeToString(mac.Sum(nil))
}

// Verify reports whether signature is the HMAC of the frames. With an empty key every
// signature is accepted.
func (s Signer) Verify(signature []byte, frames ...[]byte) bool {
	if len(s.key) == 0 {
		return true
	}
	want, err := hex.DecodeString(string(signature))
	if err != nil {
		return false
	}
	mac := hmac.New(sha256.New, s.key)
	for _, f := range frames {
		mac.Write(f)
	}
	return hmac.Equal(mac.Sum(nil), want)
}

// Encode turns m into wire frames: identities, "<IDS|MSG>", signature, header, parent header,
// metadata, content, buffers.
func (s Signer) Encode(m *Message) ([][]byte, error) {
	header, err := json.Marshal(m.Header)
	if err != nil {
		return nil, err
	}
	parent := []byte("{}")
	if m.ParentHeader.MsgID != "" {
		if parent, err = json.Marshal(m.ParentHeader); err != nil {
			return nil, err
		}
	}
	metadata := []byte("{}")
	if len(m.Metadata) > 0 {
		if metadata, err = json.Marshal(m.Metadata); err != nil {
			return nil, err
		}
	}
	content := []byte(m.Content)
	if len(content) == 0 {
		content = []byte("{}")
	}
	frames := make([][]byte, 0, len(m.Identities)+6+len(m.Buffers))
	frames = append(frames, m.Identities...)
	frames = append(frames, []byte(delimiter), []byte(s.Sign(header, parent, metadata, content)),
		header, parent, metadata, content)
	frames = append(frames, m.Buffers...)
	return frames, nil
}

// Decode parses wire frames, verifying the signature. A message whose signature does not match
// returns an error wrapping [ErrBadSignature] and must be dropped.
func (s Signer) Decode(frames [][]byte) (*Message, error) {
	i := 0
	for i < len(frames) && string(frames[i]) != delimiter {
		i++
	}
	if len(frames)-i < 6 {
		return nil, fmt.Errorf("jupyter: malformed message: %d frames, no %q followed by 5 frames", len(frames), delimiter)
	}
	body := frames[i+2 : i+6]
	if !s.Verify(frames[i+1], body...) {
		return nil, ErrBadSignature
	}
	m := &Message{Identities: frames[:i], Content: json.RawMessage(body[3]), Buffers: frames[i+6:]}
	if err := json.Unmarshal(body[0], &m.Header); err != nil {
		return nil, fmt.Errorf("jupyter: malformed header: %w", err)
	}
	if len(body[1]) > 2 {
		if err := json.Unmarshal(body[1], &m.ParentHeader); err != nil {
			return nil, fmt.Errorf("jupyter: malformed parent header: %w", err)
		}
	}
	if len(body[2]) > 2 {
		if err := json.Unmarshal(body[2], &m.Metadata); err != nil {
			return nil, fmt.Errorf("jupyter: malformed metadata: %w", err)
		}
	}
	return m, nil
}
