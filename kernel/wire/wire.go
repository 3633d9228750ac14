// Package wire is the Jupyter messaging protocol's wire format (version 5.3):
// connection files, message headers, and the signed multipart frames that
// travel over ZeroMQ. Both the kernel and the Go client speak it.
package wire

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"time"
)

// ProtocolVersion is the version of the Jupyter messaging protocol spoken here.
const ProtocolVersion = "5.3"

// delimiter separates the routing identities from the message proper.
const delimiter = "<IDS|MSG>"

// Header is a message header; as a parent header it may be empty ({}).
type Header struct {
	MsgID    string `json:"msg_id,omitempty"`
	Session  string `json:"session,omitempty"`
	Username string `json:"username,omitempty"`
	Date     string `json:"date,omitempty"`
	MsgType  string `json:"msg_type,omitempty"`
	Version  string `json:"version,omitempty"`
}

// Message is one Jupyter message. Content stays raw JSON so that each
// handler decodes exactly the fields it needs.
type Message struct {
	Identities   [][]byte // ZeroMQ routing prefix (ROUTER sockets) or topic (iopub)
	Header       Header
	ParentHeader Header
	Metadata     map[string]any
	Content      json.RawMessage
	Buffers      [][]byte
}

// Type is the message's msg_type.
func (m *Message) Type() string { return m.Header.MsgType }

// Decode unmarshals the content into v.
func (m *Message) Decode(v any) error {
	if len(m.Content) == 0 {
		return fmt.Errorf("%s: empty content", m.Header.MsgType)
	}
	if err := json.Unmarshal(m.Content, v); err != nil {
		return fmt.Errorf("%s content: %w", m.Header.MsgType, err)
	}
	return nil
}

// NewMessage returns a message of msgType in session with content; when
// parent is not nil the new message replies to it (parent header and routing
// identities are copied).
func NewMessage(session, msgType string, parent *Message, content any) (Message, error) {
	raw, err := json.Marshal(content)
	if err != nil {
		return Message{}, fmt.Errorf("%s content: %w", msgType, err)
	}
	m := Message{
		Header: Header{
			MsgID:    NewID(),
			Session:  session,
			Username: "gospeed",
			Date:     time.Now().UTC().Format("2006-01-02T15:04:05.000000Z"),
			MsgType:  msgType,
			Version:  ProtocolVersion,
		},
		Content: raw,
	}
	if parent != nil {
		m.ParentHeader = parent.Header
		m.Identities = parent.Identities
	}
	return m, nil
}

// NewID returns a random UUID (version 4) in its usual text form.
func NewID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// A Signer signs outgoing and checks incoming messages with HMAC-SHA256.
// An empty key disables signing, as the protocol allows.
type Signer struct {
	key []byte
}

// NewSigner returns a Signer for the connection's key and scheme.
func NewSigner(key, scheme string) (*Signer, error) {
	if key != "" && scheme != "" && scheme != "hmac-sha256" {
		return nil, fmt.Errorf("unsupported signature scheme %q (want hmac-sha256)", scheme)
	}
	return &Signer{key: []byte(key)}, nil
}

func (s *Signer) mac() hash.Hash { return hmac.New(sha256.New, s.key) }

// Encode returns the frames of m, signed.
func (s *Signer) Encode(m Message) ([][]byte, error) {
	header, err := json.Marshal(m.Header)
	if err != nil {
		return nil, err
	}
	parent, err := json.Marshal(m.ParentHeader)
	if err != nil {
		return nil, err
	}
	md := m.Metadata
	if md == nil {
		md = map[string]any{}
	}
	metadata, err := json.Marshal(md)
	if err != nil {
		return nil, fmt.Errorf("metadata: %w", err)
	}
	content := []byte(m.Content)
	if len(content) == 0 {
		content = []byte("{}")
	}
	frames := make([][]byte, 0, len(m.Identities)+6+len(m.Buffers))
	frames = append(frames, m.Identities...)
	frames = append(frames, []byte(delimiter), s.sign(header, parent, metadata, content), header, parent, metadata, content)
	return append(frames, m.Buffers...), nil
}

func (s *Signer) sign(parts ...[]byte) []byte {
	if len(s.key) == 0 {
		return nil
	}
	mac := s.mac()
	for _, p := range parts {
		mac.Write(p)
	}
	sum := mac.Sum(nil)
	out := make([]byte, hex.EncodedLen(len(sum)))
	hex.Encode(out, sum)
	return out
}

// Errors Decode returns for messages that must be dropped.
var (
	ErrNoDelimiter  = errors.New("no <IDS|MSG> delimiter")
	ErrShort        = errors.New("too few frames after the delimiter")
	ErrBadSignature = errors.New("bad or missing signature")
)

// Decode checks the signature of frames and parses them into a Message.
func (s *Signer) Decode(frames [][]byte) (Message, error) {
	i := 0
	for i < len(frames) && string(frames[i]) != delimiter {
		i++
	}
	if i == len(frames) {
		return Message{}, ErrNoDelimiter
	}
	rest := frames[i+1:]
	if len(rest) < 5 {
		return Message{}, ErrShort
	}
	if len(s.key) > 0 {
		want := s.sign(rest[1], rest[2], rest[3], rest[4])
		if !hmac.Equal(want, bytes.ToLower(rest[0])) {
			return Message{}, ErrBadSignature
		}
	}
	m := Message{Identities: frames[:i], Content: json.RawMessage(rest[4])}
	if err := json.Unmarshal(rest[1], &m.Header); err != nil {
		return Message{}, fmt.Errorf("header: %w", err)
	}
	if m.Header.MsgType == "" {
		return Message{}, errors.New("header without msg_type")
	}
	if err := json.Unmarshal(rest[2], &m.ParentHeader); err != nil {
		return Message{}, fmt.Errorf("parent header: %w", err)
	}
	if err := json.Unmarshal(rest[3], &m.Metadata); err != nil {
		return Message{}, fmt.Errorf("metadata: %w", err)
	}
	if !json.Valid(rest[4]) {
		return Message{}, errors.New("content is not valid JSON")
	}
	if len(rest) > 5 {
		m.Buffers = rest[5:]
	}
	return m, nil
}

// String shows the message type and content, for logs and test failures.
func (m Message) String() string {
	return m.Header.MsgType + " " + string(m.Content)
}
