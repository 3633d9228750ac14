//go:build browser

// Package e2e walks the learner's path through a real browser: `docker compose
// up`, JupyterLab with the token, a notebook run to the end with its chart, and
// notebooks that outlive `docker compose down`.
//
// It needs docker with Compose v2, the lab image (docker compose build lab), and
// Debian's chromium:
//
//	go test -tags browser -v -timeout 15m ./e2e
//
// The lab runs as its own Compose project (gospeed-e2e unless
// COMPOSE_PROJECT_NAME is set) on a free loopback port, so a learner's own lab
// is left alone. Screenshots go to .ci/out/.
package e2e

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
)

// lab is one running `docker compose` project with the lab service.
type lab struct {
	root  string // the repository, where docker-compose.yml is
	env   []string
	token string
	port  string
	http  *http.Client
}

func TestLabInBrowser(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 14*time.Minute)
	defer cancel()

	l := newLab(t)
	checkpointsExisted := exists(filepath.Join(l.root, "notebooks", ".ipynb_checkpoints"))
	t.Cleanup(func() {
		if out, err := l.compose(context.Background(), "down", "-v", "--remove-orphans"); err != nil {
			t.Errorf("docker compose down: %v\n%s", err, out)
		}
		if !checkpointsExisted {
			os.RemoveAll(filepath.Join(l.root, "notebooks", ".ipynb_checkpoints"))
		}
	})

	took := l.up(ctx, t)
	t.Logf("docker compose up -d lab: healthy after %.1fs", took.Seconds())

	t.Run("token required", func(t *testing.T) { checkToken(ctx, t, l) })
	t.Run("no process runs as root", func(t *testing.T) { checkNotRoot(ctx, t, l) })
	t.Run("port on loopback only", func(t *testing.T) { checkLoopbackOnly(ctx, t, l) })

	browser := newBrowser(ctx, t)

	// A scratch notebook, made through the lab (so jovyan owns it), that
	// prints a marker and shows an SVG chart through the kernel's display
	// helpers. The browser runs it and saves it: that save is the edit that
	// must survive down and up.
	marker := "e2e-" + randomHex(t, 6)
	scratch := "work/" + marker + ".ipynb"
	l.putNotebook(ctx, t, scratch, scratchNotebook(marker))
	t.Cleanup(func() { l.remove(t, marker+".ipynb") })

	ok := t.Run("run a notebook in JupyterLab", func(t *testing.T) {
		state := runInBrowser(t, l, browser, scratch, 2*time.Minute)
		if len(state.Errors) > 0 {
			t.Errorf("the page shows error output: %q", state.Errors)
		}
		if state.SVGs == 0 {
			t.Errorf("no SVG chart rendered on the page")
		}
		nb := l.getNotebook(ctx, t, scratch)
		if errs := errorOutputs(nb); len(errs) > 0 {
			t.Errorf("saved notebook has error outputs: %v", errs)
		}
		if !strings.Contains(outputText(nb), marker) {
			t.Errorf("saved notebook lacks the printed marker %q", marker)
		}
		if countMIME(nb, "image/svg+xml") == 0 {
			t.Errorf("saved notebook has no image/svg+xml output")
		}
	})

	// The first lesson, as stored, run on a copy: the course's own first
	// steps work in the browser and draw every chart the stored copy has.
	if first := firstLesson(t, l.root); first != "" && ok {
		t.Run("run the first lesson in JupyterLab", func(t *testing.T) {
			copyPath := "work/" + marker + "-" + first
			src, err := os.ReadFile(filepath.Join(l.root, "notebooks", first))
			if err != nil {
				t.Fatal(err)
			}
			var stored map[string]any
			if err := json.Unmarshal(src, &stored); err != nil {
				t.Fatalf("notebooks/%s: %v", first, err)
			}
			l.putNotebook(ctx, t, copyPath, stored)
			defer l.remove(t, filepath.Base(copyPath))
			state := runInBrowser(t, l, browser, copyPath, 8*time.Minute)
			if len(state.Errors) > 0 {
				// Lessons may write to stderr on purpose (the race
				// detector's report); error outputs are checked below.
				t.Logf("%s shows stderr output: %q", first, state.Errors)
			}
			nb := l.getNotebook(ctx, t, copyPath)
			if errs := errorOutputs(nb); len(errs) > 0 {
				t.Errorf("%s has error outputs after the run: %v", first, errs)
			}
			// Counted in the saved run, not on the page: JupyterLab only
			// renders the cells in view.
			if got, want := countMIME(nb, "image/svg+xml"), countMIME(stored, "image/svg+xml"); got < want {
				t.Errorf("%s: the run drew %d SVG charts, the stored notebook has %d", first, got, want)
			}
		})
	}

	// Notebook 02's worker-count slider, on a copy of 02 run to the end: it
	// renders, and setting it as a learner does (type into its readout,
	// Enter) re-runs the pooled download into the Output widget, whose table
	// then shows the new count.
	if ok {
		t.Run("notebook 02's slider re-runs the experiment", func(t *testing.T) {
			src, err := os.ReadFile(filepath.Join(l.root, "notebooks", "02-pooled.ipynb"))
			if err != nil {
				t.Fatal(err)
			}
			var nb map[string]any
			if err := json.Unmarshal(src, &nb); err != nil {
				t.Fatalf("notebooks/02-pooled.ipynb: %v", err)
			}
			path := "work/" + marker + "-02-pooled.ipynb"
			l.putNotebook(ctx, t, path, nb)
			defer l.remove(t, filepath.Base(path))
			runInBrowser(t, l, browser, path, 5*time.Minute)
			checkSlider(t, l, browser, marker, 8, 16)
		})
	}

	t.Run("notebooks survive down and up", func(t *testing.T) {
		if !ok {
			t.Skip("the browser did not save the notebook")
		}
		if out, err := l.compose(ctx, "down"); err != nil {
			t.Fatalf("docker compose down: %v\n%s", err, out)
		}
		onHost, err := os.ReadFile(filepath.Join(l.root, "notebooks", marker+".ipynb"))
		if err != nil {
			t.Fatalf("the saved notebook is not on the host: %v", err)
		}
		var nb map[string]any
		if err := json.Unmarshal(onHost, &nb); err != nil {
			t.Fatalf("the saved notebook on the host: %v", err)
		}
		if !strings.Contains(outputText(nb), marker) {
			t.Fatalf("the notebook on the host lacks the run's output %q", marker)
		}
		took := l.up(ctx, t)
		t.Logf("docker compose up -d lab (again): healthy after %.1fs", took.Seconds())
		nb = l.getNotebook(ctx, t, scratch)
		if !strings.Contains(outputText(nb), marker) {
			t.Errorf("after down and up the lab serves %s without the saved output %q", scratch, marker)
		}
	})
}

