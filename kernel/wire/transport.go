package wire

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
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
//
// It also guards what it reads: zmq4 v0.17.0 allocates a frame's whole body
// as soon as it reads the frame's header, before any signature check or
// handshake, so any local process could make the kernel allocate 30 GB with
// 73 bytes. A frame whose header claims more than the limit closes the
// connection instead (see WithMaxFrame).
const batchedScheme = "gospeed-tcp"

func init() {
	if err := zmq4.RegisterTransport(batchedScheme, batchedTCP{}); err != nil {
		panic(err)
	}
}

type batchedTCP struct{}

// DefaultMaxFrame is the largest ZMTP frame a socket accepts unless its
// context says otherwise: far above the largest notebook message (a cell
// that displays a big image sends a few MB).
const DefaultMaxFrame = 256 << 20

type maxFrameKey struct{}

// WithMaxFrame returns a context for zmq4 sockets (zmq4.NewRouter(ctx) and
// the like) whose connections over Endpoint's transport accept frames of at
// most n bytes; a connection that announces a bigger one is closed.
func WithMaxFrame(ctx context.Context, n uint64) context.Context {
	return context.WithValue(ctx, maxFrameKey{}, n)
}

func maxFrame(ctx context.Context) uint64 {
	if n, ok := ctx.Value(maxFrameKey{}).(uint64); ok && n > 0 {
		return n
	}
	return DefaultMaxFrame
}

// ErrFrameTooLarge is what a connection's reader returns, before closing it,
// when a peer announces a frame over the limit.
var ErrFrameTooLarge = errors.New("ZMTP frame over the size limit")

func (batchedTCP) Dial(ctx context.Context, d transport.Dialer, addr string) (net.Conn, error) {
	c, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	return newBatchedConn(c, maxFrame(ctx)), nil
}

func (batchedTCP) Listen(ctx context.Context, addr string) (net.Listener, error) {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	return batchedListener{l, maxFrame(ctx)}, nil
}

func (batchedTCP) Addr(ep string) (string, error) { return transport.New("tcp").Addr(ep) }

type batchedListener struct {
	net.Listener
	max uint64
}

func (l batchedListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return newBatchedConn(c, l.max), nil
}

// zmtpGreetingLen is the size of the ZMTP 3 greeting, written before any frame.
const zmtpGreetingLen = 64

// batchedConn buffers reads, and buffers writes until a ZMTP message (the
// greeting, a command, or a frame without the MORE flag) is complete. It
// follows the framing both ways: to know when to write, and to refuse
// oversized frames it reads.
type batchedConn struct {
	net.Conn
	r   *bufio.Reader
	in  framing // what the peer sends; only Read touches it
	max uint64

	mu        sync.Mutex
	buf       []byte
	out       framing // what we send
	failedErr error
}

func newBatchedConn(c net.Conn, max uint64) *batchedConn {
	return &batchedConn{
		Conn: c, r: bufio.NewReaderSize(c, 64<<10), max: max,
		in: framing{greeting: zmtpGreetingLen}, out: framing{greeting: zmtpGreetingLen},
	}
}

func (c *batchedConn) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.in.scan(p[:n])
	if c.in.largest > c.max {
		c.Conn.Close()
		return 0, fmt.Errorf("%w: the peer at %v announced %d bytes (limit %d)", ErrFrameTooLarge, c.RemoteAddr(), c.in.largest, c.max)
	}
	return n, err
}

func (c *batchedConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.failedErr != nil {
		return 0, c.failedErr
	}
	c.buf = append(c.buf, p...)
	if c.out.scan(p) || len(c.buf) >= 1<<20 {
		_, err := c.Conn.Write(c.buf)
		c.buf = c.buf[:0]
		if err != nil {
			c.failedErr = err
			return 0, err
		}
	}
	return len(p), nil
}

// framing follows ZMTP 3 framing through a byte stream: the greeting, then
// frames (commands during the handshake, then messages), each a flags byte,
// a 1- or 8-byte size, and the body.
type framing struct {
	greeting int // greeting bytes still to come
	hdr      [9]byte
	hdrLen   int    // header bytes seen of the current frame
	bodyLeft uint64 // body bytes still to come
	more     bool   // the current frame is not the message's last
	largest  uint64 // the biggest frame size announced so far
}

// scan follows the framing through p and reports whether a message ended in it.
func (c *framing) scan(p []byte) (ended bool) {
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
			c.largest = max(c.largest, c.bodyLeft)
			ended = ended || (c.bodyLeft == 0 && !c.more)
		}
	}
	return ended
}
