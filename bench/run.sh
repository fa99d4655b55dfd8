#!/usr/bin/env bash
# The benchmark of `topoform synth` as a whole process, on topologies that
# bench/scale.py writes: N clients, each an [instance] with a [failover]
# record, and one [fleet] with N clients.
#
#   bench/run.sh                 N = 1, 100, 1000, 10000
#   NS="100 1000" RUNS=5 bench/run.sh
#
# Per topology it prints what synth wrote (templates, resources, the most in
# one template, bytes) and, over RUNS runs after a warm-up, the median wall
# time (hyperfine, pinned, installed under .tools/ on first use) and the
# median peak RSS (GNU time's %M, one run at a time). The first row is a
# process that does nothing (`true`), for the cost of starting one. Each run
# writes over the previous run's output, as a user's synth does.
# These machines are shared: compare medians and ratios, and rerun.
set -euo pipefail
cd "$(dirname "$0")/.."
HYPERFINE_VERSION=1.19.0
hyperfine=$PWD/.tools/hyperfine/bin/hyperfine
if [[ ! -x $hyperfine ]]; then
  cargo install hyperfine --version "$HYPERFINE_VERSION" --locked --quiet --root .tools/hyperfine
fi
[[ -x /usr/bin/time ]] || { echo "GNU time (/usr/bin/time) is needed for peak RSS" >&2; exit 1; }
cargo build --release --locked --quiet
bin=$PWD/target/release/topoform
runs=${RUNS:-10}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# median of numbers, one a line
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

# wall time: hyperfine's median, in ms
wall() { # command...
  "$hyperfine" --style none --runs "$runs" --warmup 1 --export-json "$work/h.json" -N "$*" >/dev/null
  python3 -c 'import json,sys; print(round(json.load(open(sys.argv[1]))["results"][0]["median"]*1000, 1))' "$work/h.json"
}

# peak RSS: GNU time's maximum resident set size, median of the runs, in MB
rss() { # command...
  local i
  for ((i = 0; i < runs; i++)); do
    /usr/bin/time -f %M -o "$work/rss" "$@" >/dev/null 2>&1
    cat "$work/rss"
  done | median | awk '{printf "%.1f\n", $1/1024}'
}

# templates, resources, most resources in one template, bytes of templates
counts() { # dir
  python3 - "$1" <<'PY'
import json, pathlib, sys
paths = sorted(pathlib.Path(sys.argv[1]).glob("**/*.template.json"))
res = [len(json.loads(p.read_text())["Resources"]) for p in paths]
print(len(paths), sum(res), max(res), sum(p.stat().st_size for p in paths), sep="\t")
PY
}

printf 'topology\tclients\ttemplates\tresources\tmax/template\tbytes\tmedian wall ms\tmedian peak RSS MB\n'
printf 'true (a process that does nothing)\t-\t-\t-\t-\t-\t%s\t%s\n' "$(wall true)" "$(rss true)"
for shape in instance fleet; do
  for n in ${NS:-1 100 1000 10000}; do
    topo=$work/$shape-$n.topo.toml
    if [[ $shape == fleet ]]; then python3 bench/scale.py "$n" --fleet >"$topo"; else python3 bench/scale.py "$n" >"$topo"; fi
    out=$work/out-$shape-$n
    if ! "$bin" synth "$topo" -o "$out" 2>"$work/err"; then
      printf '%s\t%s\tdoes not compile: %s\n' "$shape" "$n" "$(grep -m1 '^error' "$work/err")"
      continue
    fi
    printf '%s\t%s\t%s\t%s\t%s\n' "$shape" "$n" "$(counts "$out")" \
      "$(wall "$bin" synth "$topo" -o "$out")" "$(rss "$bin" synth "$topo" -o "$out")"
  done
done
