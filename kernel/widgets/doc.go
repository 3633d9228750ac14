// Package widgets gives a cell Jupyter's standard widgets (ipywidgets 8,
// widget message protocol 2.1.0): sliders, dropdowns, buttons, an Output
// area redrawn in place, and Interact, which re-runs a function into one
// Output whenever its controls change.
//
// In a cell, the constructors are package functions bound to the cell's
// kernel session (the cell writes widgets.IntSlider(...), which is
// Manager.IntSlider here):
//
//	workers := widgets.IntSlider("workers", 8, 1, 64)
//	err := widgets.Interact(func(n int) (lessons.Result, error) {
//		return lessons.RunIO(display.Context(), lessons.IOOptions{Version: "pooled", Workers: n})
//	}, workers)
//
// A widget is shown by being a cell's value, or by Display(display.Render(w)).
//
// How callbacks run: a value the frontend sends is applied at once, even
// while a cell runs, and echoed back (echo_update). Callbacks (OnChange,
// OnClick, Interact's re-runs) run one at a time on the session's widget
// goroutine, never two at once. While one runs, further changes are
// coalesced: each callback runs once more, with the latest values, when the
// running one returns, so a learner dragging a slider during a slow
// experiment gets exactly one more run, with the last value. An interrupt
// cancels the running callback's context (display.Context() in it) and
// drops the runs still waiting.
//
// What a callback prints and displays goes to the cell's output, unless it
// runs in Output.Capture or Interact, which put it into an Output widget.
// Output from goroutines a callback starts is not captured.
//
// The models are ipywidgets 8's (@jupyter-widgets/controls 2.0.0, base
// 2.0.0, output 1.0.0): JupyterLab 4 with jupyterlab_widgets 8 and Voila
// render them. VS Code loads ipywidgets 7 for kernels other than Python's,
// so there they may fail to render.
//
// Manager, Host and NewManager are the kernel's side: a cell never sees them.
package widgets
