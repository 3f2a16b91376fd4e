#!/usr/bin/env bash
# The working-time arithmetic of an SLA sweep, without the database: due times and clock states
# of N open cases (default 1,000,000). Prints a table; see docs/benchmarks.md.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo run --quiet --release -p peyvand-domain --example sla_bench -- "${1:-1000000}"
