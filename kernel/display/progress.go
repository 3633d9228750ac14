package display

import (
	"fmt"
	"html"
	"sync"
	"time"
)

// progressEvery is the shortest time between two updates of a progress display.
const progressEvery = 100 * time.Millisecond

// NewProgress returns the func a cell calls to report progress: the first call
// shows a display with the given id, the next ones update it, at most ten
// times a second; the final call (done >= total) is always shown.
// show is the kernel's display sink (update=false for the first display).
func NewProgress(label, id string, show func(d Data, update bool), now func() time.Time) func(done, total int) {
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
		d.Transient = MIMEMap{"display_id": id}
		show(d, shown)
		shown, last = true, t
	}
}

func progressData(label string, done, total int) Data {
	text := fmt.Sprintf("%s: %d", label, done)
	bar := `<progress></progress>`
	if total > 0 {
		pct := 100 * float64(done) / float64(total)
		text = fmt.Sprintf("%s: %d/%d (%.0f%%)", label, done, total, pct)
		bar = fmt.Sprintf(`<progress value="%d" max="%d"></progress>`, done, total)
	}
	return Data{Data: MIMEMap{
		MIMETypeText: text,
		MIMETypeHTML: fmt.Sprintf(`<div>%s <span style="font-family:monospace">%s</span></div>`, bar, html.EscapeString(text)),
	}}
}