func newLab(t *testing.T) *lab {
	t.Helper()
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	if !exists(filepath.Join(root, "docker-compose.yml")) {
		t.Fatalf("no docker-compose.yml in %s", root)
	}
	project := os.Getenv("COMPOSE_PROJECT_NAME")
	if project == "" {
		project = "gospeed-e2e"
	}
	l := &lab{
		root:  root,
		token: randomHex(t, 24),
		port:  freePort(t),
		http:  &http.Client{Timeout: 10 * time.Second},
	}
	l.env = append(os.Environ(),
		"COMPOSE_PROJECT_NAME="+project,
		"JUPYTER_TOKEN="+l.token,
		"GOSPEED_PORT="+l.port,
	)
	return l
}

func (l *lab) compose(ctx context.Context, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, "docker", append([]string{"compose"}, args...)...)
	cmd.Dir = l.root
	cmd.Env = l.env
	return cmd.CombinedOutput()
}

func (l *lab) containerID(ctx context.Context, t *testing.T) string {
	t.Helper()
	out, err := l.compose(ctx, "ps", "-q", "lab")
	id := strings.TrimSpace(string(out))
	if err != nil || id == "" {
		t.Fatalf("docker compose ps -q lab: %v\n%s", err, out)
	}
	return id
}

// up starts the lab and waits for Docker to call it healthy, and says how long
// that took.
func (l *lab) up(ctx context.Context, t *testing.T) time.Duration {
	t.Helper()
	start := time.Now()
	if out, err := l.compose(ctx, "up", "-d", "lab"); err != nil {
		t.Fatalf("docker compose up -d lab: %v\n%s", err, out)
	}
	id := l.containerID(ctx, t)
	deadline := time.Now().Add(2 * time.Minute)
	for {
		out, err := exec.CommandContext(ctx, "docker", "inspect", "-f", "{{.State.Health.Status}}", id).Output()
		status := strings.TrimSpace(string(out))
		if err == nil && status == "healthy" {
			return time.Since(start)
		}
		if time.Now().After(deadline) || status == "unhealthy" {
			logs, _ := l.compose(ctx, "logs", "lab")
			t.Fatalf("lab not healthy (%q, %v) after %s; logs:\n%s", status, err, time.Since(start).Round(time.Second), logs)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func (l *lab) url(path string) string {
	return "http://127.0.0.1:" + l.port + path
}

// api calls the Jupyter Server REST API with the token; want is the status
// the call must answer.
func (l *lab) api(ctx context.Context, t *testing.T, method, path string, body any, want int) []byte {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, l.url(path), rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "token "+l.token)
	resp, err := l.http.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: reading the answer: %v", method, path, err)
	}
	if resp.StatusCode != want {
		t.Fatalf("%s %s: status %d, want %d: %s", method, path, resp.StatusCode, want, out)
	}
	return out
}

func (l *lab) putNotebook(ctx context.Context, t *testing.T, path string, nb map[string]any) {
	t.Helper()
	l.api(ctx, t, http.MethodPut, "/api/contents/"+path,
		map[string]any{"type": "notebook", "format": "json", "content": nb}, http.StatusCreated)
}

func (l *lab) getNotebook(ctx context.Context, t *testing.T, path string) map[string]any {
	t.Helper()
	var model struct {
		Content map[string]any `json:"content"`
	}
	if err := json.Unmarshal(l.api(ctx, t, http.MethodGet, "/api/contents/"+path+"?content=1", nil, http.StatusOK), &model); err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	return model.Content
}

// remove deletes a notebook the test made, and its checkpoint, on the host:
// the lab's own delete would leave it in notebooks/.Trash-1000.
func (l *lab) remove(t *testing.T, name string) {
	dir := filepath.Join(l.root, "notebooks")
	for _, p := range []string{
		filepath.Join(dir, name),
		filepath.Join(dir, ".ipynb_checkpoints", strings.TrimSuffix(name, ".ipynb")+"-checkpoint.ipynb"),
	} {
		if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
			t.Errorf("cleaning up: %v", err)
		}
	}
}

