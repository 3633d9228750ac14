// Package symbols holds the yaegi symbol tables of the packages compiled into
// the kernel: cells call them at native speed. The tables are generated; run
// `go generate ./kernel/symbols` after changing their exported API.
package symbols

import "reflect"

//go:generate go tool yaegi extract -name symbols github.com/gospeed/gospeed/kernel/display github.com/gospeed/gospeed/kernel/widgets github.com/gospeed/gospeed/lessons golang.org/x/sync/errgroup golang.org/x/sync/semaphore

// Symbols maps "import/path/name" to the package's exported symbols, the shape
// yaegi's interp.Use takes.
var Symbols = map[string]map[string]reflect.Value{}
