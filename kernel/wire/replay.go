package wire

import (
	"errors"
	"sync"
)

// ErrReplayed is returned by a ReplayGuard for a signature it has seen.
var ErrReplayed = errors.New("replayed message: its signature was seen before")

// replayHistory is how many signatures a ReplayGuard remembers, as
// jupyter_client's Session.digest_history_size.
const replayHistory = 1 << 16

// A ReplayGuard refuses a signed message that was already received: whoever
// captured one valid message must not be able to run its cell again. It
// remembers the last replayHistory signatures; safe for concurrent use.
type ReplayGuard struct {
	mu    sync.Mutex
	seen  map[string]struct{}
	order []string // ring of the remembered signatures, oldest at next
	next  int
}

// Check records the signature of frames (a Jupyter message, already
// verified) and fails if it was recorded before. Unsigned messages (a
// connection without a key) have no signature to remember and always pass.
func (g *ReplayGuard) Check(frames [][]byte) error {
	sig := signature(frames)
	if len(sig) == 0 {
		return nil
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.seen == nil {
		g.seen = make(map[string]struct{}, 1024)
		g.order = make([]string, 0, 1024)
	}
	key := string(sig)
	if _, dup := g.seen[key]; dup {
		return ErrReplayed
	}
	if len(g.order) < replayHistory {
		g.order = append(g.order, key)
	} else {
		delete(g.seen, g.order[g.next])
		g.order[g.next] = key
		g.next = (g.next + 1) % replayHistory
	}
	g.seen[key] = struct{}{}
	return nil
}

// signature is the frame after the delimiter, or nil.
func signature(frames [][]byte) []byte {
	for i, f := range frames {
		if string(f) == delimiter && i+1 < len(frames) {
			return frames[i+1]
		}
	}
	return nil
}
