//go:build !linux

package cputime

import "time"

// Thread is not measured on this system: 0.
func Thread() time.Duration { return 0 }

// Process is not measured on this system: 0.
func Process() time.Duration { return 0 }
