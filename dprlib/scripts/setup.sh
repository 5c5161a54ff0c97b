#!/usr/bin/env bash
# Sets up a machine to build, test and run the kit, and skips every step that is already done,
# so a second run takes seconds.
#
#   bash dprlib/scripts/setup.sh            # Go toolchain, modules, Jupyter, GoNB kernel, ECharts
#   bash dprlib/scripts/setup.sh --go-only  # Go toolchain and modules only
#   source dprlib/scripts/setup.sh          # the same, and keeps the exports in this shell
#
# Steps:
#   1. Exports GOTOOLCHAIN, GOEXPERIMENT, GOMLX_BACKEND and DPR_ECHARTS_JS, and puts Go's bin
#      folder on PATH.
#   2. Fetches the Go toolchain named by GOTOOLCHAIN (about 76 MB, once) and the modules in go.sum.
#   3. Installs Jupyter's nbconvert from Debian packages when `jupyter nbconvert` is missing.
#   4. Installs GoNB, goimports and gopls at pinned versions into `go env GOPATH`/bin.
#   5. Registers the GoNB kernel (`gonb --install`) and writes the exports into its kernelspec.
#   6. Downloads ECharts 5.4.3 from the npm registry (about 8 MB), checks it against a pinned
#      SHA-512 and installs its echarts.min.js at $DPR_ECHARTS_JS for the interactive notebook
#      views. DPR_ECHARTS_TGZ=FILE installs it from an echarts-5.4.3.tgz fetched elsewhere.
#
# Needs: Go 1.21 or newer on PATH (it fetches the pinned toolchain itself), python3, and npm or
# curl for step 6. Debian packages are installed as root or through passwordless sudo.
# Elsewhere, for example in the conda environment of environment.yml, Jupyter must already be
# installed.

# The go command downloads this toolchain from the module proxy when the local Go is older.
# go.mod names Go 1.27.3, which gomlx v0.28.16 needs.
export GOTOOLCHAIN=go1.27.3
# GoMLX's pure-Go backend (gomlx v0.28.16) uses its AVX2/AVX-512 kernels only when built with
# this experiment.
export GOEXPERIMENT=simd
# The pure-Go backend with the parallel op executor and one executor per core, the fastest
# setting measured on 2 cores (dprlib/bench/README.md). A value that is already set, such as
# xla:cuda on a machine with the PJRT plugin, is kept.
export GOMLX_BACKEND="${GOMLX_BACKEND:-go:ops_parallel,num_executors=$(nproc 2>/dev/null || echo 2)}"
# The ECharts library that the interactive notebook views (dprlib/interactive) inline, installed
# by step 6. The views read the same default path when this variable is unset.
export DPR_ECHARTS_JS="${DPR_ECHARTS_JS:-${XDG_CACHE_HOME:-$HOME/.cache}/dprkit/echarts-5.4.3/echarts.min.js}"

if ! command -v go >/dev/null 2>&1 && [ -x /usr/local/go/bin/go ]; then
	export PATH="/usr/local/go/bin:$PATH"
fi
if command -v go >/dev/null 2>&1; then
	_dpr_gobin="$(GOTOOLCHAIN=local go env GOBIN)"
	[ -n "$_dpr_gobin" ] || _dpr_gobin="$(GOTOOLCHAIN=local go env GOPATH)/bin"
	case ":$PATH:" in
	*":$_dpr_gobin:"*) ;;
	*) export PATH="$_dpr_gobin:$PATH" ;;
	esac
	unset _dpr_gobin
fi

# Pinned tool versions. `go install MODULE@latest` is never used, because the module proxy
# rejects version-list requests for several of these modules.
DPR_GONB_VERSION=v0.11.5
DPR_XTOOLS_VERSION=v0.53.0 # golang.org/x/tools, for goimports
DPR_GOPLS_VERSION=v0.24.0  # needs Go 1.27, which GOTOOLCHAIN provides

