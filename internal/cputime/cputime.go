// Package cputime measures CPU time for benchmarks: on a shared machine the
// wall clock also counts the time other processes hold the cores, so query
// benchmarks report each question's thread CPU time beside its wall time.
package cputime

import (
	"runtime"
	"time"
)

// Each runs q once per id on one locked OS thread and returns each run's
// wall-clock and thread-CPU durations, stopping at the first error.
func Each(ids []string, q func(string) error) (wall, cpu []time.Duration, err error) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	for _, id := range ids {
		c0 := Thread()
		t := time.Now()
		if err := q(id); err != nil {
			return wall, cpu, err
		}
		wall = append(wall, time.Since(t))
		cpu = append(cpu, Thread()-c0)
	}
	return wall, cpu, nil
}
