# Sourced by the black-box tests of the ctbpf CLI (cli_*_test.sh): a temporary directory $dir,
# `bin FILE HEX...`, and cases that run a command and compare its exit status, stdout and stderr:
#   expect NAME STATUS STDOUT       STDERR_SUBSTRING -- COMMAND...   (stdout exactly)
#   check  NAME STATUS STDOUT_REGEX STDERR_SUBSTRING -- COMMAND...   (stdout matches; '' = empty)
# An empty STDERR_SUBSTRING means stderr must be empty. `finish NAME` prints the tally and
# returns the status. $failures and $ran count the cases.
dir=$(mktemp -d "${TMPDIR:-/tmp}/ctbpf-cli.XXXXXX")
trap 'rm -rf "$dir"' EXIT
failures=0
ran=0

# bin FILE HEX...: write the bytes given as hex pairs
bin() { local f=$1; shift; local s=""; for b in $(echo "$@"); do s+="\\x$b"; done; printf "$s" > "$f"; }

# cli_case MODE NAME STATUS STDOUT STDERR -- COMMAND...
cli_case() {
    local mode=$1 name=$2 status=$3 out=$4 err=$5; shift 6
    "$@" > "$dir/out" 2> "$dir/err"
    local got=$? ok=1
    ran=$((ran + 1))
    [ "$got" -eq "$status" ] || ok=0
    if [ "$mode" = exact ]; then
        [ "$(cat "$dir/out")" = "$out" ] || ok=0
    else
        grep -Eq -- "$out" "$dir/out" || { [ -z "$out" ] && [ ! -s "$dir/out" ]; } || ok=0
    fi
    if [ -n "$err" ]; then grep -qF -- "$err" "$dir/err" || ok=0; else [ ! -s "$dir/err" ] || ok=0; fi
    if [ $ok = 1 ]; then
        echo "ok   $name"
    else
        failures=$((failures + 1))
        echo "FAIL $name: status $got (want $status)"
        echo "  stdout: $(cat "$dir/out")"
        echo "  want stdout $([ "$mode" = exact ] && echo "equal to" || echo "matching"): $out"
        echo "  stderr: $(cat "$dir/err")"
        echo "  want stderr containing: $err"
    fi
}
expect() { cli_case exact "$@"; }
check() { cli_case regex "$@"; }

# holds NAME COMMAND...: a case that passes when COMMAND succeeds
holds() {
    local name=$1; shift
    ran=$((ran + 1))
    if "$@"; then echo "ok   $name"; else failures=$((failures + 1)); echo "FAIL $name"; fi
}

finish() {
    echo "$1: $((ran - failures)) passed, $failures failed"
    [ "$failures" -eq 0 ]
}
