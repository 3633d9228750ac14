package kernel

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-zeromq/zmq4"

	"github.com/gospeed/gospeed/kernel/client"
	"github.com/gospeed/gospeed/kernel/internal/syncbuf"
	"github.com/gospeed/gospeed/kernel/wire"
)

// harness is a kernel served in this process and a client connected to it.
type harness struct {
	info wire.ConnectionInfo
	c    *client.Client
	log  *syncbuf.Buffer
	done chan error // Serve's result
}

func startKernel(t *testing.T, opt Options) *harness { return startKernelTB(t, opt) }

func startKernelTB(t testing.TB, opt Options) *harness {
	t.Helper()
	info, err := wire.NewLocalConnection()
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{info: info, log: &syncbuf.Buffer{}, done: make(chan error, 1)}
	opt.Log = h.log
	ctx, cancel := context.WithCancel(context.Background())
	go func() { h.done <- Serve(ctx, info, opt) }()
	cctx, ccancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer ccancel()
	h.c, err = client.Connect(cctx, info)
	if err != nil {
		cancel()
		t.Fatalf("connect: %v\nkernel log:\n%s", err, h.log)
	}
	t.Cleanup(func() {
		h.c.Close()
		cancel()
		select {
		case err := <-h.done:
			if err != nil {
				t.Errorf("Serve: %v", err)
			}
		case <-time.After(5 * time.Second):
			t.Errorf("Serve did not return after cancel")
		}
	})
	return h
}

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func content(t *testing.T, m wire.Message) map[string]any {
	t.Helper()
	var v map[string]any
	if err := json.Unmarshal(m.Content, &v); err != nil {
		t.Fatalf("%s content: %v", m.Type(), err)
	}
	return v
}

// streamText joins the text of the stream messages named name.
func streamText(t *testing.T, msgs []wire.Message, name string) string {
	var b strings.Builder
	for _, m := range msgs {
		if m.Type() == "stream" {
			c := content(t, m)
			if c["name"] == name {
				b.WriteString(c["text"].(string))
			}
		}
	}
	return b.String()
}

func ofType(msgs []wire.Message, typ string) []wire.Message {
	var out []wire.Message
	for _, m := range msgs {
		if m.Type() == typ {
			out = append(out, m)
		}
	}
	return out
}

func execute(t *testing.T, h *harness, code string) (client.Reply, []wire.Message) {
	t.Helper()
	r, out, err := h.c.Execute(testCtx(t), code)
	if err != nil {
		t.Fatalf("execute %q: %v\nkernel log:\n%s", code, err, h.log)
	}
	return r, out
}

func TestKernelInfo(t *testing.T) {
	h := startKernel(t, Options{})
	for _, ch := range []string{client.Shell, client.Control} {
		reply, _, err := h.c.Request(testCtx(t), ch, "kernel_info_request", map[string]any{})
		if err != nil {
			t.Fatal(err)
		}
		if reply.Type() != "kernel_info_reply" {
			t.Fatalf("%s: got %s", ch, reply.Type())
		}
		c := content(t, reply)
		if c["protocol_version"] != "5.3" || c["implementation"] != "gospeed" || c["status"] != "ok" {
			t.Errorf("%s: kernel_info_reply %v", ch, c)
		}
		li := c["language_info"].(map[string]any)
		for k, want := range map[string]string{"name": "go", "mimetype": "text/x-go", "file_extension": ".go", "codemirror_mode": "go", "pygments_lexer": "go"} {
			if li[k] != want {
				t.Errorf("language_info[%s] = %v, want %s", k, li[k], want)
			}
		}
		if !strings.HasPrefix(li["version"].(string), "go1.") {
			t.Errorf("language_info version %v", li["version"])
		}
	}
}

func TestExecuteStreamResultError(t *testing.T) {
	h := startKernel(t, Options{})
	// (os.Stderr is the process's own here: the binary test checks stderr.)
	r, out := execute(t, h, `import "fmt"
fmt.Println("hello, world")`)
	if r.Status != "ok" {
		t.Fatalf("reply %+v", r)
	}
	if got := streamText(t, out, "stdout"); got != "hello, world\n" {
		t.Errorf("stdout %q", got)
	}

	r, out = execute(t, h, "x := 20\nx + 22")
	res := ofType(out, "execute_result")
	if r.Status != "ok" || len(res) != 1 {
		t.Fatalf("reply %+v, outputs %v", r, out)
	}
	c := content(t, res[0])
	if c["data"].(map[string]any)["text/plain"] != "42" || int(c["execution_count"].(float64)) != r.ExecutionCount {
		t.Errorf("execute_result %v (reply count %d)", c, r.ExecutionCount)
	}

	r, out = execute(t, h, "undefinedThing + 1")
	errs := ofType(out, "error")
	if r.Status != "error" || r.EName == "" || len(errs) != 1 {
		t.Fatalf("reply %+v, outputs %v", r, out)
	}
	if c := content(t, errs[0]); c["ename"] != r.EName || c["evalue"] != r.EValue {
		t.Errorf("error output %v vs reply %+v", c, r)
	}
}

