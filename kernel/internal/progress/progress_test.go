package progress

import (
	"testing"
	"time"

	"github.com/gospeed/gospeed/kernel/display"
)

func TestProgressThrottlesAndAlwaysShowsTheEnd(t *testing.T) {
	now := time.Unix(0, 0)
	clock := func() time.Time { return now }
	var shown []display.Data
	var updates []bool
	p := New("work", "id-1", func(d display.Data, update bool) { shown, updates = append(shown, d), append(updates, update) }, clock)
	for i := 1; i <= 100; i++ {
		p(i, 100)
		now = now.Add(time.Millisecond) // 100 calls in 100 ms
	}
	if len(shown) < 2 || len(shown) > 3 {
		t.Fatalf("%d displays for 100 calls in 100 ms, want the first, maybe one more, and the last", len(shown))
	}
	if updates[0] || !updates[len(updates)-1] {
		t.Errorf("updates = %v: the first display is new, the rest update it", updates)
	}
	for _, d := range shown {
		if d.Transient["display_id"] != "id-1" {
			t.Errorf("display id = %v", d.Transient["display_id"])
		}
	}
	if last := shown[len(shown)-1].Data[display.MIMETypeText]; last != "work: 100/100 (100%)" {
		t.Errorf("last = %v", last)
	}
}
