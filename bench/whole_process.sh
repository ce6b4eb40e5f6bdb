#!/usr/bin/env bash
# Whole-process timings of the casus binary: start-up plus one analysis, and a batch of
# documents in one process. Prints a Markdown table for BENCHMARKS.md.
#   bench/whole_process.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-20}
cargo build --release -q -p casus-cli
casus=target/release/casus
seed=corpus/dev/seed-septic-shock.txt

# Median wall time in milliseconds of a command run $runs times.
median_ms() {
    local times=()
    for _ in $(seq "$runs"); do
        local start end
        start=$(date +%s%N)
        "$@" > /dev/null
        end=$(date +%s%N)
        times+=($(( (end - start) / 1000 )))
    done
    printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {printf "%.1f", a[int((NR+1)/2)]/1000}'
}

# Peak resident memory in MiB (GNU time, or /proc when it is missing).
peak_mib() {
    if [ -x /usr/bin/time ]; then
        /usr/bin/time -f '%M' "$@" 2>&1 > /dev/null | tail -1 | awk '{printf "%.1f", $1/1024}'
    else
        echo "n/a"
    fi
}

dev_bytes=$(cat corpus/dev/*.txt | wc -c)
dev_docs=$(ls corpus/dev/*.txt | wc -l)
echo "| what | median wall time | peak RSS |"
echo "|---|---|---|"
echo "| \`casus analyze\` seed, text | $(median_ms $casus analyze $seed) ms | $(peak_mib $casus analyze $seed) MiB |"
echo "| \`casus analyze\` seed, json | $(median_ms $casus analyze $seed --format json) ms | $(peak_mib $casus analyze $seed --format json) MiB |"
echo "| \`casus eval --gold corpus/dev\` ($dev_docs documents, $dev_bytes bytes, one process) | $(median_ms $casus eval --gold corpus/dev) ms | $(peak_mib $casus eval --gold corpus/dev) MiB |"
