// Package compiled runs compiled cells: a cell whose first line is a
// `%%go run` or `%%go test` magic is one Go file, built by the real Go
// toolchain in a temporary module and run as a child process group, at full
// speed and under the race detector when asked. It neither reads nor changes
// the interpreted session's variables. A cell may leave out its package
// clause (package main) and its imports.
//
//	%%go run [build flags] [-- program arguments]
//	%%go test [build flags] [test flags]
//
// Build flags are -race, -gcflags, -ldflags (default -w: no DWARF, for a
// shorter link) and -tags; test flags are -bench,
// -benchmem, -benchtime, -count, -cpu, -failfast, -run, -short, -shuffle,
// -skip, -timeout and -v. Missing imports are added as goimports adds them,
// from the standard library and from lessons, display, errgroup and
// semaphore. //line directives around the added lines keep the cell's line
// numbers, so compile errors, panics, failing tests and race reports name
// the cell's own lines, as cell.go:N.
//
// A failure is an *Error named for what happened: UsageError (the magic
// line), CompileError (the go command's messages, each with the cell line it
// names), DataRace (exit status 66, or a test failed by the race detector:
// each race's accesses with their lines, and a display of the report beside
// the cell's source, its lines highlighted), Panic, TestFailure, ExitError
// and KeyboardInterrupt. The program's stdout and stderr stream while it
// runs, at most Config.OutputRate bytes a second; the rest is dropped and
// counted in a note at the end. Its stdin is empty, its working directory
// the kernel's, and its process group is killed when it ends or is
// interrupted, so no child it starts outlives the cell.
//
// A compiled program shows rich output with display.Display, as a cell does:
// the runner passes it a pipe as file descriptor 3 and names it in
// $GOSPEED_DISPLAY_FD, and reads one JSON display message per line from it.
//
// # Environment contract
//
// The temporary module requires github.com/gospeed/gospeed (the module this
// package is part of) and replaces it with its source tree, so a cell can
// import lessons and kernel/display; every other module comes from the module
// cache, never from the network:
//
//   - GOSPEED_SRC names the gospeed module source (its go.mod and go.sum are
//     copied into the temporary module). When unset: /usr/local/share/gospeed/src
//     if it holds go.mod, else the module root this package was built from,
//     else the module root above the working directory.
//   - GOMODCACHE (the go command's default, $HOME/go/pkg/mod, when unset)
//     must hold every module in gospeed's go.sum that lessons, display and
//     golang.org/x/sync need: `go mod download` in GOSPEED_SRC fills it.
//   - GOCACHE is the go command's build cache; `gospeed warm` fills it for
//     std, lessons, display, errgroup and semaphore, with and without -race.
//     The user running the kernel must be able to write to it.
//   - The runner sets GOFLAGS=-mod=mod, GOPROXY=off, GOTOOLCHAIN=local,
//     GOWORK=off and GOSUMDB=off for the go command it starts, whatever the
//     environment says; everything else (PATH, HOME, CC, CGO_ENABLED) is
//     inherited. -race needs cgo, so a C compiler.
//   - The go command is `go` on PATH, else $GOROOT/bin/go, else
//     /usr/local/go/bin/go.
package compiled
