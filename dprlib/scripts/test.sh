#!/usr/bin/env bash
# Runs the kit's tests: set-up, `go vet ./...`, `go test ./...`, every notebooks/*.ipynb
# headless through dprlib/scripts/run-notebooks.sh, which leaves the committed notebooks as they
# are, and the browser tests of the notebooks (dprlib/scripts/browser-test.sh, which needs
# Debian's chromium and jupyter-notebook). Prints the time of each phase and fails if any
# phase fails.
#
#   bash dprlib/scripts/test.sh
#
# Set-up may download the Go toolchain, modules, Debian packages and tools. Everything after it
# runs with GOPROXY=off, so a test or notebook that needs a module download fails.

set -euo pipefail

case "${1:-}" in
-h | --help)
	sed -n '2,11p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
	exit 0
	;;
"") ;;
*)
	echo "test: unknown argument $1; it takes none (see --help)" >&2
	exit 2
	;;
esac

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$repo_root"

phase_names=()
phase_results=()
failed=0

# Runs a phase (the command in "$@"), records its time and result, and carries on after a failure.
run_phase() {
	local name="$1"
	shift
	local started status=0
	started=$(date +%s)
	echo
	echo "==> $name"
	"$@" || status=$?
	local elapsed=$(($(date +%s) - started))
	if [ "$status" = 0 ]; then
		phase_results+=("ok      ${elapsed} s")
	else
		phase_results+=("FAILED  ${elapsed} s (exit status $status)")
		failed=1
	fi
	phase_names+=("$name")
	echo "==> $name: ${phase_results[-1]}"
}

print_summary() {
	echo
	echo "test: phase times"
	local i
	for i in "${!phase_names[@]}"; do
		printf '  %-12s %s\n' "${phase_names[$i]}" "${phase_results[$i]}"
	done
}

# Set-up runs in this shell, so that its exports reach the later phases.
started=$(date +%s)
echo "==> setup"
set +e
# shellcheck source=dprlib/scripts/setup.sh
source dprlib/scripts/setup.sh
setup_status=$?
set -e
phase_names+=(setup)
if [ "$setup_status" != 0 ]; then
	phase_results+=("FAILED  $(($(date +%s) - started)) s (exit status $setup_status)")
	print_summary
	exit 1
fi
phase_results+=("ok      $(($(date +%s) - started)) s")
echo "==> setup: ${phase_results[-1]}"

export GOPROXY=off

run_phase "go vet" go vet ./...
run_phase "go test" go test ./...
# Notebooks that take their profile from DPR_PROFILE run the smoke profile here; the committed
# outputs come from the quick one.
export DPR_PROFILE="${DPR_PROFILE:-smoke}"
run_phase "notebooks" bash dprlib/scripts/run-notebooks.sh --no-setup
# After the notebooks phase, so that notebook 03 finds its smoke runs in the run store.
run_phase "browser" bash dprlib/scripts/browser-test.sh --no-setup

print_summary
if [ "$failed" != 0 ]; then
	echo "test: FAILED"
	exit 1
fi
echo "test: all phases passed"
