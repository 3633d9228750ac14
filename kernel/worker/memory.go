package worker

import (
	"bufio"
	"os"
	"strconv"
	"strings"
)

// DefaultMemoryLimit is half the memory of the machine, or of the container
// when its cgroup allows less: the rest stays for the kernel, Jupyter, the
// browser and compiled cells.
func DefaultMemoryLimit() int64 {
	total := memTotal()
	for _, path := range []string{"/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"} {
		if b, err := os.ReadFile(path); err == nil {
			if n, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64); err == nil && n > 0 && n < total {
				total = n
			}
		}
	}
	return total / 2
}

// memTotal is MemTotal from /proc/meminfo, or 4 GiB when it cannot be read.
func memTotal() int64 {
	const fallback = 4 << 30
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		return fallback
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if rest, ok := strings.CutPrefix(s.Text(), "MemTotal:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			if err == nil {
				return kb << 10
			}
		}
	}
	return fallback
}
