package display

import (
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"sync"
)

// displayFDEnv names the file descriptor a compiled cell's program writes
// its display messages to (see package kernel/compiled).
const displayFDEnv = "GOSPEED_DISPLAY_FD"

// Display shows d at once, below the running cell. In an interpreted cell
// the kernel binds it; in a compiled cell (%%go run, %%go test) it sends d
// to the kernel; in a program run outside the kernel it prints d's text/plain.
func Display(d Data) error {
	f := displayPipe()
	if f == nil {
		text, ok := d.Data[MIMETypeText].(string)
		if !ok {
			text = fallbackText(d)
		}
		_, err := fmt.Println(text)
		return err
	}
	line, err := json.Marshal(struct {
		Data      MIMEMap `json:"data"`
		Metadata  MIMEMap `json:"metadata,omitempty"`
		Transient MIMEMap `json:"transient,omitempty"`
	}{d.Data, d.Metadata, d.Transient})
	if err != nil {
		return fmt.Errorf("display: %w", err)
	}
	// One Write per message: *os.File serializes concurrent writes.
	if _, err := f.Write(append(line, '\n')); err != nil {
		return fmt.Errorf("display: %w", err)
	}
	return nil
}

// displayPipe is the kernel's display pipe of a compiled cell, or nil.
var displayPipe = sync.OnceValue(func() *os.File {
	fd, err := strconv.Atoi(os.Getenv(displayFDEnv))
	if err != nil || fd < 3 {
		return nil
	}
	return os.NewFile(uintptr(fd), "gospeed-display")
})