func checkToken(ctx context.Context, t *testing.T, l *lab) {
	for _, c := range []struct {
		name, header string
		want         int
	}{
		{"no token", "", http.StatusForbidden},
		{"wrong token", "token " + randomHex(t, 24), http.StatusForbidden},
		{"the token", "token " + l.token, http.StatusOK},
	} {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, l.url("/api/contents"), nil)
		if err != nil {
			t.Fatal(err)
		}
		if c.header != "" {
			req.Header.Set("Authorization", c.header)
		}
		resp, err := l.http.Do(req)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		resp.Body.Close()
		if resp.StatusCode != c.want {
			t.Errorf("GET /api/contents with %s: status %d, want %d", c.name, resp.StatusCode, c.want)
		}
	}
}

// checkNotRoot looks at every process in the container, tini included, from
// the host's side, again and again for ten seconds: a healthcheck (every 3 s)
// lives for a moment, and must not be root either.
func checkNotRoot(ctx context.Context, t *testing.T, l *lab) {
	id := l.containerID(ctx, t)
	sawServer, seen := false, 0
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		out, err := exec.CommandContext(ctx, "docker", "top", id, "-o", "pid,uid,args").CombinedOutput()
		if err != nil {
			t.Fatalf("docker top: %v\n%s", err, out)
		}
		lines := strings.Split(strings.TrimSpace(string(out)), "\n")
		for _, line := range lines[1:] {
			f := strings.Fields(line)
			if len(f) < 3 {
				continue
			}
			seen++
			if f[1] == "0" {
				t.Errorf("runs as root: %s", line)
			}
			if strings.Contains(line, "jupyter") {
				sawServer = true
			}
		}
	}
	if !sawServer {
		t.Errorf("no jupyter process in the container")
	}
	t.Logf("%d process sightings over 10 s", seen)
}

