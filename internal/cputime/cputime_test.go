package cputime_test

import (
	"errors"
	"testing"

	"github.com/iamreach/iamreach/internal/cputime"
)

func TestEachMeasuresWork(t *testing.T) {
	spin := func(string) error {
		x := 0
		for i := 0; i < 20_000_000; i++ {
			x += i % 7
		}
		if x < 0 {
			return errors.New("overflow")
		}
		return nil
	}
	wall, cpu, err := cputime.Each([]string{"a", "b"}, spin)
	if err != nil || len(wall) != 2 || len(cpu) != 2 {
		t.Fatalf("Each: %v %v %v", wall, cpu, err)
	}
	if cpu[0] <= 0 || cputime.Process() <= 0 {
		t.Errorf("no CPU time measured for a busy loop: %v, process %v", cpu, cputime.Process())
	}
	if _, _, err := cputime.Each([]string{"x"}, func(string) error { return errors.New("boom") }); err == nil {
		t.Error("error of the question lost")
	}
}
