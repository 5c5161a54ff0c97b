#!/usr/bin/env bash
# Builds the dpr tool with GoMLX's XLA backend and runs "dpr bench" on an NVIDIA GPU.
#
#   bash dprlib/bench/gpu.sh [extra dpr bench flags, e.g. --json]
#
# Needs an NVIDIA driver and XLA's CUDA PJRT plugin, which the kit does not download. Install
# the plugin once, on a machine with internet access, with go-xla's installer as its README
# describes; it places the plugin in ~/.local/lib/go-xla or /usr/local/lib/go-xla. Set
# PJRT_PLUGIN_LIBRARY_PATH when the plugin lives elsewhere.

set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$repo_root"

# shellcheck source=dprlib/scripts/setup.sh
source dprlib/scripts/setup.sh --go-only

if ! command -v nvidia-smi >/dev/null 2>&1; then
	echo "gpu: nvidia-smi not found; this script needs an NVIDIA GPU and its driver" >&2
	exit 1
fi
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader

bin="$(mktemp -d)/dpr"
echo "gpu: building dpr with -tags xla"
go build -tags xla -o "$bin" ./dprlib/cmd/dpr

# The PyTorch comparison stays off: on a GPU machine it would compare against CPU PyTorch.
GOMLX_BACKEND="${GOMLX_BACKEND_GPU:-xla:cuda}" "$bin" bench --compare none "$@"