// checkLoopbackOnly reads the published port and tries it on every other
// address of this machine.
func checkLoopbackOnly(ctx context.Context, t *testing.T, l *lab) {
	out, err := l.compose(ctx, "port", "lab", "8888")
	if err != nil {
		t.Fatalf("docker compose port: %v\n%s", err, out)
	}
	if got := strings.TrimSpace(string(out)); got != "127.0.0.1:"+l.port {
		t.Errorf("lab published on %q, want 127.0.0.1:%s", got, l.port)
	}
	id := l.containerID(ctx, t)
	raw, err := exec.CommandContext(ctx, "docker", "inspect", "-f", "{{json .NetworkSettings.Ports}}", id).Output()
	if err != nil {
		t.Fatal(err)
	}
	var ports map[string][]struct{ HostIP, HostPort string }
	if err := json.Unmarshal(raw, &ports); err != nil {
		t.Fatalf("docker inspect ports %s: %v", raw, err)
	}
	for port, bindings := range ports {
		for _, b := range bindings {
			if b.HostIP != "127.0.0.1" {
				t.Errorf("%s published on %s:%s", port, b.HostIP, b.HostPort)
			}
		}
	}
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		t.Fatal(err)
	}
	tried := 0
	for _, a := range addrs {
		ip, _, err := net.ParseCIDR(a.String())
		if err != nil || ip.IsLoopback() || ip.IsLinkLocalUnicast() {
			continue
		}
		tried++
		c, err := net.DialTimeout("tcp", net.JoinHostPort(ip.String(), l.port), 2*time.Second)
		if err == nil {
			c.Close()
			t.Errorf("the lab answers on %s:%s", ip, l.port)
		}
	}
	t.Logf("port %s refused on %d non-loopback addresses", l.port, tried)
}

// newBrowser starts Debian's chromium headless, with the flags it needs as
// root in a container-less CI machine.
func newBrowser(ctx context.Context, t *testing.T) context.Context {
	t.Helper()
	exe := os.Getenv("CHROMIUM")
	if exe == "" {
		for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
			if p, err := exec.LookPath(name); err == nil {
				exe = p
				break
			}
		}
	}
	if exe == "" {
		t.Fatal("no chromium on PATH (apt-get install chromium), or set CHROMIUM")
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(exe),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.WindowSize(1400, 1000),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	bctx, cancelBrowser := chromedp.NewContext(actx)
	t.Cleanup(func() { cancelBrowser(); cancelAlloc() })
	if err := chromedp.Do(bctx); err != nil { // start the browser now
		t.Fatalf("starting %s: %v", exe, err)
	}
	return bctx
}

// The page's view of the open notebook, read by JavaScript.
type notebookState struct {
	Cells    int      `json:"cells"`    // code cells with source
	Numbered int      `json:"numbered"` // of those, with an execution count
	Running  int      `json:"running"`  // prompts showing [*]
	Kernel   string   `json:"kernel"`   // the status bar's kernel text
	Errors   []string `json:"errors"`   // rendered error and stderr outputs
	SVGs     int      `json:"svgs"`     // rendered SVG outputs
	Dialogs  []string `json:"dialogs"`  // open dialogs
}

