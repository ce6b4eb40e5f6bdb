#!/usr/bin/env bash
# Load benchmark of the HTTP API and batch scaling. Prints Markdown rows for BENCHMARKS.md.
#   bench/load.sh [SECONDS] [CONNECTIONS]
# 1. `casus serve`, then wrk POSTs the seed to /v1/analyze (text/plain) for SECONDS (default 10)
#    over CONNECTIONS connections (default 16) with 2 wrk threads: requests/s and latency
#    percentiles (wrk --latency). wrk runs on the same machine and takes CPU from the server.
# 2. `casus batch` over the 46 corpus documents repeated 50 times (2,300 documents, JSONL),
#    with --jobs 1 and --jobs N (N = cores): documents/s, and the scaling
#    jobs-N / (N x jobs-1) (target >= 90 %).
# Needs wrk (Debian: apt-get install wrk).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-10}
connections=${2:-16}
command -v wrk > /dev/null || { echo "bench/load.sh: wrk is not installed (apt-get install wrk)" >&2; exit 1; }
cargo build --release -q -p casus-cli
casus=$PWD/target/release/casus
work=$(mktemp -d)
server=
cleanup() {
    if [ -n "$server" ]; then kill -TERM "$server" 2> /dev/null || true; wait "$server" 2> /dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

# --- 1. HTTP load
"$casus" serve --addr 127.0.0.1:0 2> "$work/serve.log" &
server=$!
for _ in $(seq 100); do
    grep -q 'serving on' "$work/serve.log" 2> /dev/null && break
    sleep 0.05
done
addr=$(grep -o 'http://[0-9.:]*' "$work/serve.log" | head -1)
cat > "$work/post.lua" << EOF
local f = io.open("$PWD/corpus/dev/seed-septic-shock.txt", "rb")
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "text/plain"
EOF
wrk -t2 -c"$connections" -d"${seconds}s" --latency -s "$work/post.lua" "$addr/v1/analyze" > "$work/wrk.txt"
rps=$(awk '/^Requests\/sec:/ {print $2}' "$work/wrk.txt")
p50=$(awk '$1 == "50%" {print $2}' "$work/wrk.txt")
p99=$(awk '$1 == "99%" {print $2}' "$work/wrk.txt")
errors=$(grep -E 'Non-2xx|Socket errors' "$work/wrk.txt" || true)
analysed=$(curl -s "$addr/metrics" 2> /dev/null | awk '/^casus_documents_analysed_total/ {print $2}' || true)
kill -TERM "$server"; wait "$server" || true; server=

echo "| POST /v1/analyze, seed (2.7 KB), ${connections} connections, ${seconds} s | ${rps} req/s | p50 ${p50} | p99 ${p99} |"
[ -n "$errors" ] && echo "wrk: $errors" >&2
[ -n "$analysed" ] && echo "server counted ${analysed} documents analysed" >&2

# --- 2. batch scaling
jsonl=$work/docs.jsonl
python3 - "$jsonl" << 'EOF'
import json, pathlib, sys
paths = sorted(pathlib.Path("corpus/dev").glob("*.txt")) + sorted(pathlib.Path("corpus/test").glob("*.txt"))
with open(sys.argv[1], "w", encoding="utf-8") as out:
    for copy in range(50):
        for path in paths:
            out.write(json.dumps({"id": f"{path.stem}-{copy}", "text": path.read_text(encoding="utf-8")}) + "\n")
EOF
cores=$(nproc)
rate() {
    rm -f "$work/out.jsonl"
    "$casus" batch "$jsonl" --out "$work/out.jsonl" --jobs "$1" 2>&1 | grep -o '[0-9]* documents/s' | awk '{print $1}'
}
one=$(rate 1)
many=$(rate "$cores")
scaling=$(awk -v a="$one" -v b="$many" -v n="$cores" 'BEGIN {printf "%.0f", 100 * b / (n * a)}')
echo "| casus batch, 2,300 documents, --jobs 1 | ${one} documents/s |"
echo "| casus batch, 2,300 documents, --jobs ${cores} | ${many} documents/s | scaling ${scaling} % of ${cores} x jobs-1 |"
