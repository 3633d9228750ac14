package repl

import (
	"reflect"
	"unsafe"
)

// unwrap returns the value inside yaegi's wrapper of an interpreted value
// whose type has methods (interp.valueInterface{node, value reflect.Value}),
// which is what compiled code receives for it through an interface{}: the
// learner wants to see the value, not the wrapper.
func unwrap(v interface{}) interface{} {
	rv := reflect.ValueOf(v)
	if !rv.IsValid() || rv.Kind() != reflect.Struct {
		return v
	}
	t := rv.Type()
	if t.Name() != "valueInterface" || t.PkgPath() != "github.com/traefik/yaegi/interp" {
		return v
	}
	f, ok := t.FieldByName("value")
	if !ok || f.Type != reflect.TypeOf(reflect.Value{}) {
		return v
	}
	copied := reflect.New(t).Elem()
	copied.Set(rv)
	inner := *(*reflect.Value)(unsafe.Pointer(copied.FieldByIndex(f.Index).UnsafeAddr()))
	if !inner.IsValid() || !inner.CanInterface() {
		return v
	}
	return inner.Interface()
}
