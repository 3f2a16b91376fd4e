#!/usr/bin/env bash
# Measures reading and writing spreadsheets and the duplicate scan on generated contacts.
# Usage: bench/tabular.sh [ROWS]   (default 1,000,000). Prints a table; see docs/benchmarks.md.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo run --quiet --release -p peyvand-tabular --example tabular_bench -- --rows "${1:-1000000}"
