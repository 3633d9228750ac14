// Package progress is the live progress display behind a cell's
// display.Progress.
package progress

import (
	"fmt"
	"html"
	"sync"
	"time"

	"github.com/gospeed/gospeed/kernel/display"
)

// progressEvery is the shortest time between two updates of a progress display.
const progressEvery = 100 * time.Millisecond

// New returns the func a cell's display.Progress(label) gives: the first
// call shows a display with the given id, the next ones update it, at most
// ten times a second; the final call (done >= total) is always shown. show
// is the session's display sink (update=false for the first display).
func New(label, id string, show func(d display.Data, update bool), now func() time.Time) func(done, total int) {
	var mu sync.Mutex
	shown := false
	var last time.Time
	return func(done, total int) {
		mu.Lock()
		defer mu.Unlock()
		t := now()
		final := total > 0 && done >= total
		if shown && !final && t.Sub(last) < progressEvery {
			return
		}
		d := progressData(label, done, total)
		d.Transient = display.MIMEMap{"display_id": id}
		show(d, shown)
		shown, last = true, t
	}
}

func progressData(label string, done, total int) display.Data {
	text := fmt.Sprintf("%s: %d", label, done)
	bar := `<progress></progress>`
	if total > 0 {
		pct := 100 * float64(done) / float64(total)
		text = fmt.Sprintf("%s: %d/%d (%.0f%%)", label, done, total, pct)
		bar = fmt.Sprintf(`<progress value="%d" max="%d"></progress>`, done, total)
	}
	return display.Data{Data: display.MIMEMap{
		display.MIMETypeText: text,
		display.MIMETypeHTML: fmt.Sprintf(`<div>%s <span style="font-family:monospace">%s</span></div>`, bar, html.EscapeString(text)),
	}}
}
