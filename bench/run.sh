#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# bench/run.sh: how fast is 'cicflow convert' next to the fastest possible
# libpcap reader (bench/pcap_floor.c), does its peak RSS stay within
# 64 MiB + 512 bytes per open flow, and how fast is the corrected profile
# next to the cic one on the same capture?  See bench/README.md.
#
# usage: bench/run.sh [--packets N] [--rounds R] [--build-dir DIR]

set -eu

packets=5000000
rounds=5
build_dir=""
seed=1

prog=bench/run.sh

usage() {
  cat <<EOF
usage: $prog [--packets N] [--rounds R] [--build-dir DIR]

  --packets N      packets in the generated capture (default 5000000)
  --rounds R       timed rounds of each program (default 5)
  --build-dir DIR  where to build cicflow in Release
                   (default bench/out/build)

Generates (or reuses) bench/out/bench-N-seed$seed.pcap, builds cicflow and
bench/pcap_floor.c in Release, times the floor, convert (cic profile) and
convert --profile corrected R times each, in rotating order, and prints
medians; the table is also written to bench/out/results.txt.
EOF
}

die() {
  echo "$prog: $*" >&2
  exit 1
}

need_arg() {
  [ "$2" -ge 2 ] || { echo "$prog: $1 needs a value" >&2; usage >&2; exit 2; }
}

