#!/usr/bin/env bash
# Runs Folio's libFuzzer targets (tests/fuzz) on their corpora.
#
#   scripts/fuzz.sh [TARGET|all] [SECONDS] [JOBS]
#                               default: all, 30 s each, one target at a time
#
# Builds the `fuzz` preset (clang, ASan + UBSan, coverage), seeds each corpus
# from the repository's fixtures, runs each target for SECONDS and prints one
# line per target: executions, corpus size and whether it found anything.
# Crashing inputs land in build/fuzz/findings/<target>/ (reproduce with
# build/fuzz/tests/fuzz/<target>_fuzz <file>). Exits 1 when a target found a
# crash, a leak or a broken property. docs/reliability.md has the campaigns.
set -euo pipefail
cd "$(dirname "$0")/.."

case "${1:-}" in
  -h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
esac
only="${1:-all}"
seconds="${2:-30}"
jobs="${3:-1}"
targets=(envelope command_json money alipay_notify wechat_notify unionpay_notify hmac_notify
         stmt_alipay stmt_wechatpay stmt_camt053 stmt_mt940 stmt_csv stmt_unionpay xml_reader zip
         http_api alipay_api wechat_api unionpay_api serve_config)
if [[ "$only" != all ]] && ! printf '%s\n' "${targets[@]}" | grep -qx "$only"; then
  echo "unknown target '$only'; one of: all ${targets[*]}" >&2
  exit 2
fi

scripts/build.sh fuzz >/dev/null
bin=build/fuzz/tests/fuzz
fixtures=tests/fixtures/statements

# Extra read-only corpus folders and the dictionary of each target.
extra_of() {
  case "$1" in
    stmt_alipay|zip) echo "$fixtures/alipay" ;;
    stmt_wechatpay) echo "$fixtures/wechatpay" ;;
    stmt_camt053|xml_reader) echo "$fixtures/camt053" ;;
    stmt_mt940) echo "$fixtures/mt940" ;;
    stmt_unionpay) echo "$fixtures/unionpay" ;;
  esac
  [[ -d tests/fuzz/seeds/$1 ]] && echo "tests/fuzz/seeds/$1"
  return 0
}
dict_of() {
  case "$1" in
    stmt_camt053|xml_reader) echo tests/fuzz/dict/xml.dict ;;
    stmt_mt940) echo tests/fuzz/dict/mt940.dict ;;
    command_json|wechat_notify|hmac_notify|serve_config) echo tests/fuzz/dict/json.dict ;;
    alipay_api|wechat_api|unionpay_api) echo tests/fuzz/dict/gateway_api.dict ;;
    http_api) echo tests/fuzz/dict/http.dict ;;
  esac
}

# Runs target $1; prints its line; exits 1 on a finding.
run_one() {
  local t=$1
  local corpus=build/fuzz/corpus/$t findings=build/fuzz/findings/$t log=build/fuzz/logs/$t.log
  mkdir -p "$corpus" "$findings" build/fuzz/logs
  if [[ "$t" == command_json ]]; then  # one command per seed
    local n=0 line
    while IFS= read -r line; do
      printf '%s' "$line" > "$corpus/history-$n.json"
      n=$((n + 1))
    done < tests/data/history.jsonl
  fi
  # Targets that sign what they fuzz write their own seeds (the run's keys).
  FOLIO_FUZZ_SEEDS="$corpus" "$bin/${t}_fuzz" -runs=0 "$corpus" >/dev/null 2>&1 || true
  local args=(-max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=2048
              -artifact_prefix="$findings/" -print_final_stats=1)
  local dict verdict=ok status=0
  dict=$(dict_of "$t")
  [[ -n "$dict" ]] && args+=(-dict="$dict")
  local started=$SECONDS
  # shellcheck disable=SC2046
  if ! "$bin/${t}_fuzz" "${args[@]}" "$corpus" $(extra_of "$t") >"$log" 2>&1; then
    verdict="FINDING (see $log and $findings/)"
    status=1
  fi
  local runs
  runs=$(grep -o 'stat::number_of_executed_units: [0-9]*' "$log" | grep -o '[0-9]*$' || echo 0)
  printf '%-16s %10s executions in %ss, corpus %s files: %s\n' "$t" "${runs:-0}" \
    "$((SECONDS - started))" \
    "$(find "$corpus" -type f | wc -l)" "$verdict"
  return $status
}

failed=0
running=0
for t in "${targets[@]}"; do
  [[ "$only" == all || "$only" == "$t" ]] || continue
  if ((jobs <= 1)); then
    run_one "$t" || failed=1
    continue
  fi
  if ((running >= jobs)); then
    wait -n || failed=1
    running=$((running - 1))
  fi
  run_one "$t" &
  running=$((running + 1))
done
while ((running > 0)); do
  wait -n || failed=1
  running=$((running - 1))
done
exit $failed
