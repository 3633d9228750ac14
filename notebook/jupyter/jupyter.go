// Package jupyter runs notebooks on a real Jupyter kernel: it starts the
// kernel's process, checks that the notebook is for it, records its
// language_info, and runs the cells through kernel/client, adapted to
// notebook.Kernel.
package jupyter

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/gospeed/gospeed/kernel/client"
	"github.com/gospeed/gospeed/kernel/wire"
	"github.com/gospeed/gospeed/notebook"
)

// Run runs the notebook at path on a new kernel that cmd starts ("{connection_file}"
// in its Args is replaced), in the notebook's directory as Jupyter would.
// A notebook whose kernelspec names another kernel than spec is refused. The
// notebook comes back, with whatever outputs it got, unless it could not be
// read; when the run fails, the kernel's own output goes to log.
func Run(ctx context.Context, path string, cmd *exec.Cmd, spec string, opt notebook.Options, log io.Writer) (_ *notebook.Notebook, err error) {
	nb, err := notebook.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if ks, _ := nb.Metadata["kernelspec"].(map[string]any); ks != nil && ks["name"] != nil && ks["name"] != spec {
		return nil, fmt.Errorf("kernelspec %v: this runs only notebooks for the kernel %s", ks["name"], spec)
	}
	cmd.Dir = filepath.Dir(path)
	// The kernel's own log is noise when all goes well; it is shown only
	// when the notebook fails, where it may say why.
	var klog bytes.Buffer
	cmd.Stdout, cmd.Stderr = &klog, &klog
	defer func() {
		if err != nil && klog.Len() > 0 {
			fmt.Fprintf(log, "kernel log for %s:\n%s", path, klog.Bytes())
		}
	}()
	startCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
	c, err := client.StartCommand(startCtx, cmd)
	cancel()
	if err != nil {
		return nb, fmt.Errorf("starting the kernel: %w", err)
	}
	defer c.Close() // runs before the log is shown: it waits for the kernel to end
	if err := recordLanguage(ctx, c, nb); err != nil {
		return nb, err
	}
	return nb, notebook.Run(ctx, nb, clientKernel{c}, opt)
}

// recordLanguage stores the kernel's language_info in the notebook's
// metadata, as Jupyter does when it runs a notebook.
func recordLanguage(ctx context.Context, c *client.Client, nb *notebook.Notebook) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	reply, _, err := c.Request(ctx, client.Shell, "kernel_info_request", map[string]any{})
	if err != nil {
		return fmt.Errorf("asking the kernel for its language: %w", err)
	}
	var info struct {
		LanguageInfo map[string]any `json:"language_info"`
	}
	// Numbers stay JSON numbers as sent (an integer stays an integer).
	dec := json.NewDecoder(bytes.NewReader(reply.Content))
	dec.UseNumber()
	if err := dec.Decode(&info); err != nil {
		return fmt.Errorf("kernel_info_reply: %w", err)
	}
	if info.LanguageInfo != nil {
		nb.Metadata["language_info"] = info.LanguageInfo
	}
	return nil
}

// clientKernel is a kernel/client.Client as the notebook runner needs it.
type clientKernel struct{ c *client.Client }

func (k clientKernel) Execute(ctx context.Context, code string, onMessage func(notebook.Message)) (notebook.Reply, error) {
	req := client.ExecuteRequest{Code: code, StoreHistory: true, StopOnError: true}
	reply, _, err := k.c.ExecuteFunc(ctx, req, func(m wire.Message) {
		onMessage(notebook.Message{Type: m.Type(), Content: m.Content})
	})
	if err != nil {
		return notebook.Reply{}, err
	}
	return notebook.Reply{Status: reply.Status, ExecutionCount: reply.ExecutionCount}, nil
}

func (k clientKernel) Interrupt(ctx context.Context) error { return k.c.Interrupt(ctx) }