func TestExecutionCount(t *testing.T) {
	h := startKernel(t, Options{})
	ctx := testCtx(t)
	execute(t, h, `import "fmt"`)
	r1, _ := execute(t, h, "a := 1")
	noStore, out, err := h.c.ExecuteFunc(ctx, client.ExecuteRequest{Code: "a + 1", StoreHistory: false}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if noStore.ExecutionCount != r1.ExecutionCount {
		t.Errorf("store_history=false: count %d, want %d", noStore.ExecutionCount, r1.ExecutionCount)
	}
	if len(ofType(out, "execute_result")) != 1 {
		t.Errorf("store_history=false: want an execute_result, got %v", out)
	}
	silent, out, err := h.c.ExecuteFunc(ctx, client.ExecuteRequest{Code: "fmt.Print(a)\na + 2", Silent: true, StoreHistory: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if silent.ExecutionCount != r1.ExecutionCount {
		t.Errorf("silent: count %d, want %d", silent.ExecutionCount, r1.ExecutionCount)
	}
	if len(ofType(out, "execute_result")) != 0 || streamText(t, out, "stdout") != "1" {
		t.Errorf("silent: want output but no result, got %v", out)
	}
	r2, _ := execute(t, h, "a")
	if r2.ExecutionCount != r1.ExecutionCount+1 {
		t.Errorf("count %d after %d", r2.ExecutionCount, r1.ExecutionCount)
	}
}

func TestHistoryTail(t *testing.T) {
	h := startKernel(t, Options{})
	cells := []string{"b := 2", "b * 3", "b * 4"}
	for _, code := range cells {
		execute(t, h, code)
	}
	if _, _, err := h.c.ExecuteFunc(testCtx(t), client.ExecuteRequest{Code: "b * 5"}, nil); err != nil { // not stored
		t.Fatal(err)
	}
	reply, _, err := h.c.Request(testCtx(t), client.Shell, "history_request",
		map[string]any{"output": false, "raw": true, "hist_access_type": "tail", "n": 2})
	if err != nil {
		t.Fatal(err)
	}
	var c struct {
		Status  string          `json:"status"`
		History [][]json.Number `json:"-"`
		Raw     [][3]any        `json:"history"`
	}
	if err := json.Unmarshal(reply.Content, &c); err != nil {
		t.Fatal(err)
	}
	if c.Status != "ok" || len(c.Raw) != 2 {
		t.Fatalf("history_reply %s", reply.Content)
	}
	for i, row := range c.Raw {
		if row[2] != cells[i+1] || int(row[1].(float64)) != i+2 {
			t.Errorf("history row %d = %v, want line %d %q", i, row, i+2, cells[i+1])
		}
	}
}

func TestIsCompleteCompleteInspect(t *testing.T) {
	h := startKernel(t, Options{})
	ctx := testCtx(t)
	for code, want := range map[string]string{"x := 1": "complete", "func f() {": "incomplete", "x := )": "invalid"} {
		reply, _, err := h.c.Request(ctx, client.Shell, "is_complete_request", map[string]any{"code": code})
		if err != nil {
			t.Fatal(err)
		}
		if got := content(t, reply)["status"]; got != want {
			t.Errorf("is_complete(%q) = %v, want %s", code, got, want)
		}
	}

	code := "import \"strings\"\nstrings.ToUp"
	reply, _, err := h.c.Request(ctx, client.Shell, "complete_request", map[string]any{"code": code, "cursor_pos": len(code)})
	if err != nil {
		t.Fatal(err)
	}
	c := content(t, reply)
	matches, _ := c["matches"].([]any)
	found := false
	for _, m := range matches {
		found = found || strings.HasSuffix(m.(string), "ToUpper")
	}
	if c["status"] != "ok" || !found || int(c["cursor_end"].(float64)) != len(code) {
		t.Errorf("complete_reply %v", c)
	}

	code = "strings.ToUpper"
	reply, _, err = h.c.Request(ctx, client.Shell, "inspect_request", map[string]any{"code": code, "cursor_pos": len(code), "detail_level": 0})
	if err != nil {
		t.Fatal(err)
	}
	c = content(t, reply)
	text, _ := c["data"].(map[string]any)["text/plain"].(string)
	if c["status"] != "ok" || c["found"] != true || !strings.Contains(text, "upper") {
		t.Errorf("inspect_reply %v", c)
	}
}

func TestInterruptKeepsVariables(t *testing.T) {
	h := startKernel(t, Options{})
	execute(t, h, "import \"fmt\"\nkept := 42")
	started := make(chan struct{})
	type result struct {
		r   client.Reply
		err error
	}
	res := make(chan result, 1)
	go func() {
		var once sync.Once
		r, _, err := h.c.ExecuteFunc(testCtx(t), client.ExecuteRequest{Code: "fmt.Println(\"looping\")\nfor {}", StoreHistory: true, StopOnError: true},
			func(wire.Message) { once.Do(func() { close(started) }) })
		res <- result{r, err}
	}()
	<-started
	begin := time.Now()
	if err := h.c.Interrupt(testCtx(t)); err != nil {
		t.Fatal(err)
	}
	got := <-res
	t.Logf("interrupt stopped `for {}` in %v", time.Since(begin))
	if got.err != nil || got.r.EName != "KeyboardInterrupt" {
		t.Fatalf("interrupted cell: %+v, %v", got.r, got.err)
	}
	r, out := execute(t, h, "kept")
	if res := ofType(out, "execute_result"); r.Status != "ok" || len(res) != 1 || content(t, res[0])["data"].(map[string]any)["text/plain"] != "42" {
		t.Errorf("after interrupt: %+v %v", r, out)
	}
}

func TestOutputFloodThrottled(t *testing.T) {
	const rate = 64 << 10
	h := startKernel(t, Options{OutputRate: rate})
	begin := time.Now()
	r, out := execute(t, h, `import ("fmt"; "strings")
line := strings.Repeat("x", 1023) + "\n"
for i := 0; i < 2048; i++ { fmt.Print(line) }`)
	elapsed := time.Since(begin)
	if r.Status != "ok" {
		t.Fatalf("%+v", r)
	}
	stdout := streamText(t, out, "stdout")
	maxAllowed := rate * (int(elapsed/time.Second) + 1)
	if len(stdout) == 0 || len(stdout) > maxAllowed {
		t.Errorf("got %d bytes of stdout in %v; allowed at most %d", len(stdout), elapsed, maxAllowed)
	}
	note := streamText(t, out, "stderr")
	if !strings.Contains(note, "[output throttled:") || !strings.Contains(note, " bytes dropped]") {
		t.Errorf("no throttle note; stderr %q", note)
	}
	if r, _ := execute(t, h, `fmt.Println("after")`); r.Status != "ok" {
		t.Errorf("after a flood: %+v", r)
	}
}

func TestStopOnErrorAbortsQueued(t *testing.T) {
	h := startKernel(t, Options{})
	execute(t, h, `import "time"`)
	rc := dialRaw(t, h.info)
	ids := []string{
		rc.send(t, "execute_request", map[string]any{"code": "time.Sleep(200 * time.Millisecond)\npanic(\"first fails\")", "silent": false, "store_history": true, "user_expressions": map[string]any{}, "allow_stdin": false, "stop_on_error": true}, true),
		rc.send(t, "execute_request", map[string]any{"code": "y := 1", "silent": false, "store_history": true, "user_expressions": map[string]any{}, "allow_stdin": false, "stop_on_error": true}, true),
		rc.send(t, "execute_request", map[string]any{"code": "y := 2", "silent": false, "store_history": true, "user_expressions": map[string]any{}, "allow_stdin": false, "stop_on_error": true}, true),
	}
	want := []string{"error", "aborted", "aborted"}
	for i := range ids {
		m := rc.recv(t)
		if m.ParentHeader.MsgID != ids[i] {
			t.Fatalf("reply %d answers %s, want %s", i, m.ParentHeader.MsgID, ids[i])
		}
		if got := content(t, m)["status"]; got != want[i] {
			t.Errorf("reply %d status %v, want %s", i, got, want[i])
		}
	}
	if r, _ := execute(t, h, "3"); r.Status != "ok" {
		t.Errorf("after an aborted batch: %+v", r)
	}
}

func TestBadMessagesDropped(t *testing.T) {
	h := startKernel(t, Options{})
	rc := dialRaw(t, h.info)
	forged := rc.send(t, "execute_request", map[string]any{"code": "1"}, false)
	// A correctly signed message whose content is not JSON.
	rc.sendFrames(t, func(header, parent, metadata []byte) [][]byte {
		content := []byte("{not json")
		return [][]byte{[]byte("<IDS|MSG>"), rc.sign(header, parent, metadata, content), header, parent, metadata, content}
	})
	// No signature at all.
	rc.sendFrames(t, func(header, parent, metadata []byte) [][]byte {
		return [][]byte{[]byte("<IDS|MSG>"), nil, header, parent, metadata, []byte("{}")}
	})
	good := rc.send(t, "kernel_info_request", map[string]any{}, true)
	m := rc.recv(t)
	if m.ParentHeader.MsgID != good || m.Type() != "kernel_info_reply" {
		t.Fatalf("first reply is %s to %s; want kernel_info_reply to %s (forged was %s)", m.Type(), m.ParentHeader.MsgID, good, forged)
	}
	log := h.log.String()
	if strings.Count(log, "dropped a message") < 3 || !strings.Contains(log, "bad or missing signature") {
		t.Errorf("kernel log does not report the dropped messages:\n%s", log)
	}
	if r, _ := execute(t, h, "7"); r.Status != "ok" {
		t.Errorf("after bad messages: %+v", r)
	}
}

func TestCommsAndUnknownMessages(t *testing.T) {
	h := startKernel(t, Options{})
	ctx := testCtx(t)
	reply, _, err := h.c.Request(ctx, client.Shell, "comm_info_request", map[string]any{})
	if err != nil {
		t.Fatal(err)
	}
	if c := content(t, reply); c["status"] != "ok" || len(c["comms"].(map[string]any)) != 0 {
		t.Errorf("comm_info_reply %v", c)
	}
	rc := dialRaw(t, h.info)
	rc.send(t, "comm_open", map[string]any{"comm_id": "c1", "target_name": "nothing", "data": map[string]any{}}, true)
	rc.send(t, "no_such_request", map[string]any{}, true)
	id := rc.send(t, "execute_request", map[string]any{"code": "8", "silent": false, "store_history": true, "user_expressions": map[string]any{}, "allow_stdin": false, "stop_on_error": true}, true)
	if m := rc.recv(t); m.ParentHeader.MsgID != id || content(t, m)["status"] != "ok" {
		t.Errorf("after unknown messages: %v", m)
	}
	if !strings.Contains(h.log.String(), `"no_such_request"`) {
		t.Errorf("unknown message type not logged:\n%s", h.log)
	}
}

func TestShutdown(t *testing.T) {
	h := startKernel(t, Options{})
	reply, _, err := h.c.Request(testCtx(t), client.Control, "shutdown_request", map[string]any{"restart": true})
	if err != nil {
		t.Fatal(err)
	}
	if c := content(t, reply); c["status"] != "ok" || c["restart"] != true {
		t.Errorf("shutdown_reply %v", c)
	}
	select {
	case err := <-h.done:
		h.done <- err // for the cleanup
	case <-time.After(5 * time.Second):
		t.Fatal("Serve still running after shutdown_request")
	}
}

// rawConn is a shell DEALER that sends hand-made frames.
type rawConn struct {
	sock    zmq4.Socket
	signer  *wire.Signer
	key     []byte
	session string
}

func dialRaw(t *testing.T, info wire.ConnectionInfo) *rawConn {
	t.Helper()
	signer, _ := wire.NewSigner(info.Key, info.SignatureScheme)
	rc := &rawConn{signer: signer, key: []byte(info.Key), session: wire.NewID()}
	rc.sock = zmq4.NewDealer(context.Background(), zmq4.WithID(zmq4.SocketIdentity(rc.session)))
	if err := rc.sock.Dial(info.Endpoint(info.ShellPort)); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rc.sock.Close() })
	return rc
}

// send sends a message, signed correctly or with a wrong signature, and
// returns its msg_id.
func (rc *rawConn) send(t *testing.T, msgType string, content any, sign bool) string {
	t.Helper()
	m, err := wire.NewMessage(rc.session, msgType, nil, content)
	if err != nil {
		t.Fatal(err)
	}
	frames, err := rc.signer.Encode(m)
	if err != nil {
		t.Fatal(err)
	}
	if !sign {
		frames[1] = bytes.Repeat([]byte("0"), 64)
	}
	if err := rc.sock.Send(zmq4.NewMsgFrom(frames...)); err != nil {
		t.Fatal(err)
	}
	return m.Header.MsgID
}

func (rc *rawConn) sendFrames(t *testing.T, build func(header, parent, metadata []byte) [][]byte) {
	t.Helper()
	m, _ := wire.NewMessage(rc.session, "execute_request", nil, map[string]any{})
	header, _ := json.Marshal(m.Header)
	frames := build(header, []byte("{}"), []byte("{}"))
	if err := rc.sock.Send(zmq4.NewMsgFrom(frames...)); err != nil {
		t.Fatal(err)
	}
}

func (rc *rawConn) sign(parts ...[]byte) []byte { return signHex(rc.key, parts...) }

func (rc *rawConn) recv(t *testing.T) wire.Message {
	t.Helper()
	got := make(chan zmq4.Msg, 1)
	go func() {
		m, err := rc.sock.Recv()
		if err == nil {
			got <- m
		}
	}()
	select {
	case raw := <-got:
		m, err := rc.signer.Decode(raw.Frames)
		if err != nil {
			t.Fatal(err)
		}
		return m
	case <-time.After(10 * time.Second):
		t.Fatal("no reply within 10s")
	}
	return wire.Message{}
}
