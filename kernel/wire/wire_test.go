package wire

import (
	"bytes"
	"encoding/binary"
	"errors"
	"net"
	"testing"
)

func TestSignedRoundTrip(t *testing.T) {
	s, err := NewSigner("secret", "hmac-sha256")
	if err != nil {
		t.Fatal(err)
	}
	parent, _ := NewMessage("client", "execute_request", nil, map[string]string{"code": "1"})
	parent.Identities = [][]byte{[]byte("peer")}
	m, err := NewMessage("kernel", "execute_reply", &parent, map[string]string{"status": "ok"})
	if err != nil {
		t.Fatal(err)
	}
	frames, err := s.Encode(m)
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.Decode(frames)
	if err != nil {
		t.Fatal(err)
	}
	if string(got.Identities[0]) != "peer" || got.ParentHeader.MsgID != parent.Header.MsgID || got.Type() != "execute_reply" || string(got.Content) != `{"status":"ok"}` {
		t.Errorf("decoded %+v", got)
	}

	for name, mutate := range map[string]func([][]byte){
		"content changed":   func(f [][]byte) { f[len(f)-1] = []byte(`{"status":"error"}`) },
		"signature missing": func(f [][]byte) { f[2] = nil },
		"signature garbage": func(f [][]byte) { f[2] = bytes.Repeat([]byte("z"), 64) },
	} {
		bad := append([][]byte(nil), frames...)
		mutate(bad)
		if _, err := s.Decode(bad); !errors.Is(err, ErrBadSignature) {
			t.Errorf("%s: got %v, want ErrBadSignature", name, err)
		}
	}
	other, _ := NewSigner("another key", "hmac-sha256")
	if _, err := other.Decode(frames); !errors.Is(err, ErrBadSignature) {
		t.Errorf("wrong key: %v", err)
	}
	if _, err := s.Decode(frames[:4]); err == nil {
		t.Error("short message accepted")
	}
	if _, err := NewSigner("k", "hmac-md5"); err == nil {
		t.Error("unsupported scheme accepted")
	}
}

// TestBatchedConnFlushesWholeMessages writes ZMTP the way zmq4 does (header
// and body separately) and checks that the peer gets each message in one
// write, and nothing before a message is complete.
func TestBatchedConnFlushesWholeMessages(t *testing.T) {
	client, server := net.Pipe()
	defer client.Close()
	defer server.Close()
	c := newBatchedConn(client, DefaultMaxFrame)
	got := make(chan []byte, 16)
	go func() {
		buf := make([]byte, 1<<16)
		for {
			n, err := server.Read(buf)
			if err != nil {
				close(got)
				return
			}
			got <- append([]byte(nil), buf[:n]...)
		}
	}()
	greeting := make([]byte, zmtpGreetingLen)
	c.Write(greeting[:10])
	c.Write(greeting[10:])
	long := bytes.Repeat([]byte("x"), 300)
	frames := [][]byte{
		{0x01, 3}, []byte("abc"), // MORE, short
		{0x03, 0, 0, 0, 0, 0, 0, 1, 44}, long, // MORE, long (300 bytes)
		{0x00, 0}, // last, empty
	}
	for _, f := range frames {
		c.Write(f)
	}
	if first := <-got; len(first) != zmtpGreetingLen {
		t.Fatalf("greeting flushed as %d bytes", len(first))
	}
	want := 2 + 3 + 9 + 300 + 2
	if second := <-got; len(second) != want {
		t.Fatalf("message flushed as %d bytes, want %d in one write", len(second), want)
	}
}

// TestOversizedFrameClosesConnection sends a greeting and a frame header
// claiming 30 GB, as an attacker without the key could: the reader refuses
// it before anything reads the body, and closes the connection.
func TestOversizedFrameClosesConnection(t *testing.T) {
	for _, tc := range []struct {
		name  string
		limit uint64
		size  uint64
		fails bool
	}{
		{"30 GB frame, default limit", DefaultMaxFrame, 30 << 30, true},
		{"at the limit", 1000, 1000, false},
		{"one over a small limit", 1000, 1001, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			client, server := net.Pipe()
			defer client.Close()
			c := newBatchedConn(server, tc.limit)
			defer c.Close()
			msg := make([]byte, zmtpGreetingLen, zmtpGreetingLen+9)
			msg = append(msg, 0x02, 0, 0, 0, 0, 0, 0, 0, 0)
			binary.BigEndian.PutUint64(msg[zmtpGreetingLen+1:], tc.size)
			go client.Write(msg)
			buf := make([]byte, len(msg))
			var err error
			for read := 0; read < len(msg) && err == nil; {
				var n int
				n, err = c.Read(buf[read:])
				read += n
			}
			if got := errors.Is(err, ErrFrameTooLarge); got != tc.fails {
				t.Fatalf("frame of %d bytes with limit %d: read error %v", tc.size, tc.limit, err)
			}
		})
	}
}

func TestReplayGuardRefusesASignatureTwice(t *testing.T) {
	var g ReplayGuard
	frames := func(sig string) [][]byte {
		return [][]byte{[]byte("id"), []byte(delimiter), []byte(sig), nil, nil, nil, nil}
	}
	if err := g.Check(frames("aa")); err != nil {
		t.Fatalf("first message: %v", err)
	}
	if err := g.Check(frames("bb")); err != nil {
		t.Fatalf("another message: %v", err)
	}
	if err := g.Check(frames("aa")); !errors.Is(err, ErrReplayed) {
		t.Fatalf("replayed message: got %v, want ErrReplayed", err)
	}
	if err := g.Check(frames("")); err != nil {
		t.Fatalf("unsigned messages have nothing to replay: %v", err)
	}
}
