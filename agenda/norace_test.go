//go:build !race

package agenda

// raceEnabled reports whether the tests run under the race detector, which
// slows the search too much for timing assertions.
const raceEnabled = false
