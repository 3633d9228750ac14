// Package compiled runs compiled cells: a cell whose first line is a
// `%%go run` or `%%go test` magic is one Go file, built by the real Go
// toolchain in a temporary module and run as a child process group, at full
// speed and under the race detector when asked. It neither reads nor changes
// the interpreted session's variables.
//
//	%%go run [build flags] [-- program arguments]
//	%%go test [build flags] [test flags]
//
// Build flags are -race, -gcflags, -ldflags and -tags; test flags are -bench,
// -benchmem, -benchtime, -count, -cpu, -failfast, -run, -short, -shuffle,
// -skip, -timeout and -v. A run cell may leave out `package main` and its
// imports: the missing imports are added as goimports adds them, from the
// standard library and from lessons, display, errgroup and semaphore. The
// added lines carry //line directives, so compile errors, panics, failing
// tests and race reports name the cell's own lines, as cell.go:N.
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
