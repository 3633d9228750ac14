package widgets_test

import (
	"encoding/json"
	"fmt"
	"sort"

	"github.com/gospeed/gospeed/kernel/widgets"
)

// printComms is a Host that prints the comm messages a frontend would get,
// shortened to what the examples show.
func printComms() widgets.Host {
	return widgets.Host{Send: func(msgType string, content map[string]any, _ [][]byte) {
		data, _ := content["data"].(map[string]any)
		state, _ := data["state"].(map[string]any)
		switch {
		case msgType == "comm_open":
			fmt.Printf("comm_open %s value=%v\n", state["_model_name"], state["value"])
		case data["method"] == "update" && state["outputs"] != nil:
			b, _ := json.Marshal(state["outputs"])
			fmt.Printf("Output shows %s\n", b)
		default:
			keys := make([]string, 0, len(state))
			for k := range state {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				fmt.Printf("%s %s=%v\n", data["method"], k, state[k])
			}
		}
	}}
}

// update is the comm message a frontend sends when the learner moves w.
func update(w widgets.Widget, value any) map[string]any {
	return map[string]any{"comm_id": w.ModelID(), "data": map[string]any{
		"method": "update", "state": map[string]any{"value": value}, "buffer_paths": []any{},
	}}
}

// A slider's value follows the frontend; what the frontend sends is echoed.
// In a cell: workers := widgets.IntSlider("workers", 8, 1, 64).
func ExampleManager_IntSlider() {
	m := widgets.NewManager(printComms())
	defer m.Close()
	workers := m.IntSlider("workers", 8, 1, 64)
	m.HandleComm("comm_msg", update(workers, 16.0), nil)
	fmt.Println(workers.Value())
	// Output:
	// comm_open IntSliderModel value=8
	// echo_update value=16
	// 16
}

// Interact runs the function once with the controls' values, and again
// into the same Output on every change. In a cell:
//
//	widgets.Interact(func(n int) string { ... }, widgets.IntSlider("n", 2, 1, 10))
func ExampleManager_Interact() {
	m := widgets.NewManager(widgets.Host{})
	defer m.Close()
	n := m.IntSlider("n", 2, 1, 10)
	reran := make(chan bool)
	runs := 0
	err := m.Interact(func(n int) string {
		runs++
		fmt.Printf("run %d: n=%d\n", runs, n)
		if runs > 1 {
			reran <- true
		}
		return fmt.Sprintf("%d squared is %d", n, n*n)
	}, n)
	if err != nil {
		fmt.Println(err)
	}
	m.HandleComm("comm_msg", update(n, 3.0), nil)
	<-reran // the re-run, on the widget goroutine
	// Output:
	// run 1: n=2
	// run 2: n=3
}

// A struct's fields become controls, tuned by their widget tags.
func ExampleManager_Interact_struct() {
	m := widgets.NewManager(widgets.Host{})
	defer m.Close()
	type run struct {
		Workers int    `widget:"min=1,max=64"`
		Version string `widget:"options=pooled|goroutines,buttons"`
	}
	err := m.Interact(func(r run) { fmt.Println(r.Version, "with", r.Workers) }, run{Workers: 8})
	fmt.Println(err)
	err = m.Interact(func(r run) {}, run{Version: "threads"})
	fmt.Println(err)
	// Output:
	// pooled with 8
	// <nil>
	// widgets.Interact: parameter 1: field Version: "threads" is not one of the options ["pooled" "goroutines"]
}

// Linked widgets keep one value: a Play button steps a slider.
func ExampleManager_Link() {
	m := widgets.NewManager(widgets.Host{})
	defer m.Close()
	play := m.Play("step", 1, 1, 32, 500)
	workers := m.IntSlider("workers", 8, 1, 32)
	if err := m.Link(play, workers); err != nil {
		fmt.Println(err)
	}
	fmt.Println(workers.Value())
	m.HandleComm("comm_msg", update(play, 4.0), nil)
	fmt.Println(workers.Value())
	fmt.Println(m.Link(play, m.Checkbox("on", true)))
	// Output:
	// 1
	// 4
	// widgets.Link: only widgets of one value type link: *widgets.Int and *widgets.Bool
}

// OnChange runs on the widget goroutine after each change.
func ExampleInt_OnChange() {
	m := widgets.NewManager(widgets.Host{})
	defer m.Close()
	s := m.IntSlider("x", 0, 0, 10)
	changed := make(chan int)
	s.OnChange(func(v int) { changed <- v })
	s.Set(7)
	fmt.Println(<-changed)
	// Output:
	// 7
}

// A Dropdown's value is its selected option; the frontend sends the index.
func ExampleManager_Dropdown() {
	m := widgets.NewManager(widgets.Host{})
	defer m.Close()
	v := m.Dropdown("version", []string{"sequential", "pooled", "goroutines"}, "pooled")
	fmt.Println(v.Value(), v.Index())
	m.HandleComm("comm_msg", map[string]any{"comm_id": v.ModelID(), "data": map[string]any{
		"method": "update", "state": map[string]any{"index": 2.0},
	}}, nil)
	fmt.Println(v.Value())
	fmt.Println(v.Set("threads"))
	// Output:
	// pooled 1
	// goroutines
	// widgets: "threads" is not one of the options ["sequential" "pooled" "goroutines"]
}

// Output.Capture shows what a function prints in place of what was there.
func ExampleOutputArea_Capture() {
	m := widgets.NewManager(printComms())
	defer m.Close()
	out := m.Output()
	out.Capture(func() {}) // a Host without a session captures nothing
	// Output:
	// comm_open OutputModel value=<nil>
	// Output shows []
}
