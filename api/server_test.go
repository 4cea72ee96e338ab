package api_test

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/iamreach/iamreach/api"
)

func TestIsLoopback(t *testing.T) {
	tests := []struct {
		addr    string
		want    bool
		wantErr bool
	}{
		{"127.0.0.1:8080", true, false},
		{"127.0.0.2:8080", true, false},
		{"localhost:8080", true, false},
		{"[::1]:8080", true, false},
		{":8080", false, false},
		{"0.0.0.0:8080", false, false},
		{"[::]:8080", false, false},
		{"10.0.0.5:8080", false, false},
		{"myhost.example:8080", false, false},
		{"8080", false, true},
		{"127.0.0.1", false, true},
	}
	for _, tt := range tests {
		t.Run(tt.addr, func(t *testing.T) {
			got, err := api.IsLoopback(tt.addr)
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Fatalf("IsLoopback(%q) = %v, %v; want %v, error %v", tt.addr, got, err, tt.want, tt.wantErr)
			}
		})
	}
}

// TestServeAndShutdown runs the real http.Server on a free loopback port,
// queries it over TCP, and checks that cancelling ctx stops it cleanly
// after letting an in-flight request finish.
func TestServeAndShutdown(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	fs := newFakeStore()
	h := api.New(fs, api.Options{})
	started, release := make(chan struct{}), make(chan struct{})
	slow := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/slow" {
			close(started)
			<-release
			_, _ = w.Write([]byte("done"))
			return
		}
		h.ServeHTTP(w, r)
	})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- api.Serve(ctx, ln, slow, api.ServerOptions{}) }()

	base := "http://" + ln.Addr().String()
	resp, err := http.Get(base + "/api/v1/search?q=orders")
	if err != nil {
		t.Fatal(err)
	}
	var sr api.SearchResponse
	if err := json.NewDecoder(resp.Body).Decode(&sr); err != nil || resp.StatusCode != 200 || len(sr.Results) != 3 {
		t.Fatalf("search over TCP = %d %+v %v", resp.StatusCode, sr, err)
	}
	resp.Body.Close()

	inflight := make(chan error, 1)
	go func() {
		resp, err := http.Get(base + "/slow")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode != 200 {
				err = errors.New(resp.Status)
			}
		}
		inflight <- err
	}()
	<-started
	cancel()
	select {
	case err := <-done:
		t.Fatalf("Serve returned (%v) while a request was in flight", err)
	case <-time.After(50 * time.Millisecond):
	}
	close(release)
	if err := <-inflight; err != nil {
		t.Errorf("in-flight request cut off by shutdown: %v", err)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Serve returned %v after cancel, want nil", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Serve did not return after cancel")
	}
	if _, err := http.Get(base + "/api/v1/health"); err == nil {
		t.Error("server still answers after shutdown")
	}
}
