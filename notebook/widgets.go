package notebook

import "maps"

// WidgetStateMIME is the notebook metadata key under which Jupyter frontends
// save the state of a notebook's widgets, so that a static viewer (nbviewer,
// GitHub, a lab that has not run the notebook) can draw its controls and
// their last output.
const WidgetStateMIME = "application/vnd.jupyter.widget-state+json"

// widgetState follows the widget models the kernel opens and updates over
// comm messages (ipywidgets' protocol 2), as a frontend's widget manager does.
type widgetState struct {
	models map[string]map[string]any // comm id -> the model's state
}

// add follows one comm message; other messages change nothing.
func (w *widgetState) add(m Message) error {
	switch m.Type {
	case "comm_open", "comm_msg", "comm_close":
	default:
		return nil
	}
	var c struct {
		CommID     string `json:"comm_id"`
		TargetName string `json:"target_name"`
		Data       struct {
			Method string         `json:"method"`
			State  map[string]any `json:"state"`
		} `json:"data"`
	}
	if err := decode(m, &c); err != nil {
		return err
	}
	switch {
	case m.Type == "comm_open" && c.TargetName == "jupyter.widget":
		if w.models == nil {
			w.models = map[string]map[string]any{}
		}
		w.models[c.CommID] = maps.Clone(c.Data.State)
	case m.Type == "comm_msg" && (c.Data.Method == "update" || c.Data.Method == "echo_update"):
		if s, ok := w.models[c.CommID]; ok {
			maps.Copy(s, c.Data.State)
		}
	case m.Type == "comm_close":
		delete(w.models, c.CommID)
	}
	return nil
}

// save writes the state into nb's metadata as JupyterLab does, or removes a
// stale one when the notebook has no widgets now.
func (w *widgetState) save(nb *Notebook) {
	if len(w.models) == 0 {
		delete(nb.Metadata, "widgets")
		return
	}
	state := map[string]any{}
	for id, s := range w.models {
		state[id] = map[string]any{
			"model_name":           s["_model_name"],
			"model_module":         s["_model_module"],
			"model_module_version": s["_model_module_version"],
			"state":                s,
		}
	}
	if nb.Metadata == nil {
		nb.Metadata = map[string]any{}
	}
	nb.Metadata["widgets"] = map[string]any{
		WidgetStateMIME: map[string]any{"version_major": 2, "version_minor": 0, "state": state},
	}
}
