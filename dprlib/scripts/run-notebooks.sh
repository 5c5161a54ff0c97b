#!/usr/bin/env bash
# Executes the kit's Go notebooks headless (jupyter nbconvert with the GoNB kernel) and fails
# when any cell fails.
#
#   bash dprlib/scripts/run-notebooks.sh             # notebooks/*.ipynb; copies kept only on failure
#   bash dprlib/scripts/run-notebooks.sh --out DIR   # executed copies in DIR
#   bash dprlib/scripts/run-notebooks.sh --in-place  # write the outputs into the notebooks themselves
#   bash dprlib/scripts/run-notebooks.sh [options] notebooks/a.ipynb ...  # only these notebooks
#
# Use --in-place before committing a changed notebook, so that readers see its outputs. A
# notebook is rewritten only when all its cells succeed. --no-setup skips dprlib/scripts/setup.sh
# when the caller has already run it and exported its variables.
#
# Every cell runs, even after a failed one (nbconvert --allow-errors), so the executed copy shows
# all errors. A cell fails when it has an error output, which GoNB adds for a compile error, a
# panic or a non-zero exit, or when its stderr has an "exit status N", "signal: NAME" or "panic:"
# line. GoNB reports a failed shell command (a `!` or `!*` line) only in that stderr line and adds
# no error output. Cells tagged `raises-exception` may fail. A timed-out cell or a dead kernel
# stops nbconvert and fails the notebook too.
#
# Kernels run with GOPROXY=off, so a notebook can only use modules in the module cache, which
# setup.sh fills from go.mod and go.sum. The kernel starts in the notebook's folder, which GoNB
# exports as GONB_DIR, so `${GONB_DIR}/..` is the repository root. Each notebook's first cell
# makes the repository's module importable and copies its go.sum:
#
#   !*go mod edit -require=github.com/dprkit/dprkit@v0.0.0 -replace=github.com/dprkit/dprkit=${GONB_DIR}/.. && cp ${GONB_DIR}/../go.sum .
#
# Without the go.sum copy, GoNB's `go get` requests the checksums from sum.golang.org, which
# fails offline and so under GOPROXY=off on a new machine.
#
# DPR_NOTEBOOK_TIMEOUT sets the limit for one cell in seconds (default 600).

set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
scripts="$repo_root/dprlib/scripts"

in_place=0
run_setup=1
out_dir=""
notebooks=()
while [ $# -gt 0 ]; do
	case "$1" in
	--in-place) in_place=1 ;;
	--no-setup) run_setup=0 ;;
	--out)
		if [ $# -lt 2 ]; then
			echo "run-notebooks: --out needs a folder" >&2
			exit 2
		fi
		out_dir="$2"
		shift
		;;
	-h | --help)
		sed -n '2,32p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
		exit 0
		;;
	-*)
		echo "run-notebooks: unknown option $1 (see --help)" >&2
		exit 2
		;;
	*) notebooks+=("$1") ;;
	esac
	shift
done
if [ "$in_place" = 1 ] && [ -n "$out_dir" ]; then
	echo "run-notebooks: --in-place and --out exclude each other" >&2
	exit 2
fi

if [ "$run_setup" = 1 ]; then
	# shellcheck source=dprlib/scripts/setup.sh
	source "$scripts/setup.sh"
fi
export GOPROXY=off

