#!/usr/bin/env bash
# Reproduces the kit's results: sets up the Go toolchain and modules (no Jupyter), then runs
# `go run ./dprlib/cmd/dpr reproduce` with this script's arguments. With no arguments the tool
# uses its own defaults (the quick profile, figures written to figures/).
#
#   bash dprlib/scripts/reproduce.sh
#   bash dprlib/scripts/reproduce.sh --profile quick --out figures

set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$repo_root"

# shellcheck source=dprlib/scripts/setup.sh
source dprlib/scripts/setup.sh --go-only

exec go run ./dprlib/cmd/dpr reproduce "$@"
