package kernel

// Comms: the Jupyter comm messages (comm_open, comm_msg, comm_close,
// comm_info_request), which carry the widget protocol.
//
// The kernel keeps the registry of open comms and answers
// comm_info_request itself; the evaluator (a CommHandler) owns what a comm
// means. Comm messages from the frontend are served on their own goroutine,
// apart from the other shell requests, so that a slider moved while a cell
// runs is handled (busy, the evaluator's HandleComm, idle) at once: the
// evaluator must not wait for the cell in HandleComm.

import (
	"context"
	"maps"
	"sync"

	"github.com/gospeed/gospeed/kernel/wire"
)

// CommHandler is an Evaluator that takes comm messages from the frontend:
// comm_open (to a target the kernel knows), comm_msg and comm_close of open
// comms, with the content and buffers of the message. HandleComm must
// return without waiting for a running cell. What the evaluator sends on
// the comm being handled before HandleComm returns has that message as
// parent (the widget protocol's echo_update needs it).
type CommHandler interface {
	HandleComm(msgType string, content map[string]any, buffers [][]byte)
}

// Interrupter is an Evaluator that runs code outside cells (widget
// callbacks): an interrupt stops that too.
type Interrupter interface {
	Interrupt()
}

// commTarget reports the comm targets a CommHandler serves: the widget
// protocol's (ipywidgets 8).
func commTarget(name string) bool {
	return name == "jupyter.widget" || name == "jupyter.widget.control"
}

func isComm(msgType string) bool {
	switch msgType {
	case "comm_open", "comm_msg", "comm_close", "comm_info_request":
		return true
	}
	return false
}

// commRegistry is the kernel's view of the open comms.
type commRegistry struct {
	mu      sync.Mutex
	targets map[string]string // comm id -> target name
	// The frontend message being handled and its comm id: the parent of
	// what the evaluator sends on that comm meanwhile.
	handling   *wire.Message
	handlingID string
}

func (r *commRegistry) open(id, target string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.targets == nil {
		r.targets = map[string]string{}
	}
	r.targets[id] = target
}

func (r *commRegistry) close(id string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.targets, id)
}

func (r *commRegistry) target(id string) (string, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	t, ok := r.targets[id]
	return t, ok
}

// serveCommsApart returns the queue the shell socket's reader should fill:
// comm messages go from it to their own goroutine, the rest on to shellQ.
func (k *kernel) serveCommsApart(ctx context.Context, wg *sync.WaitGroup, shellQ chan<- queued) chan<- queued {
	in := make(chan queued, cap(shellQ))
	commQ := make(chan queued, cap(shellQ))
	wg.Go(func() {
		for {
			select {
			case <-ctx.Done():
				return
			case m := <-in:
				to := shellQ
				if isComm(m.Type()) {
					to = commQ
				}
				select {
				case to <- m:
				case <-ctx.Done():
					return
				}
			}
		}
	})
	wg.Go(func() {
		for {
			select {
			case <-ctx.Done():
				return
			case qm := <-commQ:
				m := qm.Message
				k.publishStatus(&m, "busy")
				k.handleComm(&m)
				k.publishStatus(&m, "idle")
			}
		}
	})
	return in
}

// handleComm serves one comm message from the frontend. A malformed one is
// logged and dropped; a panic of the evaluator is logged.
func (k *kernel) handleComm(m *wire.Message) {
	defer func() {
		if r := recover(); r != nil {
			k.log.Printf("%s: the evaluator panicked: %v", m.Type(), r)
		}
	}()
	var content map[string]any
	if err := m.Decode(&content); err != nil {
		k.log.Printf("dropped a comm message: %v", err)
		return
	}
	if m.Type() == "comm_info_request" {
		k.commInfo(m, content)
		return
	}
	id, ok := content["comm_id"].(string)
	if !ok || id == "" {
		k.log.Printf("dropped %s without a comm_id", m.Type())
		return
	}
	handler, _ := k.eval.(CommHandler)
	switch m.Type() {
	case "comm_open":
		target, _ := content["target_name"].(string)
		if handler == nil || !commTarget(target) {
			k.log.Printf("comm_open to unknown target %q: closed", target)
			k.publish(m, "comm_close", map[string]any{"comm_id": id, "data": map[string]any{}})
			return
		}
		k.comms.open(id, target)
	case "comm_msg", "comm_close":
		if _, open := k.comms.target(id); !open || handler == nil {
			k.log.Printf("%s to unknown comm %q: ignored", m.Type(), id)
			return
		}
		if m.Type() == "comm_close" {
			k.comms.close(id)
		}
	}
	k.comms.mu.Lock()
	k.comms.handling, k.comms.handlingID = m, id
	k.comms.mu.Unlock()
	defer func() {
		k.comms.mu.Lock()
		k.comms.handling, k.comms.handlingID = nil, ""
		k.comms.mu.Unlock()
	}()
	handler.HandleComm(m.Type(), content, m.Buffers)
}

// commInfo answers comm_info_request: the open comms, of one target when
// the request names it.
func (k *kernel) commInfo(m *wire.Message, content map[string]any) {
	want, _ := content["target_name"].(string)
	comms := map[string]any{}
	k.comms.mu.Lock()
	for id, target := range k.comms.targets {
		if want == "" || want == target {
			comms[id] = map[string]string{"target_name": target}
		}
	}
	k.comms.mu.Unlock()
	k.reply(k.shell, m, "comm_info_reply", map[string]any{"status": "ok", "comms": comms})
}

// sendComm is the evaluator's Outputs.Comm: it publishes a comm message,
// keeping the registry. content["metadata"], if any, is the message's
// metadata. The parent is the frontend message being handled on the same
// comm, if any, else the current request.
func (k *kernel) sendComm(msgType string, content map[string]any, buffers [][]byte) {
	content = maps.Clone(content)
	metadata, _ := content["metadata"].(map[string]any)
	delete(content, "metadata")
	if metadata == nil {
		metadata = map[string]any{}
	}
	id, _ := content["comm_id"].(string)
	switch msgType {
	case "comm_open":
		target, _ := content["target_name"].(string)
		k.comms.open(id, target)
	case "comm_close":
		k.comms.close(id)
	}
	k.comms.mu.Lock()
	parent := k.comms.handling
	if k.comms.handlingID != id {
		parent = nil
	}
	k.comms.mu.Unlock()
	if parent == nil {
		parent = k.out.Parent()
	}
	m, err := wire.NewMessage(k.session, msgType, nil, content)
	if err != nil {
		k.log.Printf("making a %s message: %v", msgType, err)
		return
	}
	if parent != nil {
		m.ParentHeader = parent.Header
	}
	m.Metadata = metadata
	m.Buffers = buffers
	m.Identities = [][]byte{[]byte("kernel." + k.session + "." + msgType)}
	k.send(k.iopub, m)
}

// interruptComms stops the evaluator's work outside cells.
func (k *kernel) interruptComms() {
	if i, ok := k.eval.(Interrupter); ok {
		i.Interrupt()
	}
}
