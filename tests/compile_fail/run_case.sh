#!/usr/bin/env bash
# Compile-fail case runner (bash builtins only; registered per case by tests/compile_fail.cmake).
#
# usage: run_case.sh <c++ compiler> <compiler id: GNU|Clang|AppleClang> <include dir> <case.cpp>
#
# A case file holds a mistake and its corrected twin:
#
#   #include <ctbpf.hpp>
#   // expect: <substring>         must appear in the output of every compiler
#   // expect-gcc: <substring>     only checked with GCC
#   // expect-clang: <substring>   only checked with Clang
#   // expect-clang19: <substring> only checked with Clang 19 (any major version: clang<major>)
#   // flags: <flags>              optional extra compiler flags (also flags-gcc:, flags-clang:)
#   // errors: <n>                 optional: exactly n lines of the output contain "error:" (no
#                                  follow-on errors; also errors-gcc:, errors-clang:, errors-clang19:,
#                                  which take precedence over errors:)
#   #ifndef CTBPF_TWIN
#   ...the mistake...              must FAIL to compile, printing every expected substring
#   #else
#   ...the corrected code...       must compile cleanly (-DCTBPF_TWIN)
#   #endif
#
# Usually one mistake per file. A case may hold several independent ones (e.g. several rejected
# programs, each its own error, all fixed in the twin) to save compilations: the compiler reports
# them all in one run (for Clang add `// flags-clang: -ferror-limit=0`, its default stops at 20).
#
# Substrings are plain text (no regex), matched against stdout+stderr with LC_ALL=C (ASCII
# quotes from GCC); leading and trailing blanks are trimmed. `@name@` in a substring stands for
# the line number of the source line that ends with the comment `// @name`, so that line
# numbers in program_rejected<rule, index, line, ...> stay right when the file is edited.
# `{{some text}}` stands for the compiler's spelling of that text as a list of char template
# arguments, 's', 'o', 'm', 'e', ' ', 't', 'e', 'x', 't', so that the kernel's message in
# kernel_message<...> can be written as text: `// expect: kernel_message<{{div by zero}}>`.
# `{{}}` (empty) stays as it is (a literal {{}}). Printable ASCII only; a single quote is spelled '\'', a backslash '\\' (by GCC and Clang alike)
# and a double quote '\"' by GCC, '"' by Clang. Markers are substituted first, then {{...}}.
# Both compilations use: -std=c++20 -fsyntax-only -Wall -Wextra -Wpedantic -Werror -I<include>,
# plus the case's flags (say why in the case: e.g. a larger constexpr step limit).
set -u
if [[ $# -ne 4 ]]; then
    echo "usage: $0 <compiler> <compiler id> <include dir> <case.cpp>" >&2
    exit 2
fi
cxx=$1 id=$2 include=$3 case_file=$4
export LC_ALL=C
flags=(-std=c++20 -fsyntax-only -Wall -Wextra -Wpedantic -Werror -fdiagnostics-color=never "-I$include")

case $id in
GNU) family=gcc ;;
Clang | AppleClang) family=clang ;;
*) family=other ;;
esac
variant=$family
if [[ $family == clang ]]; then
    major=$("$cxx" -dumpversion)
    variant=clang${major%%.*}
fi