# ECharts for the interactive notebook views: go-echarts v2.6.7 writes options for ECharts 5.4.3.
# The SHA-512 is that of the npm tarball (the registry's dist.integrity for echarts@5.4.3, in
# hex), and the SHA-256 that of package/dist/echarts.min.js inside it.
DPR_ECHARTS_VERSION=5.4.3
DPR_ECHARTS_TGZ_SHA512=9982b12f1873cbacf24e2fc56846c930e654d542c61101da7887ae311e4bf899c94e9cfe611d379a79e90616d1e3e5182408225e0a724d52df7cf0233932e464
DPR_ECHARTS_JS_SHA256=1156429a16a38cb8604dcc6518c19406d4226142d908f8edd2e3531443c54d19

# When sourced, the steps run in a child bash process: the exports above stay in the caller's
# shell, while `set -e` and the functions below stay out of it. A child process also keeps
# `set -e` working when the caller writes `source setup.sh || ...`, which would switch it off in
# a subshell. The status of the steps is the status of `source`.
if (return 0 2>/dev/null); then
	bash "${BASH_SOURCE[0]}" "$@"
	return
fi

set -euo pipefail

setup_main() {
	local go_only=0
	local arg
	for arg in "$@"; do
		case "$arg" in
		--go-only) go_only=1 ;;
		-h | --help)
			sed -n '2,24p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
			return 0
			;;
		*)
			echo "setup: unknown option $arg (expected --go-only or --help)" >&2
			return 2
			;;
		esac
	done

	local repo_root
	repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"

	setup_go "$repo_root"
	if [ "$go_only" = 1 ]; then
		echo "setup: done (Go only)"
		return 0
	fi
	setup_jupyter
	setup_go_tools
	setup_kernel
	setup_echarts
	echo "setup: done"
}

setup_go() {
	local repo_root="$1"
	if ! command -v go >/dev/null 2>&1; then
		echo "setup: go not found on PATH. Install Go 1.21 or newer (https://go.dev/dl/ or" \
			"the conda environment in environment.yml), then run this script again." >&2
		return 1
	fi
	echo "setup: GOTOOLCHAIN=$GOTOOLCHAIN GOEXPERIMENT=$GOEXPERIMENT GOMLX_BACKEND=$GOMLX_BACKEND"
	echo "setup: local Go is $(GOTOOLCHAIN=local go env GOVERSION) at $(command -v go)"

	# The first go command under GOTOOLCHAIN fetches that toolchain into the module cache.
	local version
	if ! version="$(go env GOVERSION)"; then
		echo "setup: could not fetch the Go toolchain $GOTOOLCHAIN from the module proxy" \
			"($(GOTOOLCHAIN=local go env GOPROXY))." >&2
		return 1
	fi
	echo "setup: using $version"

	# Fills the module cache, so that builds, tests and notebooks later need no network.
	echo "setup: go mod download (modules of go.mod, from the cache when present)"
	(cd "$repo_root" && go mod download)
}

nbconvert_works() {
	command -v jupyter >/dev/null 2>&1 &&
		jupyter nbconvert --version >/dev/null 2>&1 &&
		jupyter kernelspec list >/dev/null 2>&1
}