while [ $# -gt 0 ]; do
  case $1 in
    --packets) need_arg "$1" $#; packets=$2; shift 2 ;;
    --packets=*) packets=${1#*=}; shift ;;
    --rounds) need_arg "$1" $#; rounds=$2; shift 2 ;;
    --rounds=*) rounds=${1#*=}; shift ;;
    --build-dir) need_arg "$1" $#; build_dir=$2; shift 2 ;;
    --build-dir=*) build_dir=${1#*=}; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "$prog: unknown argument: $1" >&2; usage >&2; exit 2 ;;
  esac
done

positive() {
  case $2 in
    ''|*[!0-9]*) ;;
    *) [ "$2" -gt 0 ] && return 0 ;;
  esac
  echo "$prog: $1 wants a positive integer, not '$2'" >&2
  exit 2
}
positive --packets "$packets"
positive --rounds "$rounds"
packets=$((10#$packets))
rounds=$((10#$rounds))

# ---------------------------------------------------------------- paths

here=$(cd -- "$(dirname -- "$0")" && pwd)
root=$(cd -- "$here/.." && pwd)
[ -d "$root/../shared" ] || die "no shared/ directory next to $root"
shared=$(cd -- "$root/../shared" && pwd)
gen="$shared/tools/gen_bench_pcap.py"
out="$here/out"
if [ -z "$build_dir" ]; then
  build_dir="$out/build"
fi
mkdir -p "$out" "$build_dir"
build_dir=$(cd -- "$build_dir" && pwd)
floor_build="$out/floor-build"
pcap="$out/bench-$packets-seed$seed.pcap"
stamp="$pcap.size"
tmp="$out/tmp.$$"
csvdir="$tmp/csv"

cleanup() {
  rm -rf -- "$tmp" "$pcap.tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
mkdir -p "$tmp"

# ---------------------------------------------------------------- tools

if [ ! -x /usr/bin/time ]; then
  die "/usr/bin/time (GNU time) is missing; install it with:
    apt-get install -y time"
fi
/usr/bin/time -f '%e %M' -o "$tmp/probe" true 2>/dev/null ||
  die "/usr/bin/time is not GNU time (no -f/-o); apt-get install -y time"
[ -x /usr/bin/python3 ] || die "/usr/bin/python3 is needed by $gen"
[ -f "$gen" ] || die "generator not found: $gen"
command -v cmake >/dev/null || die "cmake is needed"

# ---------------------------------------------------------------- capture

filesize() {
  stat -c %s -- "$1"
}

if [ -f "$pcap" ] && [ -f "$stamp" ] &&
   [ "$(filesize "$pcap")" = "$(cat -- "$stamp")" ]; then
  echo "capture: reusing $pcap ($(cat -- "$stamp") bytes)" >&2
else
  rm -f -- "$pcap" "$stamp"
  echo "capture: generating $packets packets into $pcap" \
       "(about 15 s per million packets)" >&2
  start=$(date +%s)
  if ! /usr/bin/python3 "$gen" --packets "$packets" --seed "$seed" \
         --out "$pcap.tmp" 2>"$out/gen.log"; then
    cat "$out/gen.log" >&2
    die "generator failed"
  fi
  mv -- "$pcap.tmp" "$pcap"
  filesize "$pcap" >"$stamp"
  echo "capture: $(cat -- "$stamp") bytes in $(( $(date +%s) - start )) s" >&2
fi
capture_bytes=$(filesize "$pcap")

# ---------------------------------------------------------------- builds

build() {
  local what=$1 src=$2 dir=$3 target=$4 log="$out/build-$1.log"
  echo "build: $what (Release) in $dir" >&2
  if ! { cmake -S "$src" -B "$dir" -DCMAKE_BUILD_TYPE=Release &&
         cmake --build "$dir" --target "$target" -j2; } >"$log" 2>&1; then
    tail -n 40 "$log" >&2
    die "building $what failed (full log: $log)"
  fi
}

build cicflow "$root" "$build_dir" cicflow
build pcap_floor "$here" "$floor_build" pcap_floor
cicflow="$build_dir/cli/cicflow"
floor="$floor_build/pcap_floor"
[ -x "$cicflow" ] || die "no cicflow binary at $cicflow"
[ -x "$floor" ] || die "no pcap_floor binary at $floor"
build_type=$(sed -n 's/^CMAKE_BUILD_TYPE:[A-Z]*=//p' \
               "$build_dir/CMakeCache.txt")

# ---------------------------------------------------------------- runs

# key NAME FILE: the value of NAME=... among the words of FILE
key() {
  tr ' ' '\n' <"$2" | sed -n "s/^$1=//p" | head -n 1
}

# timed FILE CMD...: runs CMD under GNU time, "seconds rss_kib" into FILE
timed() {
  local tf=$1
  shift
  if ! /usr/bin/time -f '%e %M' -o "$tf" "$@"; then
    cat "$tf" >&2
    return 1
  fi
}

run_floor() {
  if ! timed "$tmp/time" "$floor" "$pcap" >"$tmp/floor.out"; then
    die "pcap_floor failed"
  fi
  read -r f_s f_kb <"$tmp/time"
  f_pk=$(key packets "$tmp/floor.out")
}

# run_convert PROFILE: one timed conversion, results in the c_* variables
run_convert() {
  rm -rf -- "$csvdir"
  mkdir -p "$csvdir"
  if ! timed "$tmp/time" "$cicflow" convert -q --stats --profile "$1" \
         -o "$csvdir" "$pcap" 2>"$tmp/convert.err"; then
    cat "$tmp/convert.err" >&2
    die "cicflow convert failed"
  fi
  grep '^stats ' "$tmp/convert.err" >"$tmp/stats" ||
    die "cicflow printed no stats line"
  read -r c_s c_kb <"$tmp/time"
  c_pk=$(key packets_read "$tmp/stats")
  c_peak=$(key peak_open_flows "$tmp/stats")
  c_state=$(key flow_state_bytes "$tmp/stats")
  c_flows=$(key flows_written "$tmp/stats")
  c_csv=$(find "$csvdir" -type f -printf '%s\n' |
          awk '{ s += $1 } END { print s + 0 }')
  rm -rf -- "$csvdir"
}

echo "warm-up: one untimed read of the capture (page cache)" >&2
"$floor" "$pcap" >"$tmp/floor.out" || die "pcap_floor failed"
warm_pk=$(key packets "$tmp/floor.out")
[ "$warm_pk" = "$packets" ] ||
  die "$pcap holds $warm_pk packets, not $packets; delete it and rerun"

load_before=$(cut -d ' ' -f 1-3 /proc/loadavg)
rows="$out/rounds.tsv"
printf 'round\tfloor_s\tfloor_kib\tfloor_pkts\tconvert_s\tconvert_kib' \
  >"$rows"
printf '\tconvert_pkts\tpeak_open_flows\tflow_state_bytes' >>"$rows"
printf '\tflows_written\tcsv_bytes\tcorr_s\tcorr_kib\tcorr_pkts' >>"$rows"
printf '\tcorr_flows\n' >>"$rows"

run_cic() {
  run_convert cic
}

# The corrected profile's figures go to the x_* variables.
run_corrected() {
  local s=$c_s kb=$c_kb pk=$c_pk peak=$c_peak state=$c_state
  local flows=$c_flows csv=$c_csv

  run_convert corrected
  x_s=$c_s x_kb=$c_kb x_pk=$c_pk x_flows=$c_flows
  c_s=$s c_kb=$kb c_pk=$pk c_peak=$peak c_state=$state
  c_flows=$flows c_csv=$csv
}

r=1
while [ "$r" -le "$rounds" ]; do
  # rotate which program goes first so drift hits all alike
  case $((r % 3)) in
    1) run_floor; run_cic; run_corrected ;;
    2) run_cic; run_corrected; run_floor ;;
    0) run_corrected; run_floor; run_cic ;;
  esac
  echo "round $r/$rounds: floor ${f_s} s, convert ${c_s} s," \
       "corrected ${x_s} s" >&2
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s' "$r" \
    "$f_s" "$f_kb" "$f_pk" "$c_s" "$c_kb" "$c_pk" "$c_peak" "$c_state" \
    "$c_flows" "$c_csv" >>"$rows"
  printf '\t%s\t%s\t%s\t%s\n' "$x_s" "$x_kb" "$x_pk" "$x_flows" >>"$rows"
  r=$((r + 1))
done
load_after=$(cut -d ' ' -f 1-3 /proc/loadavg)

# ---------------------------------------------------------------- report

commit=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)
dirty=$(git -C "$root" status --porcelain -- flowengine cli cmake \
          CMakeLists.txt 2>/dev/null | cut -c 4- | tr '\n' ' ')
if [ -n "$dirty" ]; then
  commit="$commit + uncommitted changes in: ${dirty% }"
fi
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)