# Read the expectations and the markers.
declare -A marks=()
expects=()
errors_any='' errors_own=''
common=0
n=0
while IFS= read -r line || [[ -n $line ]]; do
    n=$((n + 1))
    if [[ $line =~ //\ @([A-Za-z0-9_]+)[[:space:]]*$ ]]; then
        marks[${BASH_REMATCH[1]}]=$n
    fi
    if [[ $line =~ ^[[:space:]]*//\ flags(-gcc|-clang[0-9]*)?:(.*)$ ]]; then
        which=${BASH_REMATCH[1]#-}
        if [[ -z $which || $which == "$family" || $which == "$variant" ]]; then
            read -r -a extra <<<"${BASH_REMATCH[2]}"
            flags+=(${extra[@]+"${extra[@]}"})
        fi
    fi
    if [[ $line =~ ^[[:space:]]*//\ errors(-gcc|-clang[0-9]*)?:[[:space:]]*([0-9]+)[[:space:]]*$ ]]; then
        which=${BASH_REMATCH[1]#-}
        if [[ -z $which ]]; then errors_any=${BASH_REMATCH[2]}
        elif [[ $which == "$family" || $which == "$variant" ]]; then errors_own=${BASH_REMATCH[2]}; fi
    fi
    if [[ $line =~ ^[[:space:]]*//\ expect(-gcc|-clang[0-9]*)?:(.*)$ ]]; then
        which=${BASH_REMATCH[1]#-}
        text=${BASH_REMATCH[2]}
        text=${text#"${text%%[![:space:]]*}"}
        text=${text%"${text##*[![:space:]]}"}
        if [[ -z $text ]]; then
            echo "FAIL: $case_file:$n: empty expectation" >&2
            exit 1
        fi
        if [[ -z $which ]]; then common=$((common + 1)); fi
        if [[ -z $which || $which == "$family" || $which == "$variant" ]]; then expects+=("$text"); fi
    fi
done <"$case_file"

# Substitute @name@ markers.
for i in "${!expects[@]}"; do
    text=${expects[$i]}
    while [[ $text =~ @([A-Za-z0-9_]+)@ ]]; do
        name=${BASH_REMATCH[1]}
        if [[ -z ${marks[$name]+x} ]]; then
            echo "FAIL: $case_file: expectation uses @$name@ but no line ends with '// @$name'" >&2
            exit 1
        fi
        text=${text//"@$name@"/${marks[$name]}}
    done
    expects[$i]=$text
done

# Substitute {{text}} by the text as the compiler prints a char template argument list.
char_list() { # sets REPLY to 't', 'e', 'x', 't' for $1
    local s=$1 c list='' i
    for ((i = 0; i < ${#s}; i++)); do
        c=${s:i:1}
        case $c in
        "'") c="\\'" ;;
        \\) c=\\\\ ;;
        '"') if [[ $family == gcc ]]; then c='\"'; fi ;;
        [[:print:]]) ;;
        *) return 1 ;;
        esac
        list+="${list:+, }'$c'"
    done
    REPLY=$list
}
for i in "${!expects[@]}"; do
    text=${expects[$i]}
    done_part=''
    while [[ $text == *'{{'* ]]; do
        if [[ $text == '{{}}'* || $text == *'{{}}'* && ${text%%'{{}}'*} != *'{{'* ]]; then # {{}}: literal
            done_part+=${text%%'{{}}'*}'{{}}'
            text=${text#*'{{}}'}
            continue
        fi
        rest=${text#*'{{'}
        if [[ $rest != *'}}'* ]]; then
            echo "FAIL: $case_file: '{{' without '}}' in the expectation: ${expects[$i]}" >&2
            exit 1
        fi
        inner=${rest%%'}}'*}
        if [[ -z $inner ]] || ! char_list "$inner"; then
            echo "FAIL: $case_file: '{{$inner}}' must hold printable ASCII text: ${expects[$i]}" >&2
            exit 1
        fi
        text=${text%%'{{'*}$REPLY${rest#*'}}'}
    done
    expects[$i]=$done_part$text
done
if [[ $common -eq 0 ]]; then
    echo "FAIL: $case_file has no '// expect:' line (one is required, checked on every compiler)" >&2
    exit 1
fi

status=0
echo "== $cxx ${flags[*]} $case_file"
out=$("$cxx" "${flags[@]}" "$case_file" 2>&1)
rc=$?
if [[ $rc -eq 0 ]]; then
    echo "FAIL: the mistake compiled (it must not)"
    status=1
else
    for text in "${expects[@]}"; do
        if [[ $out != *"$text"* ]]; then
            echo "FAIL: expected text not in the compiler output: $text"
            status=1
        fi
    done
    want_errors=${errors_own:-$errors_any}
    if [[ -n $want_errors ]]; then
        got_errors=0
        while IFS= read -r line; do
            if [[ $line == *'error:'* ]]; then got_errors=$((got_errors + 1)); fi
        done <<<"$out"
        if [[ $got_errors -ne $want_errors ]]; then
            echo "FAIL: $got_errors lines with 'error:' in the compiler output, expected $want_errors"
            status=1
        else
            expects+=("($want_errors error line(s))")
        fi
    fi
fi
if [[ $status -ne 0 ]]; then
    echo "---- compiler output (mistake) ----"
    printf '%s\n' "$out"
    echo "-----------------------------------"
else
    echo "ok: fails with the ${#expects[@]} expected text(s)"
fi

echo "== $cxx ${flags[*]} -DCTBPF_TWIN $case_file"
out=$("$cxx" "${flags[@]}" -DCTBPF_TWIN "$case_file" 2>&1)
if [[ $? -ne 0 ]]; then
    echo "FAIL: the corrected twin (-DCTBPF_TWIN) does not compile"
    echo "---- compiler output (twin) ----"
    printf '%s\n' "$out"
    echo "--------------------------------"
    status=1
else
    echo "ok: the twin compiles"
fi
exit $status
