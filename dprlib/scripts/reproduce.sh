#!/usr/bin/env bash
# Reproduces the kit's results: sets up the Go toolchain and modules (no Jupyter), then runs
# `go run ./dprlib/cmd/dpr reproduce` with this script's arguments. With no arguments the tool
# uses its own defaults: the quick profile, the main SFT/DPR figures, the theory checks and every
# ablation (dpr experiments), written to figures/ with the results page figures/README.md.
#
#   bash dprlib/scripts/reproduce.sh
#   bash dprlib/scripts/reproduce.sh --profile quick --out figures
#   bash dprlib/scripts/reproduce.sh --experiments=false   # the main figures and theory only

set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$repo_root"

# shellcheck source=dprlib/scripts/setup.sh
source dprlib/scripts/setup.sh --go-only

exec go run ./dprlib/cmd/dpr reproduce "$@"
