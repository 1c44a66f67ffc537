# Sourced by bench/profile and bench/edge-overhead: start the JWKS issuer of the harness, the S3
# server and the suite as bench/run configures it (bench/out/bench.env), the six services pinned
# to CPU 0; everything started here is stopped by PID when the sourcing script exits.
# Needs: root, out, peers, procfile (a Procfile), log_dir. Sets: edge, honcho_pid.
[ -f "$out/bench.env" ] && [ -f "$peers/.state/fuel_targets.suite.tsv" ] \
  || { echo "$0: run bench/run first (it writes bench/out/bench.env and the harness state)" >&2; exit 1; }
export PATH="$root/.venv/bin:$PATH"
set -a; . "$out/bench.env"; set +a
edge="http://127.0.0.1:$EDGE_PORT"
s3_port=$(sed -n 's#^VEHICLES_S3_ENDPOINT_URL=http://127.0.0.1:##p' "$out/bench.env")
if (exec 3<>"/dev/tcp/127.0.0.1/$EDGE_PORT") 2>/dev/null; then
  echo "$0: port $EDGE_PORT is in use (is bench/run still running?)" >&2; exit 1
fi

pids_to_stop=()
stop_started() {
  for pid in "${pids_to_stop[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids_to_stop[@]}"; do
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  done
  pids_to_stop=()
}
trap stop_started EXIT

(cd "$peers" && exec python3 driver/bench.py --serve-issuer) > "$log_dir/issuer.log" 2>&1 &
pids_to_stop+=($!)
moto_server -H 127.0.0.1 -p "$s3_port" > "$log_dir/s3.log" 2>&1 &
pids_to_stop+=($!)
taskset -c 0 honcho -f "$procfile" -d "$root" -e "$out/bench.env" start > "$log_dir/suite.log" 2>&1 &
honcho_pid=$!
# honcho first, so that it stops the services before the issuer and S3 go away.
pids_to_stop=("$honcho_pid" "${pids_to_stop[@]}")
for _ in $(seq 1 600); do
  curl -fs "$edge/api/health" >/dev/null 2>&1 && break
  kill -0 "$honcho_pid" 2>/dev/null || { echo "$0: the suite exited, see $log_dir/suite.log" >&2; exit 1; }
  sleep 0.2
done

suite_services() {  # "pid name" of the six services under this honcho (it forks one helper each)
  local helper pid name
  for helper in $(pgrep -P "$honcho_pid"); do
    for pid in $(pgrep -P "$helper"); do
      name=$(tr '\0' ' ' < "/proc/$pid/cmdline" | sed -n 's/.*-m services\.\([a-z_]*\).*/\1/p')
      [ -n "$name" ] && echo "$pid $name"
    done
  done
}
