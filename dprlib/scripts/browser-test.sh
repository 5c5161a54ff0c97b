#!/usr/bin/env bash
# Runs the browser tests of the notebooks (package dprlib/browsertest, build tag browser) in
# headless Chromium on 127.0.0.1. They check every notebooks/*.ipynb exported to HTML with its
# committed outputs, and run notebook 03 from a classic Jupyter Notebook server with the GoNB
# kernel under the smoke profile. Screenshots go to out/browser/ (or DPR_BROWSER_OUT).
#
#   bash dprlib/scripts/browser-test.sh              # set-up, then all browser tests
#   bash dprlib/scripts/browser-test.sh --no-setup   # the caller already ran setup.sh
#   bash dprlib/scripts/browser-test.sh -run Export  # only the tests that match a regexp
#
# Needs Debian's chromium and jupyter-notebook (`apt-get install --no-install-recommends
# chromium jupyter-notebook`); the tests fail, and do not skip, without them. They run with
# GOPROXY=off and contact no host but 127.0.0.1.

set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"

run_setup=1
run_pattern=""
while [ $# -gt 0 ]; do
	case "$1" in
	--no-setup) run_setup=0 ;;
	-run)
		if [ $# -lt 2 ]; then
			echo "browser-test: -run needs a regular expression" >&2
			exit 2
		fi
		run_pattern="$2"
		shift
		;;
	-h | --help)
		sed -n '2,13p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
		exit 0
		;;
	*)
		echo "browser-test: unknown argument $1 (see --help)" >&2
		exit 2
		;;
	esac
	shift
done

if [ "$run_setup" = 1 ]; then
	# shellcheck source=dprlib/scripts/setup.sh
	source "$repo_root/dprlib/scripts/setup.sh"
fi
export GOPROXY=off
# Notebook 03 takes its profile from DPR_PROFILE; the live test sets smoke for its server itself.
export DPR_PROFILE="${DPR_PROFILE:-smoke}"

cd "$repo_root"
args=(-tags browser -count=1 -v -timeout 15m)
if [ -n "$run_pattern" ]; then
	args+=(-run "$run_pattern")
fi
go test "${args[@]}" ./dprlib/browsertest/
echo "browser-test: screenshots in ${DPR_BROWSER_OUT:-$repo_root/out/browser}"
