//go:build race

package repl

// raceEnabled: see skipUnderRace.
const raceEnabled = true