const stateJS = `(() => {
  const panel = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
  if (!panel) return null;
  const code = [...panel.querySelectorAll('.jp-CodeCell')].filter(c => {
    const src = c.querySelector('.cm-content');
    return src && src.textContent.trim() !== '';
  });
  const prompts = code.map(c => (c.querySelector('.jp-InputArea-prompt') || {}).textContent || '');
  const status = document.querySelector('.jp-StatusBar-Widget .jp-StatusBar-TextItem[title*="ernel"], #jp-main-statusbar');
  return {
    cells: code.length,
    numbered: prompts.filter(p => /\[\d+\]/.test(p)).length,
    running: prompts.filter(p => p.includes('*')).length,
    kernel: (document.querySelector('.jp-Notebook-ExecutionIndicator') || {}).dataset?.status ||
            (status ? status.textContent : ''),
    errors: [...panel.querySelectorAll('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')]
              .map(e => e.textContent.slice(0, 300)),
    // An SVG output, or a lessons result: its HTML carries the chart inline.
    svgs: panel.querySelectorAll('.jp-RenderedSVG img, .jp-RenderedSVG svg, .jp-RenderedImage img[src^="data:image/svg"], .jp-OutputArea-output.jp-RenderedHTML svg').length,
    dialogs: [...document.querySelectorAll('.jp-Dialog')].map(d => d.textContent.slice(0, 200)),
  };
})()`