setup_jupyter() {
	if nbconvert_works; then
		echo "setup: jupyter nbconvert $(jupyter nbconvert --version) found at $(command -v jupyter)"
		return 0
	fi

	# nbconvert's --execute runs notebooks through nbclient and jupyter_client. GoNB is the only
	# kernel the kit needs, so ipykernel is not installed.
	local packages=(jupyter-nbconvert python3-nbclient jupyter-client)
	local sudo=()
	if [ "$(id -u)" != 0 ]; then
		if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
			sudo=(sudo -n)
		else
			sudo=(unavailable)
		fi
	fi
	if ! command -v apt-get >/dev/null 2>&1 || [ "${sudo[0]:-}" = unavailable ]; then
		echo "setup: jupyter nbconvert is missing and cannot be installed by this script" \
			"(needs Debian's apt-get as root or with passwordless sudo)." >&2
		echo "setup: install it with one of:" >&2
		echo "  sudo apt-get install -y --no-install-recommends ${packages[*]}" >&2
		echo "  conda env create -f environment.yml && conda activate dprkit" >&2
		return 1
	fi

	echo "setup: installing Debian packages: ${packages[*]}"
	export DEBIAN_FRONTEND=noninteractive
	# Package lists are empty or stale on a new machine, so refresh them before installing.
	"${sudo[@]}" apt-get update -qq
	"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null

	hash -r
	if ! nbconvert_works; then
		echo "setup: installed ${packages[*]}, but 'jupyter nbconvert --version' still fails." >&2
		echo "setup: check that the 'jupyter' first on PATH ($(command -v jupyter || echo none))" \
			"is Debian's /usr/bin/jupyter." >&2
		return 1
	fi
	echo "setup: jupyter nbconvert $(jupyter nbconvert --version) installed"
}

# Succeeds when the binary at $1 was built from module $2 at version $3.
built_from() {
	[ -x "$1" ] &&
		go version -m "$1" 2>/dev/null |
		awk -v module="$2" -v version="$3" '
			$1 == "mod" && $2 == module && $3 == version { found = 1 }
			END { exit !found }
		'
}

# Prints the folder that `go install` writes to.
go_bin_dir() {
	local gobin
	gobin="$(go env GOBIN)"
	[ -n "$gobin" ] || gobin="$(go env GOPATH)/bin"
	echo "$gobin"
}

setup_go_tools() {
	local gobin
	gobin="$(go_bin_dir)"

	if built_from "$gobin/goimports" golang.org/x/tools "$DPR_XTOOLS_VERSION"; then
		echo "setup: goimports $DPR_XTOOLS_VERSION already installed"
	else
		echo "setup: installing goimports (golang.org/x/tools $DPR_XTOOLS_VERSION)"
		go install "golang.org/x/tools/cmd/goimports@$DPR_XTOOLS_VERSION"
	fi

	if built_from "$gobin/gopls" golang.org/x/tools/gopls "$DPR_GOPLS_VERSION"; then
		echo "setup: gopls $DPR_GOPLS_VERSION already installed"
	else
		echo "setup: installing gopls $DPR_GOPLS_VERSION (about a minute on 2 cores)"
		go install "golang.org/x/tools/gopls@$DPR_GOPLS_VERSION"
	fi

	if built_from "$gobin/gonb" github.com/janpfeifer/gonb "$DPR_GONB_VERSION"; then
		echo "setup: gonb $DPR_GONB_VERSION already installed"
	else
		# `go install github.com/janpfeifer/gonb@VERSION` fails because it requests the module's
		# version list from the proxy (to check for deprecation), which the proxy rejects. Building it
		# from a throwaway module that requires the exact version avoids that request.
		echo "setup: installing gonb $DPR_GONB_VERSION"
		local tools_module status=0
		tools_module="$(mktemp -d)"
		go -C "$tools_module" mod init dprkit.local/gonb-install 2>/dev/null &&
			go -C "$tools_module" get "github.com/janpfeifer/gonb@$DPR_GONB_VERSION" &&
			go -C "$tools_module" install github.com/janpfeifer/gonb ||
			status=$?
		rm -rf "$tools_module"
		return "$status"
	fi
}

kernelspec_dir() {
	if [ -n "${JUPYTER_DATA_DIR:-}" ]; then
		echo "$JUPYTER_DATA_DIR/kernels/gonb"
	elif [ "$(uname -s)" = Darwin ]; then
		echo "$HOME/Library/Jupyter/kernels/gonb"
	else
		echo "$HOME/.local/share/jupyter/kernels/gonb"
	fi
}

