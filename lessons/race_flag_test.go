//go:build race

package lessons_test

// raceEnabled: this is a -race build, where timing ratios mean little.
const raceEnabled = true