// runInBrowser opens the notebook in JupyterLab with the token, runs all
// cells from the Run menu, waits for every cell to finish and the kernel to
// go idle, saves from the File menu, takes a screenshot, and returns what the
// page shows then.
func runInBrowser(t *testing.T, l *lab, browser context.Context, path string, limit time.Duration) notebookState {
	t.Helper()
	// The browser's first tab: a second one would be a background tab,
	// which headless chromium neither renders nor screenshots.
	tab := browser
	name := strings.TrimSuffix(filepath.Base(path), ".ipynb")
	shot := func(suffix string) {
		ctx, cancel := context.WithTimeout(tab, 20*time.Second)
		defer cancel()
		// Show the first chart, if there is one.
		_ = chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](
			`document.querySelector('.jp-RenderedSVG, .jp-RenderedImage, .jp-OutputArea-output.jp-RenderedHTML svg')?.scrollIntoView({block: 'center'})`),
			chromedp.Sleep(300*time.Millisecond))
		png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
		if err == nil {
			file := filepath.Join(l.root, ".ci", "out", name+suffix+".png")
			if err = os.MkdirAll(filepath.Dir(file), 0o755); err == nil {
				if err = os.WriteFile(file, png, 0o644); err == nil {
					t.Logf("screenshot %s", file)
				}
			}
		}
		if err != nil {
			t.Logf("screenshot: %v", err)
		}
	}
	fail := func(format string, args ...any) {
		t.Helper()
		shot("-failed")
		t.Fatalf(format, args...)
	}
	within := func(d time.Duration, steps ...chromedp.Action[chromedp.Void]) error {
		ctx, cancel := context.WithTimeout(tab, d)
		defer cancel()
		return chromedp.Do(ctx, steps...)
	}

	// reset: a fresh workspace, so the lab does not reopen the notebooks of
	// the last page and make one of them the current one.
	if err := within(time.Minute, chromedp.Navigate(l.url("/lab/tree/"+path+"?reset&token="+l.token))); err != nil {
		fail("opening %s: %v", path, err)
	}
	// The notebook is open and its kernel has started.
	if err := within(90*time.Second, chromedp.Poll[chromedp.Void](
		`(() => { const s = `+stateJS+`; return s && s.cells > 0 && /idle/i.test(s.kernel); })()`,
		chromedp.WithPollingInterval(250*time.Millisecond), chromedp.WithPollingTimeout(0))); err != nil {
		state, _ := readState(tab)
		fail("%s did not open with an idle kernel: %v (page: %+v)", path, err, state)
	}

	// A stored notebook shows its old execution counts: clear them, so a
	// numbered prompt means this run.
	if err := within(20*time.Second, clickMenu("Edit", "editmenu:clear-all")...); err != nil {
		fail("Edit > Clear Outputs of All Cells: %v", err)
	}
	// Run > Run All Cells, until the run shows (a click can land while the
	// lab is still settling).
	started := false
	for try := 0; try < 3 && !started; try++ {
		if err := within(20*time.Second, clickMenu("Run", "runmenu:run-all")...); err != nil {
			fail("Run > Run All Cells: %v", err)
		}
		for wait := time.Now().Add(10 * time.Second); time.Now().Before(wait); time.Sleep(250 * time.Millisecond) {
			if s, err := readState(tab); err == nil && (s.Running > 0 || s.Numbered > 0) {
				started = true
				break
			}
		}
	}
	if !started {
		fail("Run > Run All Cells did not start %s", path)
	}
	var state notebookState
	for deadline := time.Now().Add(limit); ; {
		s, err := readState(tab)
		if err != nil {
			fail("waiting for %s to run: %v (last seen %+v)", path, err, state)
		}
		state = s
		if len(state.Dialogs) > 0 {
			fail("a dialog opened: %q", state.Dialogs)
		}
		if state.Running == 0 && state.Numbered == state.Cells && idle.MatchString(state.Kernel) {
			break
		}
		if time.Now().After(deadline) {
			fail("%s still running after %s: %+v", path, limit, state)
		}
		time.Sleep(500 * time.Millisecond)
	}
	t.Logf("%s: %d cells run, %d SVG charts rendered", path, state.Numbered, state.SVGs)
	if err := within(20*time.Second, clickMenu("File", "docmanager:save")...); err != nil {
		fail("File > Save Notebook: %v", err)
	}
	// Saved when the tab no longer shows the dirty mark.
	if err := within(30*time.Second, chromedp.Poll[chromedp.Void](
		`!document.querySelector('.lm-TabBar-tab.lm-mod-current.jp-mod-dirty')`,
		chromedp.WithPollingInterval(250*time.Millisecond), chromedp.WithPollingTimeout(0))); err != nil {
		fail("saving %s: %v", path, err)
	}
	shot("")
	return state
}

var idle = regexp.MustCompile(`(?i)idle`)

func readState(tab context.Context) (notebookState, error) {
	ctx, cancel := context.WithTimeout(tab, 10*time.Second)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[*notebookState](stateJS))
	if err != nil {
		return notebookState{}, err
	}
	if s == nil {
		return notebookState{}, errors.New("no notebook panel on the page")
	}
	return *s, nil
}

// clickMenu opens a menu of the menu bar and clicks the item of a command,
// with the mouse, as a learner would.
func clickMenu(menu, command string) []chromedp.Action[chromedp.Void] {
	bar := fmt.Sprintf(`[...document.querySelectorAll('.lm-MenuBar-item')].find(e => e.textContent.trim() === %q)`, menu)
	item := fmt.Sprintf(`document.querySelector('.lm-Menu:not(.lm-mod-hidden) .lm-Menu-item[data-command=%q]')`, command)
	open := func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		// Right after another menu was used, a click on the bar may only
		// close it: then click again.
		var err error
		for range 3 {
			if _, err = pointAndClick(bar)(ctx, t); err != nil {
				return chromedp.Void{}, err
			}
			wait, cancel := context.WithTimeout(ctx, 2*time.Second)
			_, err = chromedp.Poll[chromedp.Void]("!!"+item,
				chromedp.WithPollingInterval(100*time.Millisecond), chromedp.WithPollingTimeout(0))(wait, t)
			cancel()
			if err == nil {
				return chromedp.Void{}, nil
			}
		}
		return chromedp.Void{}, fmt.Errorf("menu %s shows no item %s: %w", menu, command, err)
	}
	return []chromedp.Action[chromedp.Void]{open, pointAndClick(item)}
}

