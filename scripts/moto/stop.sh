#!/usr/bin/env bash
# Stop the moto_server started by start.sh (by its PID) and wait until it is gone.
pid=${1:?pid}
kill "$pid" 2>/dev/null || exit 0
for _ in $(seq 1 50); do
	kill -0 "$pid" 2>/dev/null || exit 0
	sleep 0.1
done
kill -9 "$pid" 2>/dev/null || true
