// Package kernelspec writes the Jupyter kernelspec of the gospeed kernel: a
// kernel.json that starts `gospeed kernel {connection_file}`, and the logos
// Jupyter shows on the kernel's card.
package kernelspec

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
)

// Name is the kernelspec's name, the directory under kernels/.
const Name = "gospeed"

// Spec is the content of kernel.json.
type Spec struct {
	Argv          []string       `json:"argv"`
	DisplayName   string         `json:"display_name"`
	Language      string         `json:"language"`
	InterruptMode string         `json:"interrupt_mode"`
	Metadata      map[string]any `json:"metadata"`
}

// New returns the spec that runs the gospeed binary at exe.
func New(exe string) Spec {
	return Spec{
		Argv:          []string{exe, "kernel", "{connection_file}"},
		DisplayName:   "Go (gospeed)",
		Language:      "go",
		InterruptMode: "message",
		Metadata:      map[string]any{"debugger": false},
	}
}

// Install writes the spec and its logos into dir (created if needed).
func Install(dir string, spec Spec) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("kernelspec: %w", err)
	}
	b, err := json.MarshalIndent(spec, "", "  ")
	if err != nil {
		return fmt.Errorf("kernelspec: %w", err)
	}
	files := map[string][]byte{"kernel.json": append(b, '\n'), "logo-svg.svg": []byte(LogoSVG)}
	for _, size := range []int{32, 64} {
		png, err := LogoPNG(size)
		if err != nil {
			return fmt.Errorf("kernelspec: logo: %w", err)
		}
		files[fmt.Sprintf("logo-%dx%d.png", size, size)] = png
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			return fmt.Errorf("kernelspec: %w", err)
		}
	}
	return nil
}

// UserDir is where Jupyter looks for a user's kernelspecs:
// $JUPYTER_DATA_DIR/kernels/gospeed, by default under ~/.local/share/jupyter
// (~/Library/Jupyter on macOS).
func UserDir() (string, error) {
	if d := os.Getenv("JUPYTER_DATA_DIR"); d != "" {
		return filepath.Join(d, "kernels", Name), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("kernelspec: no home directory: %w", err)
	}
	if runtime.GOOS == "darwin" {
		return filepath.Join(home, "Library", "Jupyter", "kernels", Name), nil
	}
	data := os.Getenv("XDG_DATA_HOME")
	if data == "" {
		data = filepath.Join(home, ".local", "share")
	}
	return filepath.Join(data, "jupyter", "kernels", Name), nil
}

// PrefixDir is the kernelspec directory under an installation prefix, as
// `jupyter kernelspec install --prefix` uses it.
func PrefixDir(prefix string) (string, error) {
	if prefix == "" {
		return "", errors.New("kernelspec: empty prefix")
	}
	abs, err := filepath.Abs(prefix)
	if err != nil {
		return "", fmt.Errorf("kernelspec: %w", err)
	}
	return filepath.Join(abs, "share", "jupyter", "kernels", Name), nil
}

// SysPrefix stands in for Python's sys.prefix, which a Go program cannot
// ask: the active virtualenv ($VIRTUAL_ENV), else the active conda
// environment ($CONDA_PREFIX), else /usr/local, which Jupyter searches on
// every Unix system.
func SysPrefix() string {
	for _, v := range []string{"VIRTUAL_ENV", "CONDA_PREFIX"} {
		if p := os.Getenv(v); p != "" {
			return p
		}
	}
	return "/usr/local"
}
