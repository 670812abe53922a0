#!/usr/bin/env bash
# Fuzz the file parsers with cargo fuzz (libFuzzer). See fuzz/README.md.
#
#   fuzz/run.sh smoke [SECONDS]        every target for SECONDS (default 30) each; fails on a crash
#   fuzz/run.sh long TARGET SECONDS [RUNS]
#                                      one target for longer (stopping after RUNS execs when
#                                      given), stats appended to fuzz/stats.log
#   fuzz/run.sh list                   the targets
#
# One fuzzing process at a time (libFuzzer's default: no -jobs/-fork), 2 GB RSS limit. Toolchain: nightly
# when rustup has it, else stable with RUSTC_BOOTSTRAP=1. Sanitizer: address, unless
# CUNYI_FUZZ_SANITIZER says otherwise (`none` runs ~2x faster; Rust panics, stack overflows
# and the RSS limit are caught either way) or ASan cannot link here (then `none`).
# CUNYI_FUZZ_PROFILE=dev builds without optimizations (CI's smoke run: a build of a few
# minutes instead of ~15, slower execs). Crashing inputs are left in fuzz/artifacts/<target>/.
# New inputs go to a scratch corpus, deleted after the run, unless CUNYI_FUZZ_KEEP names a
# directory to keep them in (one subdirectory per target, so a later run goes on from them).
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
cd "$here/.."
export CARGO_TARGET_DIR="${CUNYI_FUZZ_TARGET_DIR:-${CARGO_TARGET_DIR:-$here/target}}"

TARGETS=(gift aiken moodle_xml bank_xlsx roster_csv roster_xlsx xlsx_parts platform_export stored_paper)

# -max_len per target: text formats stay small; whole .xlsx files need room for a zip.
max_len() {
    case "$1" in
        roster_xlsx|bank_xlsx|platform_export) echo 65536 ;;
        xlsx_parts) echo 16384 ;;
        *) echo 8192 ;;
    esac
}

if ! command -v cargo-fuzz >/dev/null 2>&1; then
    echo "installing cargo-fuzz" >&2
    cargo install cargo-fuzz --locked >&2
fi

toolchain=()
if rustup toolchain list 2>/dev/null | grep -q '^nightly'; then
    toolchain=(+nightly)
else
    toolchain=(+stable)
    export RUSTC_BOOTSTRAP=1
fi

sanitizer="${CUNYI_FUZZ_SANITIZER:-address}"
case "${CUNYI_FUZZ_PROFILE:-release}" in
    release) profile=--release ;;
    dev) profile=--dev ;;
    *) echo "CUNYI_FUZZ_PROFILE is release or dev" >&2; exit 2 ;;
esac

build() {
    if ! cargo "${toolchain[@]}" fuzz build "$profile" --sanitizer "$sanitizer" "$@" >&2; then
        if [ "$sanitizer" != none ]; then
            echo "build with sanitizer=$sanitizer failed; falling back to --sanitizer none" >&2
            sanitizer=none
            cargo "${toolchain[@]}" fuzz build "$profile" --sanitizer none "$@" >&2
        else
            return 1
        fi
    fi
}

# run TARGET SECONDS: fuzz, print the final stats; non-zero on a crash, leak, OOM or timeout.
run() {
    local target="$1" seconds="$2" runs="${3:--1}"
    mkdir -p "fuzz/corpus/$target" "fuzz/artifacts/$target"
    local work scratch
    work="$(mktemp -d)"
    scratch="$work/new"
    if [ -n "${CUNYI_FUZZ_KEEP:-}" ]; then
        scratch="$CUNYI_FUZZ_KEEP/$target"
    fi
    mkdir -p "$scratch"
    # New inputs go to the scratch corpus (first dir); the committed seeds stay as they are.
    local status=0
    cargo "${toolchain[@]}" fuzz run "$profile" --sanitizer "$sanitizer" "$target" \
        "$scratch" "fuzz/corpus/$target" -- \
        -max_total_time="$seconds" -runs="$runs" -max_len="$(max_len "$target")" \
        -rss_limit_mb=2048 -malloc_limit_mb=2048 -timeout=20 \
        -print_final_stats=1 -print_pcs=0 \
        -artifact_prefix="fuzz/artifacts/$target/" >"$work/log" 2>&1 || status=$?
    grep -E 'stat::number_of_executed_units|Done [0-9]+ runs|ERROR|panicked|SUMMARY' "$work/log" || true
    local execs
    execs="$(grep -oE 'stat::number_of_executed_units: *[0-9]+' "$work/log" | grep -oE '[0-9]+$' || echo 0)"
    printf '%s\t%s\t%s\t%s\t%s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$target" "$execs" \
        "$([ "$status" = 0 ] && echo 0 || echo 1)" "$sanitizer" >> fuzz/stats.log
    if [ "$status" != 0 ]; then
        echo "FUZZ FAILURE in $target (exit $status); last lines:" >&2
        tail -40 "$work/log" >&2
    fi
    rm -rf "$work"
    return "$status"
}

case "${1:-smoke}" in
    list)
        printf '%s\n' "${TARGETS[@]}"
        ;;
    smoke)
        seconds="${2:-30}"
        build
        failed=()
        for t in "${TARGETS[@]}"; do
            echo "== fuzz $t (${seconds}s, sanitizer=$sanitizer)"
            run "$t" "$seconds" || failed+=("$t")
        done
        if [ "${#failed[@]}" -gt 0 ]; then
            echo "fuzz: crashes in ${failed[*]} (inputs under fuzz/artifacts/)" >&2
            exit 1
        fi
        echo "fuzz: no crash in ${#TARGETS[@]} targets"
        ;;
    long)
        target="${2:?target}"
        seconds="${3:?seconds}"
        build "$target"
        run "$target" "$seconds" "${4:--1}"
        ;;
    *)
        echo "usage: $0 smoke [SECONDS] | long TARGET SECONDS [RUNS] | list" >&2
        exit 2
        ;;
esac
