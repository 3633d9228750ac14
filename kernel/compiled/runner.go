package compiled

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/gospeed/gospeed/kernel/display"
)

// Config configures a Runner. The zero value of every field but the
// writers is a working default.
type Config struct {
	// Stdout and Stderr receive the program's output while it runs.
	Stdout, Stderr io.Writer
	// Display receives the program's rich output (display.Display).
	Display func(d display.Data, update bool)
	// Source is the gospeed module source; default: see the package doc.
	Source string
	// TempDir holds the runner's temporary module; default os.TempDir().
	TempDir string
	// OutputRate caps the output passed on, in bytes a second; the rest is
	// dropped and counted. Default 1 MiB, the kernel's.
	OutputRate int
}

// A Runner builds and runs compiled cells, one at a time, in its own
// temporary module.
type Runner struct {
	cfg   Config
	dir   string
	goBin string
	env   []string
	std   func() map[string]bool

	mu      sync.Mutex
	lastSrc string // the last cell body and the file built from it
	lastOut source
}

// New returns a Runner with its temporary module written.
func New(cfg Config) (*Runner, error) {
	if cfg.Stdout == nil {
		cfg.Stdout = io.Discard
	}
	if cfg.Stderr == nil {
		cfg.Stderr = io.Discard
	}
	if cfg.Display == nil {
		cfg.Display = func(display.Data, bool) {}
	}
	if cfg.OutputRate <= 0 {
		cfg.OutputRate = 1 << 20
	}
	src, err := findSource(cfg.Source)
	if err != nil {
		return nil, fmt.Errorf("compiled cells: %w", err)
	}
	goBin, err := findGo()
	if err != nil {
		return nil, fmt.Errorf("compiled cells: %w", err)
	}
	dir, err := os.MkdirTemp(cfg.TempDir, "gospeed-cell-")
	if err != nil {
		return nil, fmt.Errorf("compiled cells: %w", err)
	}
	if err := writeModule(dir, src); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("compiled cells: %w", err)
	}
	return &Runner{
		cfg:   cfg,
		dir:   dir,
		goBin: goBin,
		env:   goEnv(),
		std:   sync.OnceValue(func() map[string]bool { return stdPackageNames(goBin) }),
	}, nil
}

// Close removes the temporary module.
func (r *Runner) Close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := os.RemoveAll(r.dir); err != nil {
		return fmt.Errorf("compiled cells: %w", err)
	}
	return nil
}

// Execute builds and runs one compiled cell. Its output streams to the
// Config's writers; a failure is an *Error. Cancelling ctx stops the build
// or the program with every process it started. A compiled cell has no
// result value: ok is always false.
func (r *Runner) Execute(ctx context.Context, code string) (result display.Data, ok bool, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	first, _, _ := strings.Cut(code, "\n")
	cmd, err := parseMagic(first)
	if err != nil {
		return display.Data{}, false, newError("UsageError", err.Error(), strings.Split(usage, "\n")...)
	}
	body, _ := Body(code)
	lines := sourceLines(code)
	fileName := "main.go"
	if cmd.mode == modeTest {
		fileName = "cell_test.go"
	}
	src, err := r.source(body, filepath.Join(r.dir, fileName))
	if err != nil {
		return display.Data{}, false, newError("CompileError", err.Error())
	}
	if cmd.mode == modeRun && src.pkg != "main" {
		return display.Data{}, false, newError("CompileError",
			fmt.Sprintf("a %%%%go run cell is package main, not package %s", src.pkg))
	}
	if err := writeFile(r.dir, fileName, src.text); err != nil {
		return display.Data{}, false, err
	}
	bin, err := r.build(ctx, cmd, lines)
	if err != nil {
		return display.Data{}, false, err
	}
	args := cmd.args
	if cmd.mode == modeTest {
		args = cmd.testFlags
	}
	return display.Data{}, false, r.run(ctx, bin, args, cmd.mode, lines)
}

// source returns the file of a cell body, reusing the last one when the
// body is the same (re-running a cell asks goimports nothing).
func (r *Runner) source(body, fileName string) (source, error) {
	key := fileName + "\x00" + body
	if key == r.lastSrc {
		return r.lastOut, nil
	}
	std := r.std()
	isStd := func(name string) bool { return std == nil || std[name] }
	src, err := buildSource(body, fileName, isStd)
	if err != nil {
		return source{}, err
	}
	r.lastSrc, r.lastOut = key, src
	return src, nil
}

// build compiles the cell's file and returns the executable's path.
func (r *Runner) build(ctx context.Context, cmd command, lines []string) (string, error) {
	bin := filepath.Join(r.dir, "cell")
	args := []string{"build", "-o", bin}
	if cmd.mode == modeTest {
		bin += ".test"
		args = []string{"test", "-c", "-o", bin}
	}
	args = append(args, cmd.buildFlags...)
	if !slices.ContainsFunc(cmd.buildFlags, func(f string) bool { return strings.HasPrefix(f, "-ldflags=") }) {
		// No DWARF: it is for debuggers, which a cell has none of, and
		// leaving it out makes the link, most of a warm build, shorter.
		// Tracebacks and race reports do not use it.
		args = append(args, "-ldflags=-w")
	}
	args = append(args, ".")
	c := exec.CommandContext(ctx, r.goBin, args...)
	c.Dir, c.Env = r.dir, r.env
	var out bytes.Buffer
	c.Stdout, c.Stderr = &out, &out
	inGroup(c)
	c.Cancel = func() error { killGroup(c); return nil }
	c.WaitDelay = time.Second
	err := c.Run()
	if ctx.Err() != nil {
		return "", interrupted()
	}
	if err != nil {
		var exit *exec.ExitError
		if !errors.As(err, &exit) {
			return "", fmt.Errorf("compiled cells: running go %s: %w", args[0], err)
		}
		return "", buildError(out.String(), lines)
	}
	return bin, nil
}

