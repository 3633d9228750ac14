package wire

import (
	"bufio"
	"context"
	"encoding/binary"
	"net"
	"sync"

	"github.com/go-zeromq/zmq4"
	"github.com/go-zeromq/zmq4/transport"
)

// batchedScheme is the zmq4 transport Endpoint uses for TCP. On the wire it
// is plain ZMTP over TCP, so any ZeroMQ peer connects to it; but where zmq4
// makes two system calls per frame to write and two to read, it writes each
// ZMTP message with one and reads through a buffer. A Jupyter message is
// seven frames or more and a trivial cell causes five of them, so this
// halves the round trip.
const batchedScheme = "gospeed-tcp"

func init() {
	if err := zmq4.RegisterTransport(batchedScheme, batchedTCP{}); err != nil {
		panic(err)
	}
}

type batchedTCP struct{}

func (batchedTCP) Dial(ctx context.Context, d transport.Dialer, addr string) (net.Conn, error) {
	c, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	return newBatchedConn(c), nil
}

func (batchedTCP) Listen(ctx context.Context, addr string) (net.Listener, error) {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	return batchedListener{l}, nil
}

func (batchedTCP) Addr(ep string) (string, error) { return transport.New("tcp").Addr(ep) }

type batchedListener struct{ net.Listener }

func (l batchedListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return newBatchedConn(c), nil
}

// zmtpGreetingLen is the size of the ZMTP 3 greeting, written before any frame.
const zmtpGreetingLen = 64

// batchedConn buffers reads, and buffers writes until a ZMTP message (the
// greeting, a command, or a frame without the MORE flag) is complete.
type batchedConn struct {
	net.Conn
	r *bufio.Reader

	mu        sync.Mutex
	buf       []byte
	greeting  int // greeting bytes still to come
	hdr       [9]byte
	hdrLen    int    // header bytes seen of the current frame
	bodyLeft  uint64 // body bytes still to come
	more      bool   // the current frame is not the message's last
	failedErr error
}

func newBatchedConn(c net.Conn) *batchedConn {
	return &batchedConn{Conn: c, r: bufio.NewReaderSize(c, 64<<10), greeting: zmtpGreetingLen}
}

func (c *batchedConn) Read(p []byte) (int, error) { return c.r.Read(p) }

func (c *batchedConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.failedErr != nil {
		return 0, c.failedErr
	}
	c.buf = append(c.buf, p...)
	if c.scan(p) || len(c.buf) >= 1<<20 {
		_, err := c.Conn.Write(c.buf)
		c.buf = c.buf[:0]
		if err != nil {
			c.failedErr = err
			return 0, err
		}
	}
	return len(p), nil
}

// scan follows the ZMTP framing through p and reports whether a message
// ended in it.
func (c *batchedConn) scan(p []byte) (ended bool) {
	for len(p) > 0 {
		switch {
		case c.greeting > 0:
			n := min(c.greeting, len(p))
			c.greeting -= n
			p = p[n:]
			ended = ended || c.greeting == 0
		case c.bodyLeft > 0:
			n := min(c.bodyLeft, uint64(len(p)))
			c.bodyLeft -= n
			p = p[n:]
			ended = ended || (c.bodyLeft == 0 && !c.more)
		default:
			c.hdr[c.hdrLen] = p[0]
			c.hdrLen++
			p = p[1:]
			flag := c.hdr[0]
			need := 2
			if flag&0x02 != 0 { // long frame: 8-byte size
				need = 9
			}
			if c.hdrLen < need {
				continue
			}
			c.more = flag&0x01 != 0
			if need == 2 {
				c.bodyLeft = uint64(c.hdr[1])
			} else {
				c.bodyLeft = binary.BigEndian.Uint64(c.hdr[1:9])
			}
			c.hdrLen = 0
			ended = ended || (c.bodyLeft == 0 && !c.more)
		}
	}
	return ended
}
