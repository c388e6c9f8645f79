#!/usr/bin/env bash
# The checks beyond the test suite (docs/reliability.md):
#
#   scripts/check.sh asan      the suite built with ASan + UBSan (no recovery)
#   scripts/check.sh tsan      the suite built with ThreadSanitizer
#   scripts/check.sh builds    plain Release, RelWithDebInfo and Debug builds
#                              with GCC and Clang, as a new user would configure
#   scripts/check.sh format    clang-format finds nothing to change
#   scripts/check.sh fuzz [S]  every fuzz target for S seconds (default 30)
#
# Each prints a summary and exits non-zero when something is wrong. Extra
# arguments of asan/tsan go to ctest (e.g. -R writer).
set -euo pipefail
cd "$(dirname "$0")/.."

what="${1:-}"
shift || true
case "$what" in
  asan|tsan)
    scripts/setup.sh >/dev/null
    scripts/build.sh "$what"
    # The million-event history is a throughput test: hours under a sanitizer,
    # and it exercises no code the other tests do not.
    export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:strict_string_checks=1"
    export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
    export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:suppressions=$PWD/tests/tsan.supp"
    export FOLIO_CRASH_ROUNDS="${FOLIO_CRASH_ROUNDS:-5}"
    ctest --preset "$what" --output-on-failure --timeout 3600 -j2 -E "million-event history" "$@"
    ;;
  builds)
    scripts/setup.sh >/dev/null
    for cxx in g++ clang++; do
      for type in Release RelWithDebInfo Debug; do
        dir="build/check-$cxx-$type"
        echo "== $cxx $type"
        cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE="$type" -DCMAKE_CXX_COMPILER="$cxx" \
          ${CCACHE:+-DCMAKE_CXX_COMPILER_LAUNCHER=ccache} >/dev/null
        cmake --build "$dir" --target folio >/dev/null
        echo "   ok"
      done
    done
    echo "builds: 6 of 6 ok"
    ;;
  format)
    mapfile -t files < <(git ls-files '*.cc' '*.h' '*.cpp')
    if clang-format --dry-run --Werror "${files[@]}" 2>/tmp/folio-format.log; then
      echo "format: ${#files[@]} files, no change needed"
    else
      grep -o '^[^:]*' /tmp/folio-format.log | sort -u | sed 's/^/needs clang-format: /'
      echo "format: run clang-format -i on the files above" >&2
      exit 1
    fi
    ;;
  fuzz)
    scripts/fuzz.sh all "${1:-30}"
    ;;
  *)
    sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'
    [[ "$what" == -h || "$what" == --help ]] && exit 0
    exit 2
    ;;
esac