func interrupted() *Error {
	return newError("KeyboardInterrupt", "the cell was interrupted: its program and every process it started were stopped")
}

// displayFDEnv names the file descriptor a compiled program writes its
// display messages to; display.Display reads it.
const displayFDEnv = "GOSPEED_DISPLAY_FD"

// programEnv is the environment of a cell's program: the kernel's, with the
// display pipe named, and the race detector's wait at exit cut from 1 s to
// 100 ms (GORACE's atexit_sleep_ms; options in the kernel's GORACE win), as
// the 1 s wait would make every -race cell take a second longer.
func programEnv() []string {
	env := append(os.Environ(), displayFDEnv+"=3")
	return append(env, "GORACE="+strings.TrimSpace("atexit_sleep_ms=100 "+os.Getenv("GORACE")))
}

// run runs the built program in its own process group: stdin empty, stdout
// and stderr streamed, display messages read from file descriptor 3. When
// the program ends or ctx is cancelled, the whole group is killed, so no
// child it forked outlives the cell.
func (r *Runner) run(ctx context.Context, bin string, args []string, m mode, lines []string) error {
	outR, outW, err := os.Pipe()
	if err != nil {
		return fmt.Errorf("compiled cells: %w", err)
	}
	errR, errW, err := os.Pipe()
	if err != nil {
		outR.Close()
		outW.Close()
		return fmt.Errorf("compiled cells: %w", err)
	}
	dispR, dispW, err := os.Pipe()
	if err != nil {
		outR.Close()
		outW.Close()
		errR.Close()
		errW.Close()
		return fmt.Errorf("compiled cells: %w", err)
	}
	readers := []*os.File{outR, errR, dispR}
	defer func() {
		for _, f := range readers {
			f.Close()
		}
	}()

	c := exec.Command(bin, args...)
	c.Stdout, c.Stderr = outW, errW
	c.ExtraFiles = []*os.File{dispW}
	c.Env = programEnv()
	inGroup(c)
	startErr := c.Start()
	outW.Close()
	errW.Close()
	dispW.Close()
	if startErr != nil {
		return fmt.Errorf("compiled cells: starting the program: %w", startErr)
	}

	lim := &limiter{rate: r.cfg.OutputRate}
	var stdout, stderr capture
	var wg sync.WaitGroup
	wg.Add(3)
	go func() { defer wg.Done(); pump(outR, r.cfg.Stdout, lim, &stdout) }()
	go func() { defer wg.Done(); pump(errR, r.cfg.Stderr, lim, &stderr) }()
	go func() { defer wg.Done(); r.readDisplays(dispR) }()

	exited := make(chan error, 1)
	go func() { exited <- c.Wait() }()
	var waitErr error
	wasInterrupted := false
	select {
	case waitErr = <-exited:
	case <-ctx.Done():
		killGroup(c)
		waitErr = <-exited
		wasInterrupted = true
	}
	killGroup(c)
	drainOrClose(&wg, readers)
	if note := lim.note(); note != "" {
		fmt.Fprint(r.cfg.Stderr, note)
	}
	if wasInterrupted {
		return interrupted()
	}
	var exit *exec.ExitError
	if errors.As(waitErr, &exit) {
		out, errText := stdout.String(), stderr.String()
		rs := races(errText, lines)
		if len(rs) > 0 {
			r.cfg.Display(raceDisplay(rs, lines), false)
		}
		return exitError(exit, out, errText, rs, m, lines)
	}
	if waitErr != nil {
		return fmt.Errorf("compiled cells: running the program: %w", waitErr)
	}
	return nil
}

// drainOrClose waits for the readers to reach the end of their pipes; a
// process that left the group could hold them open, so after a grace period
// they are closed.
func drainOrClose(wg *sync.WaitGroup, readers []*os.File) {
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(200 * time.Millisecond):
		for _, f := range readers {
			f.Close()
		}
		<-done
	}
}

// message is one display message of a compiled program, one JSON object a line.
type message struct {
	Data      display.MIMEMap `json:"data"`
	Metadata  display.MIMEMap `json:"metadata"`
	Transient display.MIMEMap `json:"transient"`
	Update    bool            `json:"update"`
}

// readDisplays passes the program's display messages on until the pipe ends.
func (r *Runner) readDisplays(pipe io.Reader) {
	s := bufio.NewScanner(pipe)
	s.Buffer(make([]byte, 64<<10), 256<<20)
	for s.Scan() {
		var m message
		if err := json.Unmarshal(s.Bytes(), &m); err != nil {
			fmt.Fprintf(r.cfg.Stderr, "[gospeed: a display message of the program is not valid: %v]\n", err)
			continue
		}
		r.cfg.Display(display.Data{Data: m.Data, Metadata: m.Metadata, Transient: m.Transient}, m.Update)
	}
	if err := s.Err(); err != nil && !errors.Is(err, os.ErrClosed) {
		fmt.Fprintf(r.cfg.Stderr, "[gospeed: reading the program's displays: %v]\n", err)
		_, _ = io.Copy(io.Discard, pipe)
	}
}
