package lessons

import (
	"fmt"
	"math"
	"slices"
)

// repeat runs once runs times and sums them up as one Result: the median
// time, the spread, and the rest from the run nearest the median. Progress
// counts on across the runs, so a progress bar fills once.
func repeat(runs int, progress ProgressFunc, once func(ProgressFunc) (Result, error)) (Result, error) {
	all := make([]Result, 0, runs)
	for i := range runs {
		var p ProgressFunc
		if progress != nil {
			p = func(done, total int) { progress(i*total+done, runs*total) }
		}
		res, err := once(p)
		if err != nil {
			if runs > 1 {
				err = fmt.Errorf("run %d of %d: %w", i+1, runs, err)
			}
			return Result{}, err
		}
		all = append(all, res)
	}
	if runs == 1 {
		return all[0], nil
	}
	seconds := make([]float64, len(all))
	for i, r := range all {
		seconds[i] = r.Seconds
	}
	med := median(seconds)
	nearest := all[0]
	for _, r := range all[1:] {
		if math.Abs(r.Seconds-med) < math.Abs(nearest.Seconds-med) {
			nearest = r
		}
	}
	nearest.Seconds, nearest.Runs = med, runs
	nearest.Min, nearest.Max = slices.Min(seconds), slices.Max(seconds)
	return nearest, nil
}

// median is the middle value, or the mean of the two middle ones.
func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	n := len(s)
	if n == 0 {
		return 0
	}
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// spread is the fastest and slowest run, in seconds; for a single run,
// its time twice.
func (r Result) spread() (lo, hi float64) {
	if r.Runs <= 1 {
		return r.Seconds, r.Seconds
	}
	return r.Min, r.Max
}

// A Speedup compares two results: how many times as fast one ran as the
// other. On a busy machine one run proves little, so it keeps the range
// the ratio can take given both results' spreads (Result.Min to
// Result.Max): a claim holds only if it holds over the whole range.
type Speedup struct {
	Fast, Slow string  // the two versions, as the results name them
	Times      float64 // median over median
	Least      float64 // the slow one's fastest run over the fast one's slowest
	Most       float64 // the slow one's slowest run over the fast one's fastest
}

// SpeedupOf is how many times as fast fast ran as slow.
func SpeedupOf(fast, slow Result) Speedup {
	flo, fhi := fast.spread()
	slo, shi := slow.spread()
	return Speedup{
		Fast: describe(fast), Slow: describe(slow),
		Times: ratio(slow.Seconds, fast.Seconds),
		Least: ratio(slo, fhi),
		Most:  ratio(shi, flo),
	}
}

func ratio(a, b float64) float64 {
	if b <= 0 {
		return math.Inf(1)
	}
	return a / b
}

// describe names a result in a sentence: "pooled (8 workers)".
func describe(r Result) string {
	if r.Version == "sequential" {
		return r.Version
	}
	return r.Version + " (" + workersLabel(r) + ")"
}

// AtLeast reports whether the speedup is at least x even at the least it
// can be.
func (s Speedup) AtLeast(x float64) bool { return s.Least >= x }

// AtMost reports whether the speedup is at most x even at the most it can
// be.
func (s Speedup) AtMost(x float64) bool { return s.Most <= x }

// Within reports whether x lies within the speedup's range: the runs
// cannot tell the speedup from x.
func (s Speedup) Within(x float64) bool { return s.Least <= x && x <= s.Most }

// String reads like "pooled (8 workers) ran 7.6x as fast as sequential
// (7.1x to 8.0x over the runs' spread)".
func (s Speedup) String() string {
	str := fmt.Sprintf("%s ran %.2fx as fast as %s", s.Fast, s.Times, s.Slow)
	if s.Least != s.Most {
		str += fmt.Sprintf(" (%.2fx to %.2fx over the runs' spread)", s.Least, s.Most)
	}
	return str
}

// Verdict is a line that says whether a claim held: "✓ holds: CLAIM" or
// "✗ DOES NOT HOLD: CLAIM". A notebook prints it under the claim it
// tests, computed from the numbers above it, so a re-run on another
// machine says for itself whether the text is still true.
func Verdict(claim string, holds bool) string {
	if holds {
		return "✓ holds: " + claim
	}
	return "✗ DOES NOT HOLD: " + claim
}