// pointAndClick moves the mouse onto the element a JavaScript expression
// finds, then clicks it: Lumino menus act on the item under the pointer, so
// a click without the move does nothing.
func pointAndClick(element string) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		at, err := chromedp.Evaluate[*struct{ X, Y float64 }](`(() => {
  const e = `+element+`;
  if (!e) return null;
  const r = e.getBoundingClientRect();
  return r.width && r.height ? {X: r.left + r.width / 2, Y: r.top + r.height / 2} : null;
})()`)(ctx, t)
		if err != nil {
			return chromedp.Void{}, err
		}
		if at == nil {
			return chromedp.Void{}, fmt.Errorf("nothing visible at %s", element)
		}
		return chromedp.Void{}, chromedp.Do(ctx,
			chromedp.MouseEvent(input.DispatchMouseEventTypeMouseMoved, at.X, at.Y),
			chromedp.Sleep(100*time.Millisecond),
			chromedp.MouseClickXY(at.X, at.Y))
	}
}

// scratchNotebook is a small Go notebook: a printed marker and a chart drawn
// with the display helpers, as gophernotes notebooks do.
func scratchNotebook(marker string) map[string]any {
	code := func(src string) map[string]any {
		return map[string]any{"cell_type": "code", "metadata": map[string]any{}, "source": src,
			"outputs": []any{}, "execution_count": nil}
	}
	svg := `<svg xmlns="http://www.w3.org/2000/svg" width="240" height="120" viewBox="0 0 240 120">` +
		`<rect x="10" y="60" width="40" height="50" fill="#00ADD8"/>` +
		`<rect x="70" y="30" width="40" height="80" fill="#00ADD8"/>` +
		`<rect x="130" y="10" width="40" height="100" fill="#00ADD8"/>` +
		`<text x="10" y="20" font-family="sans-serif" font-size="14">` + marker + `</text></svg>`
	return map[string]any{
		"nbformat": 4, "nbformat_minor": 5,
		"metadata": map[string]any{
			"kernelspec":    map[string]any{"name": "gospeed", "display_name": "Go (gospeed)", "language": "go"},
			"language_info": map[string]any{"name": "go"},
		},
		"cells": []any{
			map[string]any{"cell_type": "markdown", "metadata": map[string]any{}, "source": "# Browser test " + marker},
			code("import \"fmt\"\n\nfmt.Println(\"" + marker + "\")"),
			code("display.SVG(`" + svg + "`)"),
		},
	}
}