if [ ${#notebooks[@]} -eq 0 ]; then
	shopt -s nullglob
	notebooks=("$repo_root"/notebooks/*.ipynb)
	shopt -u nullglob
	if [ ${#notebooks[@]} -eq 0 ]; then
		echo "run-notebooks: no notebooks in $repo_root/notebooks, nothing to run"
		exit 0
	fi
fi

work_dir="$(mktemp -d "${TMPDIR:-/tmp}/dpr-notebooks.XXXXXX")"
keep_copies=1
if [ -z "$out_dir" ]; then
	out_dir="$work_dir/executed"
	keep_copies=0
fi
mkdir -p "$out_dir"
out_dir="$(cd "$out_dir" && pwd)"

# Prints each failed cell of the executed notebook $1 with its error text, and returns 1 if
# there is any.
check_outputs() {
	python3 - "$1" <<'PYTHON'
import html
import json
import re
import sys

with open(sys.argv[1]) as f:
    notebook = json.load(f)

failure_line = re.compile(r"^(exit status [1-9][0-9]*|signal: \S+|panic: .*)$", re.MULTILINE)
ansi_escape = re.compile(r"\x1b\[[0-9;]*m")


def text_of(value):
    return "".join(value) if isinstance(value, list) else value


def html_to_text(markup):
    """Returns the readable text of GoNB's HTML error display."""
    markup = re.sub(r"(?is)<(style|script)\b.*?</\1>", "", markup)
    markup = re.sub(r"(?i)<br\s*/?>", "\n", markup)
    text = html.unescape(re.sub(r"<[^>]+>", "", markup))
    return "\n".join(line for line in text.splitlines() if line.strip())


def indent(text, limit=30):
    lines = ansi_escape.sub("", text).rstrip().splitlines()
    if len(lines) > limit:
        lines = lines[:limit] + ["... (%d more lines)" % (len(lines) - limit)]
    return "\n".join("      " + line for line in lines)


failed = 0
for index, cell in enumerate(notebook.get("cells", []), start=1):
    if cell.get("cell_type") != "code":
        continue
    if "raises-exception" in cell.get("metadata", {}).get("tags", []):
        continue

    reasons = []
    details = []
    for output in cell.get("outputs", []):
        kind = output.get("output_type")
        if kind == "error":
            reasons.append("error output: %s: %s" % (output.get("ename"), output.get("evalue")))
        elif kind == "stream" and output.get("name") == "stderr":
            text = text_of(output.get("text", ""))
            match = failure_line.search(text)
            if match:
                reasons.append("stderr: " + match.group(0))
            details.append(text)
        elif kind == "display_data":
            markup = text_of(output.get("data", {}).get("text/html", ""))
            if "gonb-err" in markup:  # The CSS classes of GoNB's error display.
                details.append(html_to_text(markup))
    if not reasons:
        continue

    failed += 1
    source = text_of(cell.get("source", "")).strip().splitlines()
    print("  cell %d (%s) failed:" % (index, source[0][:70] if source else "empty"))
    for reason in reasons:
        print("    " + reason)
    for detail in details:
        print(indent(detail))
sys.exit(1 if failed else 0)
PYTHON
}

# Prints the end of the nbconvert log $1 without the kernel's routine log entries, for runs that
# nbconvert itself stopped (a timed-out cell, a dead kernel, an unreadable notebook).
# It starts at nbconvert's last exception, when there is one, and skips the kernel's info and
# warning log entries.
summarize_log() {
	awk '
		/^[IW][0-9][0-9][0-9][0-9] / { next }
		/^[A-Za-z_][A-Za-z0-9_.]*(Error|Exception|Interrupt): / { start = NR }
		{ lines[NR] = $0 }
		END {
			from = start ? start : (NR > 30 ? NR - 29 : 1)
			for (i = from; i < from + 30 && i <= NR; i++) if (i in lines) print lines[i]
		}
	' "$1"
}

timeout_s="${DPR_NOTEBOOK_TIMEOUT:-600}"
failed=()
for notebook in "${notebooks[@]}"; do
	if [ ! -f "$notebook" ]; then
		echo "run-notebooks: $notebook not found" >&2
		failed+=("$notebook")
		continue
	fi
	name="$(basename "$notebook")"
	executed="$out_dir/$name"
	log="$work_dir/${name%.ipynb}.log"
	started=$(date +%s)
	echo "run-notebooks: executing $notebook"

	# nbconvert starts the kernel in the input notebook's folder, whatever the --output-dir.
	rm -f "$executed"
	status=0
	jupyter nbconvert --to notebook --execute --allow-errors \
		--ExecutePreprocessor.kernel_name=gonb \
		--ExecutePreprocessor.timeout="$timeout_s" \
		--ExecutePreprocessor.record_timing=False \
		--output-dir "$out_dir" --output "$name" \
		"$notebook" >"$log" 2>&1 || status=$?
	elapsed=$(($(date +%s) - started))

	if [ "$status" != 0 ] || [ ! -f "$executed" ]; then
		echo "run-notebooks: FAILED $notebook after $elapsed s: nbconvert stopped" \
			"(exit status $status, full log: $log):" >&2
		summarize_log "$log" | sed 's/^/  /' >&2
		failed+=("$notebook")
		continue
	fi
	if ! check_outputs "$executed" >&2; then
		echo "run-notebooks: FAILED $notebook after $elapsed s (executed copy: $executed)" >&2
		failed+=("$notebook")
		continue
	fi

	if [ "$in_place" = 1 ]; then
		cp "$executed" "$notebook"
		echo "run-notebooks: ok $notebook ($elapsed s), outputs written into it"
	elif [ "$keep_copies" = 1 ]; then
		echo "run-notebooks: ok $notebook ($elapsed s) -> $executed"
	else
		echo "run-notebooks: ok $notebook ($elapsed s)"
	fi
done

if [ ${#failed[@]} -gt 0 ]; then
	echo "run-notebooks: ${#failed[@]} of ${#notebooks[@]} notebooks failed: ${failed[*]}" >&2
	echo "run-notebooks: nbconvert logs are in $work_dir, executed copies in $out_dir" >&2
	exit 1
fi
# On success only the copies asked for with --out are kept; a failure keeps everything above.
rm -rf "$work_dir"
echo "run-notebooks: all ${#notebooks[@]} notebooks ran without errors"
