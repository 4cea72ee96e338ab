#!/usr/bin/env bash
# Start moto_server on a free 127.0.0.1 port. Prints "PID PORT" on stdout
# once the server answers. Usage: scripts/moto/start.sh VENV LOGFILE
set -euo pipefail
venv=${1:?venv}
log=${2:?logfile}
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
MOTO_IAM_LOAD_MANAGED_POLICIES=true "$venv/bin/moto_server" -H 127.0.0.1 -p "$port" >"$log" 2>&1 &
pid=$!
for _ in $(seq 1 150); do
	if python3 -c "import urllib.request,sys; urllib.request.urlopen(sys.argv[1], timeout=2)" "http://127.0.0.1:$port/moto-api/" 2>/dev/null; then
		echo "$pid $port"
		exit 0
	fi
	if ! kill -0 "$pid" 2>/dev/null; then
		echo "moto_server exited; see $log" >&2
		exit 1
	fi
	sleep 0.2
done
echo "moto_server did not answer on port $port within 30s; see $log" >&2
kill "$pid" 2>/dev/null || true
exit 1
