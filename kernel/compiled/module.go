package compiled

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"

	"golang.org/x/mod/modfile"
)

// modulePath is the module whose packages a cell may import.
const modulePath = "github.com/gospeed/gospeed"

// imageSource is where the image keeps the gospeed module source.
const imageSource = "/usr/local/share/gospeed/src"

// findSource returns the gospeed module source directory (see the package
// doc for the order in which it looks).
func findSource(configured string) (string, error) {
	candidates := []string{configured, os.Getenv("GOSPEED_SRC"), imageSource}
	if _, file, _, ok := runtime.Caller(0); ok && filepath.IsAbs(file) {
		candidates = append(candidates, filepath.Join(filepath.Dir(file), "..", ".."))
	}
	if wd, err := os.Getwd(); err == nil {
		for dir := wd; ; dir = filepath.Dir(dir) {
			if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
				candidates = append(candidates, dir)
				break
			}
			if filepath.Dir(dir) == dir {
				break
			}
		}
	}
	for i, dir := range candidates {
		if dir == "" {
			continue
		}
		if isGospeed(dir) {
			return filepath.Abs(dir)
		}
		if i < 2 { // a source named by the caller or $GOSPEED_SRC must be right
			return "", fmt.Errorf("gospeed source %s: no go.mod of module %s there", dir, modulePath)
		}
	}
	return "", fmt.Errorf("gospeed source not found: set GOSPEED_SRC to the directory of module %s", modulePath)
}

func isGospeed(dir string) bool {
	data, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	return err == nil && modfile.ModulePath(data) == modulePath
}

// writeModule writes the temporary module's go.mod and go.sum into dir:
// gospeed, replaced by its source, and gospeed's own requirements, so that
// the build list is gospeed's and every module in it is in go.sum.
func writeModule(dir, src string) error {
	data, err := os.ReadFile(filepath.Join(src, "go.mod"))
	if err != nil {
		return fmt.Errorf("reading gospeed's go.mod: %w", err)
	}
	f, err := modfile.ParseLax("go.mod", data, nil)
	if err != nil {
		return fmt.Errorf("parsing gospeed's go.mod: %w", err)
	}
	var b strings.Builder
	b.WriteString("module cell\n\n")
	if f.Go != nil {
		fmt.Fprintf(&b, "go %s\n\n", f.Go.Version)
	}
	fmt.Fprintf(&b, "require %s v0.0.0\n\nreplace %s => %s\n\nrequire (\n", modulePath, modulePath, modfile.AutoQuote(src))
	for _, r := range f.Require {
		fmt.Fprintf(&b, "\t%s %s\n", r.Mod.Path, r.Mod.Version)
	}
	b.WriteString(")\n")
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte(b.String()), 0o644); err != nil {
		return fmt.Errorf("writing the cell's go.mod: %w", err)
	}
	sum, err := os.ReadFile(filepath.Join(src, "go.sum"))
	if err != nil {
		return fmt.Errorf("reading gospeed's go.sum: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "go.sum"), sum, 0o644); err != nil {
		return fmt.Errorf("writing the cell's go.sum: %w", err)
	}
	return nil
}

// findGo returns the go command: `go` on PATH, else $GOROOT/bin/go, else
// the one of a standard installation.
func findGo() (string, error) {
	if path, err := exec.LookPath("go"); err == nil {
		return path, nil
	}
	for _, path := range []string{filepath.Join(os.Getenv("GOROOT"), "bin", "go"), "/usr/local/go/bin/go"} {
		if filepath.IsAbs(path) && fileExists(path) {
			return path, nil
		}
	}
	return "", errors.New("no go command: a compiled cell needs the Go toolchain on PATH")
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// goEnv is the environment of the go command: the kernel's, with the module
// settings that keep a build offline and on this toolchain.
func goEnv() []string {
	forced := map[string]string{
		"GOFLAGS":     "-mod=mod",
		"GOPROXY":     "off",
		"GOTOOLCHAIN": "local",
		"GOWORK":      "off",
		"GOSUMDB":     "off",
	}
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if _, ok := forced[name]; !ok {
			env = append(env, kv)
		}
	}
	for name, value := range forced {
		env = append(env, name+"="+value)
	}
	return env
}