{
  echo "cicflow convert benchmark, $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "capture   ${pcap#"$root/"}"
  echo "          $packets packets, $capture_bytes bytes" \
       "(generator seed $seed)"
  echo "cicflow   $commit, ${build_type:-?} build in $build_dir"
  echo "machine   $(nproc) CPUs, ${cpu:-unknown CPU}, $(uname -sr)"
  echo "load      $load_before before, $load_after after" \
       "(1/5/15-minute averages)"
  echo "rounds    $rounds, floor, convert and corrected in rotating" \
       "order; wall time and peak RSS by GNU time"
  echo
  awk -F '\t' -v bytes="$capture_bytes" -v packets="$packets" '
    function med(a, n,   i, j, t) {
      for (i = 2; i <= n; i++)
        for (j = i; j > 1 && a[j - 1] > a[j]; j--) {
          t = a[j]; a[j] = a[j - 1]; a[j - 1] = t
        }
      return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
    }
    # GNU time prints 2 decimals; never divide by a zero reading
    function secs(s) { return s < 0.01 ? 0.01 : s }
    NR == 1 {
      printf "%5s %9s %9s %12s %12s %7s %9s\n", "round", "floor_s",
        "convert_s", "floor_pkt/s", "conv_pkt/s", "ratio", "conv_RSS"
      next
    }
    {
      n++
      fs[n] = $2; cs[n] = $5
      fp[n] = $4 / secs($2); cp[n] = $7 / secs($5)
      fm[n] = bytes / 1e6 / secs($2); cm[n] = bytes / 1e6 / secs($5)
      ratio[n] = cp[n] / fp[n]
      frss[n] = $3 / 1024; crss[n] = $6 / 1024
      if (crss[n] > crss_max) crss_max = crss[n]
      peak = $8; state = $9; flows = $10; csv = $11
      xs[n] = $12; xp[n] = $14 / secs($12); xrss[n] = $13 / 1024
      xratio[n] = xp[n] / cp[n]; xflows = $15
      if ($4 != $7 || $4 != packets || $4 != $14) mismatch = 1
      if ($2 < 1 || $5 < 1) coarse = 1
      printf "%5d %9.2f %9.2f %12.0f %12.0f %7.3f %5.1f MiB\n", $1, $2, $5,
        fp[n], cp[n], ratio[n], crss[n]
    }
    END {
      budget = 64 * 1024 * 1024 + 512 * peak
      used = crss_max * 1024 * 1024
      print ""
      printf "%-34s %14s %14s\n", "medians over " n " rounds",
        "floor (a)", "convert (b)"
      printf "%-34s %14.2f %14.2f\n", "wall seconds", med(fs, n), med(cs, n)
      printf "%-34s %14.0f %14.0f\n", "packets/s", med(fp, n), med(cp, n)
      printf "%-34s %14.1f %14.1f\n", "MB/s (capture file, 1 MB = 1e6 B)",
        med(fm, n), med(cm, n)
      printf "%-34s %10.1f MiB %10.1f MiB\n", "peak RSS", med(frss, n),
        med(crss, n)
      print ""
      printf "%-34s %14.3f\n", "ratio (b)/(a) of packet rates",
        med(ratio, n)
      printf "%-34s %14.1f x\n", "  i.e. convert takes longer by",
        1 / med(ratio, n)
      printf "%-34s %14d\n", "flows written", flows
      printf "%-34s %14.0f\n", "CSV bytes written", csv
      printf "%-34s %14d\n", "peak open flows", peak
      printf "%-34s %14d\n", "flow_state_bytes", state
      print ""
      printf "%-34s %14s %14s\n", "medians over " n " rounds",
        "cic (b)", "corrected (c)"
      printf "%-34s %14.2f %14.2f\n", "wall seconds", med(cs, n), med(xs, n)
      printf "%-34s %14.0f %14.0f\n", "packets/s", med(cp, n), med(xp, n)
      printf "%-34s %10.1f MiB %10.1f MiB\n", "peak RSS", med(crss, n),
        med(xrss, n)
      printf "%-34s %14d %14d\n", "flows written", flows, xflows
      printf "%-34s", "ratio (c)/(b) per round"
      for (i = 1; i <= n; i++) printf " %.3f", xratio[i]
      print ""
      xmed = med(xratio, n)
      printf "%-34s %14.3f -> %s\n", "ratio (c)/(b), median", xmed,
        (xmed >= 0.9 ? "within 10 %" : "SLOWER")
      print ""
      printf "RSS budget: 64 MiB + 512 B x %d flows = %.1f MiB\n", peak,
        budget / 1048576
      printf "peak RSS of convert (max over rounds) = %.1f MiB -> %s\n",
        crss_max, used < budget ? "PASS" : "FAIL"
      if (coarse)
        print "NOTE: runs under 1 s; GNU time counts 10 ms steps," \
          " so these rates are rough (use more --packets)"
      if (mismatch)
        print "WARNING: a run read a packet count other than " packets
    }' "$rows"
} >"$tmp/results"

cp -- "$tmp/results" "$out/results.txt"
cat -- "$tmp/results"
grep -q -- '-> PASS$' "$tmp/results" || budget_fail=1
echo "(written to ${out#"$root/"}/results.txt; per-round data in" \
     "${rows#"$root/"})" >&2
if [ "${budget_fail:-0}" = 1 ]; then
  die "peak RSS is over budget (or could not be checked)"
fi
