package wire

import (
	"bytes"
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
	c := newBatchedConn(client)
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