// checkSlider finds the first slider (the workers), which the first run
// drew at from, sets it to to through its readout, and waits for the Output
// widget to show a run with to workers.
func checkSlider(t *testing.T, l *lab, tab context.Context, marker string, from, to int) {
	t.Helper()
	const widgetJS = `(() => {
  const panel = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
  const text = panel ? panel.innerText : '';
  const out = panel && panel.querySelector('.widget-output');
  return {
    sliders: panel ? panel.querySelectorAll('.jupyter-widgets.widget-slider').length : 0,
    loading: text.includes('Loading widget'),
    failed: text.includes('Error displaying widget'),
    output: out ? out.innerText : '',
  };
})()`
	type widgetState struct {
		Sliders int    `json:"sliders"`
		Loading bool   `json:"loading"`
		Failed  bool   `json:"failed"`
		Output  string `json:"output"`
	}
	read := func() widgetState {
		ctx, cancel := context.WithTimeout(tab, 10*time.Second)
		defer cancel()
		s, err := chromedp.Run(ctx, chromedp.Evaluate[*widgetState](widgetJS))
		if err != nil || s == nil {
			t.Fatalf("reading the widgets: %v", err)
		}
		return *s
	}
	ranWith := func(out string, workers int) bool {
		return regexp.MustCompile(fmt.Sprintf(`pooled\s+%d\s`, workers)).MatchString(out)
	}
	var s widgetState
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(500 * time.Millisecond) {
		s = read()
		if s.Sliders > 0 && !s.Loading && ranWith(s.Output, from) || time.Now().After(deadline) {
			break
		}
	}
	if s.Failed || s.Loading || s.Sliders == 0 {
		t.Fatalf("the slider did not render: %+v", s)
	}
	if !ranWith(s.Output, from) {
		t.Fatalf("the Output widget lacks the first run with %d workers: %q", from, s.Output)
	}
	readout := `document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden) .widget-slider .widget-readout')`
	ctx, cancel := context.WithTimeout(tab, 30*time.Second)
	defer cancel()
	err := chromedp.Do(ctx,
		pointAndClick(readout),
		chromedp.Evaluate[chromedp.Void](`(() => { const r = `+readout+`; const sel = getSelection(); const range = document.createRange(); range.selectNodeContents(r); sel.removeAllRanges(); sel.addRange(range); })()`),
		chromedp.KeyEvent(fmt.Sprint(to)),
		chromedp.KeyEvent("\r"),
	)
	if err != nil {
		t.Fatalf("typing %d into the slider's readout: %v", to, err)
	}
	for deadline := time.Now().Add(time.Minute); !ranWith(s.Output, to); time.Sleep(500 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("after setting the slider to %d, the Output shows: %q", to, s.Output)
		}
		s = read()
	}
	// The slider and the Output's new chart in view.
	_ = chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](
		`document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden) .widget-slider')?.scrollIntoView({block: 'start'})`),
		chromedp.Sleep(300*time.Millisecond))
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err == nil {
		file := filepath.Join(l.root, ".ci", "out", marker+"-slider.png")
		if err = os.WriteFile(file, png, 0o644); err == nil {
			t.Logf("screenshot %s", file)
		}
	}
	if err != nil {
		t.Logf("screenshot: %v", err)
	}
}

// firstLesson is notebooks/00-*.ipynb, or the first notebook, or "".
func firstLesson(t *testing.T, root string) string {
	t.Helper()
	if name := os.Getenv("GOSPEED_E2E_NOTEBOOK"); name != "" {
		return name
	}
	all, _ := filepath.Glob(filepath.Join(root, "notebooks", "[0-9][0-9]-*.ipynb"))
	sort.Strings(all)
	if len(all) == 0 {
		t.Log("no notebooks/NN-*.ipynb yet: only the scratch notebook runs")
		return ""
	}
	return filepath.Base(all[0])
}

func errorOutputs(nb map[string]any) []string {
	var errs []string
	eachOutput(nb, func(out map[string]any) {
		if out["output_type"] == "error" {
			errs = append(errs, fmt.Sprintf("%v: %v", out["ename"], out["evalue"]))
		}
	})
	return errs
}

func countMIME(nb map[string]any, mime string) int {
	n := 0
	eachOutput(nb, func(out map[string]any) {
		if data, ok := out["data"].(map[string]any); ok && data[mime] != nil {
			n++
		}
	})
	return n
}

// outputText is every output, as JSON text, to look for a marker in.
func outputText(nb map[string]any) string {
	var b strings.Builder
	eachOutput(nb, func(out map[string]any) {
		j, _ := json.Marshal(out)
		b.Write(j)
	})
	return b.String()
}

func eachOutput(nb map[string]any, f func(map[string]any)) {
	cells, _ := nb["cells"].([]any)
	for _, c := range cells {
		cell, _ := c.(map[string]any)
		outs, _ := cell["outputs"].([]any)
		for _, o := range outs {
			if out, ok := o.(map[string]any); ok {
				f(out)
			}
		}
	}
}

func randomHex(t *testing.T, n int) string {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}

// freePort picks a loopback port nobody listens on now.
func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	return port
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