# Adds the exports to the kernelspec's env and the folders of go, gonb, goimports and gopls in
# front of the PATH that Jupyter passes on, so the kernel works from a shell that never sourced
# this script. jupyter_client expands ${PATH} in kernelspec env values (version 7.0 and newer).
# With --check, only reports through the exit status whether the kernelspec is already like that.
edit_kernelspec() {
	python3 - "$@" <<'PYTHON'
import json
import os
import sys

check = sys.argv[1] == "--check"
path = sys.argv[2]
expected = {
    "GOTOOLCHAIN": os.environ["GOTOOLCHAIN"],
    "GOEXPERIMENT": os.environ["GOEXPERIMENT"],
    "GOMLX_BACKEND": os.environ["GOMLX_BACKEND"],
    "DPR_ECHARTS_JS": os.environ["DPR_ECHARTS_JS"],
    "PATH": os.environ["DPR_KERNEL_PATH"] + ":${PATH}",
}

try:
    with open(path) as f:
        spec = json.load(f)
except (OSError, ValueError) as err:
    if check:
        sys.exit(1)
    sys.exit(f"setup: cannot read kernelspec {path}: {err}")

env = spec.get("env") or {}
argv = spec.get("argv") or [""]
if check:
    current = argv[0] == os.environ["DPR_GONB"] and all(env.get(k) == v for k, v in expected.items())
    sys.exit(0 if current else 1)

env.update(expected)
spec["env"] = env
tmp = path + ".tmp"
with open(tmp, "w") as f:
    json.dump(spec, f, indent=2, sort_keys=True)
    f.write("\n")
os.replace(tmp, path)
PYTHON
}

setup_kernel() {
	local spec_dir gonb
	spec_dir="$(kernelspec_dir)"
	gonb="$(go_bin_dir)/gonb"
	export DPR_GONB="$gonb"
	export DPR_KERNEL_PATH
	DPR_KERNEL_PATH="$(dirname "$gonb"):$(dirname "$(command -v go)")"

	if edit_kernelspec --check "$spec_dir/kernel.json"; then
		echo "setup: GoNB kernel already registered at $spec_dir"
	else
		echo "setup: registering the GoNB kernel (gonb --install)"
		"$gonb" --install 2>&1 | sed 's/^/  gonb: /'
		echo "setup: writing GOTOOLCHAIN, GOEXPERIMENT, GOMLX_BACKEND, DPR_ECHARTS_JS and PATH into" \
			"$spec_dir/kernel.json"
		edit_kernelspec --write "$spec_dir/kernel.json"
	fi
	unset DPR_GONB DPR_KERNEL_PATH

	if ! jupyter kernelspec list 2>/dev/null | grep -qE "^[[:space:]]+gonb[[:space:]]"; then
		echo "setup: 'jupyter kernelspec list' does not show the gonb kernel written to $spec_dir" >&2
		return 1
	fi
}

# Prints the hex SHA-$1 digest (256 or 512) of the file $2, with coreutils or, on macOS, shasum.
sha_hex() {
	if command -v "sha$1sum" >/dev/null 2>&1; then
		"sha$1sum" "$2" | awk '{ print $1 }'
	else
		shasum -a "$1" "$2" | awk '{ print $1 }'
	fi
}

