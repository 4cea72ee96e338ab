package policy_test

import (
	"syscall"
	"time"
)

// threadCPU is the CPU time used by the calling OS thread (RUSAGE_THREAD),
// which, unlike wall time, does not grow when other processes compete for
// the core.
func threadCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(1 /* RUSAGE_THREAD */, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
