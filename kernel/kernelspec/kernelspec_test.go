package kernelspec

import (
	"bytes"
	"encoding/json"
	"image/png"
	"os"
	"path/filepath"
	"testing"
)

func TestInstall(t *testing.T) {
	dir, err := PrefixDir(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if err := Install(dir, New("/opt/bin/gospeed")); err != nil {
		t.Fatal(err)
	}
	var spec Spec
	b, err := os.ReadFile(filepath.Join(dir, "kernel.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &spec); err != nil {
		t.Fatal(err)
	}
	if len(spec.Argv) != 3 || spec.Argv[0] != "/opt/bin/gospeed" || spec.Argv[2] != "{connection_file}" ||
		spec.Language != "go" || spec.DisplayName != "Go (gospeed)" || spec.InterruptMode != "message" {
		t.Errorf("kernel.json %s", b)
	}
	for _, size := range []int{32, 64} {
		f, err := os.ReadFile(filepath.Join(dir, "logo-"+itoa(size)+"x"+itoa(size)+".png"))
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(bytes.NewReader(f))
		if err != nil {
			t.Fatal(err)
		}
		if img.Bounds().Dx() != size || img.Bounds().Dy() != size {
			t.Errorf("logo %d is %v", size, img.Bounds())
		}
		// Both colours of the logo are there: Go blue and white letters.
		_, _, blue, _ := img.At(size/10, size/2).RGBA()
		r, g, _, _ := img.At(size*23/64, size*19/64).RGBA()
		if blue>>8 < 0xc0 || r>>8 < 0xc0 || g>>8 < 0xc0 {
			t.Errorf("logo %d: unexpected colours", size)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "logo-svg.svg")); err != nil {
		t.Error(err)
	}
}

func TestDirs(t *testing.T) {
	t.Setenv("JUPYTER_DATA_DIR", "/data/jupyter")
	if d, _ := UserDir(); d != "/data/jupyter/kernels/gospeed" {
		t.Errorf("UserDir with JUPYTER_DATA_DIR = %s", d)
	}
	t.Setenv("VIRTUAL_ENV", "")
	t.Setenv("CONDA_PREFIX", "/conda/env")
	if p := SysPrefix(); p != "/conda/env" {
		t.Errorf("SysPrefix = %s", p)
	}
	t.Setenv("VIRTUAL_ENV", "/venv")
	if p := SysPrefix(); p != "/venv" {
		t.Errorf("SysPrefix = %s", p)
	}
	if _, err := PrefixDir(""); err == nil {
		t.Error("empty prefix accepted")
	}
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }
