package kernel

import (
	"encoding/binary"
	"math/rand/v2"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-zeromq/zmq4"

	"github.com/gospeed/gospeed/kernel/wire"
)

// zmtpGreeting is a valid ZMTP 3.0 greeting with the NULL mechanism.
func zmtpGreeting() []byte {
	g := make([]byte, 64)
	g[0], g[9], g[10] = 0xff, 0x7f, 3
	copy(g[12:], "NULL")
	return g
}

// TestOversizedFrameWithoutTheKey: any local process can connect and
// announce a 30 GB frame in 73 bytes; the kernel drops that peer before
// allocating (the test process would die of it otherwise) and serves on.
func TestOversizedFrameWithoutTheKey(t *testing.T) {
	h := startKernel(t, Options{NewEvaluator: func(Outputs) (Evaluator, error) { return nopEvaluator{}, nil }})
	for _, port := range []int{h.info.ShellPort, h.info.ControlPort, h.info.StdinPort, h.info.HBPort, h.info.IOPubPort} {
		conn, err := net.Dial("tcp", net.JoinHostPort(h.info.IP, strconv.Itoa(port)))
		if err != nil {
			t.Fatal(err)
		}
		attack := append(zmtpGreeting(), 0x06, 0, 0, 0, 0, 0, 0, 0, 0) // a long command frame
		binary.BigEndian.PutUint64(attack[65:], 30<<30)
		if len(attack) != 73 {
			t.Fatalf("attack is %d bytes", len(attack))
		}
		conn.Write(attack)
		// The kernel closes the connection: a read ends.
		conn.SetReadDeadline(time.Now().Add(5 * time.Second))
		buf := make([]byte, 256)
		for {
			if _, err := conn.Read(buf); err != nil {
				if ne, ok := err.(net.Error); ok && ne.Timeout() {
					t.Errorf("port %d: the connection stays open after a 30 GB frame header", port)
				}
				break
			}
		}
		conn.Close()
	}
	if r, _ := execute(t, h, "1"); r.Status != "ok" {
		t.Fatalf("after the oversized frames: %+v", r)
	}
}

// TestRandomBytesOnEverySocket sends 1000 random byte strings to each of
// the kernel's five sockets; it must go on serving.
func TestRandomBytesOnEverySocket(t *testing.T) {
	h := startKernel(t, Options{NewEvaluator: func(Outputs) (Evaluator, error) { return nopEvaluator{}, nil }, MaxFrame: 1 << 20})
	rng := rand.New(rand.NewPCG(1, 2))
	for _, port := range []int{h.info.ShellPort, h.info.ControlPort, h.info.StdinPort, h.info.HBPort, h.info.IOPubPort} {
		for i := range 1000 {
			conn, err := net.Dial("tcp", net.JoinHostPort(h.info.IP, strconv.Itoa(port)))
			if err != nil {
				t.Fatal(err)
			}
			junk := make([]byte, 1+rng.IntN(300))
			for j := range junk {
				junk[j] = byte(rng.Uint32())
			}
			if i%2 == 0 { // past the greeting, into the frames
				junk = append(zmtpGreeting(), junk...)
			}
			conn.Write(junk)
			conn.Close()
		}
	}
	if r, _ := execute(t, h, "1"); r.Status != "ok" {
		t.Fatalf("after random bytes: %+v", r)
	}
}

// TestReplayedMessageIsRefused: a validly signed message sent again is not
// run again, as jupyter_client refuses a repeated signature.
func TestReplayedMessageIsRefused(t *testing.T) {
	h := startKernel(t, Options{NewEvaluator: scripted})
	rc := dialRaw(t, h.info)
	m, err := wire.NewMessage(rc.session, "kernel_info_request", nil, map[string]any{})
	if err != nil {
		t.Fatal(err)
	}
	frames, err := rc.signer.Encode(m)
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := rc.sock.Send(zmq4.NewMsgFrom(frames...)); err != nil {
			t.Fatal(err)
		}
	}
	next := rc.send(t, "kernel_info_request", map[string]any{}, true)
	if got := rc.recv(t); got.ParentHeader.MsgID != m.Header.MsgID {
		t.Fatalf("first reply answers %s", got.ParentHeader.MsgID)
	}
	if got := rc.recv(t); got.ParentHeader.MsgID != next {
		t.Fatalf("the replayed message was answered (reply to %s, want %s)", got.ParentHeader.MsgID, next)
	}
	if !strings.Contains(h.log.String(), "replayed message") {
		t.Errorf("the replay is not logged:\n%s", h.log)
	}
}
