package main

// measures lists every measure in the order of the table; this is
// the one place to add one.
func measures(o Options) []Measure {
	return []Measure{
		dockerRun{runs: o.Runs, warmup: o.Warmup},
		lifecycle{runs: o.Runs, warmup: o.Warmup},
		bigImage{runs: o.ImageRuns, warmup: o.Warmup},
		syscallLoop{runs: o.LoopRuns, warmup: 1},
		trapRoundTrip{runs: o.LoopRuns, warmup: 1},
		procEmulation{runs: o.LoopRuns, warmup: 1},
		sharedDirIO{runs: o.LoopRuns, warmup: 1},
		supervisorRSS{containers: 5},
		concurrentStart{n: o.Concurrent},
	}
}