# Puts echarts-VERSION.tgz into the folder $1 and checks its SHA-512. The tarball comes from
# DPR_ECHARTS_TGZ when that is set, else from the npm registry through npm, else through curl.
fetch_echarts() {
	local dir="$1"
	local tarball="$dir/echarts-$DPR_ECHARTS_VERSION.tgz"
	local url="https://registry.npmjs.org/echarts/-/echarts-$DPR_ECHARTS_VERSION.tgz"
	if [ -n "${DPR_ECHARTS_TGZ:-}" ]; then
		echo "setup: using the ECharts tarball $DPR_ECHARTS_TGZ"
		cp "$DPR_ECHARTS_TGZ" "$tarball" || return 1
	elif command -v npm >/dev/null 2>&1; then
		echo "setup: downloading echarts@$DPR_ECHARTS_VERSION with npm pack (about 8 MB)"
		(cd "$dir" && npm pack --silent "echarts@$DPR_ECHARTS_VERSION" >/dev/null) || return 1
	elif command -v curl >/dev/null 2>&1; then
		echo "setup: downloading $url (about 8 MB)"
		curl -fsSL --retry 2 -o "$tarball" "$url" || return 1
	else
		echo "setup: neither npm nor curl is on PATH, so ECharts cannot be downloaded." >&2
		return 1
	fi

	local digest
	digest="$(sha_hex 512 "$tarball")" || return 1
	if [ "$digest" != "$DPR_ECHARTS_TGZ_SHA512" ]; then
		echo "setup: echarts-$DPR_ECHARTS_VERSION.tgz has SHA-512 $digest," \
			"expected $DPR_ECHARTS_TGZ_SHA512; not installing it." >&2
		return 1
	fi
	echo "setup: echarts-$DPR_ECHARTS_VERSION.tgz matches the pinned SHA-512"
}

# Extracts echarts.min.js from the tarball in the folder $1, checks its SHA-256 and moves it to
# $2 through a temporary file, so that a reader never sees half a file.
install_echarts() {
	local dir="$1" target="$2"
	local file="$dir/package/dist/echarts.min.js"
	tar -xzf "$dir/echarts-$DPR_ECHARTS_VERSION.tgz" -C "$dir" package/dist/echarts.min.js || return 1

	local digest
	digest="$(sha_hex 256 "$file")" || return 1
	if [ "$digest" != "$DPR_ECHARTS_JS_SHA256" ]; then
		echo "setup: echarts.min.js in the tarball has SHA-256 $digest," \
			"expected $DPR_ECHARTS_JS_SHA256; not installing it." >&2
		return 1
	fi
	mkdir -p "$(dirname "$target")" || return 1
	cp "$file" "$target.tmp.$$" && mv -f "$target.tmp.$$" "$target" || return 1
	echo "setup: installed ECharts $DPR_ECHARTS_VERSION ($(wc -c <"$target" | tr -d ' ') bytes) at $target"
}

setup_echarts() {
	local target="$DPR_ECHARTS_JS"
	if [ -f "$target" ] && [ "$(sha_hex 256 "$target")" = "$DPR_ECHARTS_JS_SHA256" ]; then
		echo "setup: ECharts $DPR_ECHARTS_VERSION already installed at $target"
		return 0
	fi
	if [ -e "$target" ]; then
		echo "setup: $target does not match the pinned SHA-256 of ECharts $DPR_ECHARTS_VERSION;" \
			"replacing it"
	fi

	local dir status=0
	dir="$(mktemp -d)"
	{ fetch_echarts "$dir" && install_echarts "$dir" "$target"; } || status=$?
	rm -rf "$dir"
	if [ "$status" != 0 ]; then
		echo "setup: could not install ECharts $DPR_ECHARTS_VERSION, which the interactive" \
			"notebook views need. To fix it, either:" >&2
		if [ -n "${DPR_ECHARTS_TGZ:-}" ]; then
			echo "  - check that DPR_ECHARTS_TGZ=$DPR_ECHARTS_TGZ is an unmodified" \
				"echarts-$DPR_ECHARTS_VERSION.tgz, or unset it to download the tarball, or" >&2
		fi
		echo "  - install npm or curl, make sure https://registry.npmjs.org is reachable, and run" \
			"this script again, or" >&2
		echo "  - download echarts-$DPR_ECHARTS_VERSION.tgz on another machine" \
			"(npm pack echarts@$DPR_ECHARTS_VERSION), copy it here and run" \
			"DPR_ECHARTS_TGZ=/path/to/echarts-$DPR_ECHARTS_VERSION.tgz bash dprlib/scripts/setup.sh" >&2
		return "$status"
	fi
}

trap 'status=$?; [ "$status" = 0 ] || echo "setup: failed (exit status $status)" >&2' EXIT
setup_main "$@"
