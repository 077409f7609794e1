# Shared by the demand-round grids (scripts/bench-weight-share, bench-query-share,
# bench-demand-focus, bench-adapter-compare, bench-written-demands): one ranker configuration
# on one round's corpus, judged with the round's qrels and the judgements added since
# (docs/judgements/).
#
#   source scripts/rounds.sh            # from the repository root; sets qiao and data
#   bench_round OUT ROUND CORPUS TAG [VAR=value ...] -- qiao-bench-retrieval-args...
#   bench_adapters OUT NAME=ADAPTER... -- ROUND...
#
# bench_round writes OUT/ROUND_CORPUS__TAG.{json,pq,run}. ROUND is `dev` (demands_dev in the
# shared data) or a round of bench/ (`blind`, `blind2`, …). bench_adapters runs, on both corpora
# of each round, lexical alone once and, for the shipped adapter and for each NAME (the file in
# QIAO_EMBED_ADAPTER), the hybrid in fused order (TAG hybrid-NAME), in the product's order
# (product-NAME) and semantic alone (semantic-NAME). With ROUND_QUERIES=DIR set, the queries are
# DIR/queries_ROUND_CORPUS.jsonl instead of the round's own (bench/demand-titles: the same
# demands as search-box titles, judged with the same qrels).
qiao="${QIAO_BIN:-target/release/qiao}"
data="${QIAO_SHARED_DATA:-../shared/data}"

bench_round() {
  local out=$1 round=$2 c=$3 tag=$4
  shift 4
  local envs=()
  while [[ $1 != -- ]]; do envs+=("$1"); shift; done
  shift
  local dir=bench/demands_$round
  [[ $round == dev ]] && dir=$data/demands_dev
  local queries=$dir/queries_$c.jsonl
  [[ -n ${ROUND_QUERIES:-} ]] && queries=$ROUND_QUERIES/queries_${round}_$c.jsonl
  local extra=()
  local judged=docs/judgements/demands_${round}_$c.tsv
  [[ -f $judged ]] && extra=(--qrels-extra "$judged")
  local name=$out/${round}_${c}__$tag
  env "${envs[@]}" "$qiao" bench retrieval --corpus "$data/$c/corpus.jsonl" \
    --queries "$queries" --qrels "$dir/qrels_$c.tsv" "${extra[@]}" --json \
    --per-query "$name.pq" --run "$name.run" "$@" > "$name.json"
}

bench_adapters() {
  local out=$1
  shift
  local names=(shipped) envs=(QIAO_EMBED_ADAPTER="${QIAO_EMBED_ADAPTER:-}")
  while [[ $1 != -- ]]; do
    names+=("${1%%=*}")
    envs+=(QIAO_EMBED_ADAPTER="${1#*=}")
    shift
  done
  shift
  local round c i
  for round in "$@"; do
    for c in csl kppatent_zh; do
      bench_round "$out" "$round" "$c" lexical -- --ranker lexical
      for i in "${!names[@]}"; do
        bench_round "$out" "$round" "$c" "hybrid-${names[$i]}" "${envs[$i]}" -- --ranker hybrid \
          --no-strong-first
        bench_round "$out" "$round" "$c" "product-${names[$i]}" "${envs[$i]}" -- --ranker hybrid
        bench_round "$out" "$round" "$c" "semantic-${names[$i]}" "${envs[$i]}" -- --ranker semantic
      done
    done
  done
}
