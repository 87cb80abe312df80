#!/usr/bin/env bash
# A throwaway single-node Ceph with the RADOS gateway (S3), on 127.0.0.1 only, for tests and benchmarks.
#
#   scripts/services/radosgw.sh start [DIR]   start one monitor, one in-memory OSD (memstore) and radosgw in DIR
#                                             (default: a new temp dir), create a test user and the bucket, then
#                                             print the settings to use, one KEY=VALUE per line, on stdout
#   scripts/services/radosgw.sh stop DIR      stop those daemons and delete DIR
#
# Environment: RADOSGW_PORT (default: a free port), RADOSGW_BUCKET (default: docent).
# Several clusters may run at once (each has its own DIR, ports and fsid). A failed start stops what it started.
# Needs Debian's radosgw, ceph-mon and ceph-osd packages (apt-get install radosgw ceph-mon ceph-osd) and curl.
# Nothing is authenticated inside the cluster (auth none); S3 requests are signed with the fixed test keys below.
# `rgw frontends` sets tcp_nodelay=1: without it every S3 request waits ~40 ms for delayed ACKs.
set -euo pipefail

ACCESS_KEY=DOCENTTESTACCESSKEY0
SECRET_KEY=docent-test-secret-key-0000000000000000
REGION=us-east-1

log() { echo "radosgw.sh: $*" >&2; }
# The first port of a block of 20 free ports, aligned to 20, below Linux's ephemeral range: the monitor, radosgw and
# the OSD's ports all come from it. Clusters started one at a time (see start) thus never share a port, even after one
# of them stops: Ceph daemons that reach a port another cluster now uses fail with "wrong fsid".
free_block() {
  node -e '
    const net = require("net");
    const free = (port) => new Promise((ok) => { const s = net.createServer(); s.once("error", () => ok(false)); s.listen(port, "127.0.0.1", () => s.close(() => ok(true))); });
    (async () => {
      for (let i = 0; i < 300; i++) {
        const base = 20000 + 20 * Math.floor(Math.random() * 600);
        let ok = true;
        for (let port = base; port < base + 20 && ok; port++) ok = await free(port);
        if (ok) return console.log(base);
      }
      process.exit(1);
    })();'
}

stop() {
  local dir=$1
  [[ -d $dir ]] || return 0
  # Daemons delete their pid files as they exit: read them once.
  local pids=() pidfile
  for pidfile in "$dir"/run/*.pid; do
    [[ -f $pidfile ]] && pids+=("$(cat "$pidfile")")
  done
  if ((${#pids[@]} > 0)); then
    kill "${pids[@]}" 2>/dev/null || true
    for _ in $(seq 1 30); do
      local alive=0 pid
      for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
      ((alive)) || break
      sleep 0.1
    done
    kill -9 "${pids[@]}" 2>/dev/null || true
  fi
  rm -rf "$dir"
}

start() {
  for bin in ceph-mon ceph-osd radosgw radosgw-admin monmaptool ceph curl; do
    command -v "$bin" >/dev/null || { log "missing $bin: apt-get install -y radosgw ceph-mon ceph-osd curl"; exit 127; }
  done
  local dir=${1:-$(mktemp -d /tmp/docent-radosgw-XXXXXX)}
  # A start that fails part-way stops the daemons it already started (a ceph-mon left behind holds its port).
  trap 'status=$?; if ((status != 0)); then log "start failed; stopping what it started"; stop "'"$dir"'"; fi' EXIT
  trap 'exit 143' TERM INT
  mkdir -p "$dir"/{run,log,mon,osd0,rgw}
  # One start at a time on this machine, from choosing the ports until every daemon has bound them. The daemons must
  # not inherit the lock's descriptor (9>&-), or they would hold it for their whole life.
  exec 9>"${TMPDIR:-/tmp}/docent-radosgw.lock"
  flock 9
  local base
  base=$(free_block)
  local mon_port=$base
  local port=${RADOSGW_PORT:-$((base + 1))}
  local bucket=${RADOSGW_BUCKET:-docent}
  local fsid
  fsid=$(cat /proc/sys/kernel/random/uuid)
  local conf=$dir/ceph.conf
  cat >"$conf" <<EOF
[global]
fsid = $fsid
mon host = [v1:127.0.0.1:$mon_port]
public addr = 127.0.0.1
cluster addr = 127.0.0.1
ms bind ipv4 = true
ms bind ipv6 = false
ms bind msgr2 = false
ms bind port min = $((base + 2))
ms bind port max = $((base + 19))
auth cluster required = none
auth service required = none
auth client required = none
run dir = $dir/run
pid file = $dir/run/\$name.pid
admin socket = $dir/run/\$name.asok
log file = $dir/log/\$name.log
keyring = $dir/keyring
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
osd crush chooseleaf type = 0
mon allow pool size one = true
mon warn on pool no redundancy = false
mon data avail crit = 1
mon data avail warn = 2
osd objectstore = memstore
memstore device bytes = 2147483648
osd max object name len = 460
osd max object namespace len = 64
[mon.a]
mon data = $dir/mon
[osd.0]
osd data = $dir/osd0
[client.rgw.a]
rgw frontends = beast endpoint=127.0.0.1:$port tcp_nodelay=1
rgw data = $dir/rgw
rgw dns name = 127.0.0.1
EOF
  export CEPH_CONF=$conf
  log "starting in $dir (S3 on 127.0.0.1:$port)"
  monmaptool --create --fsid "$fsid" --addv a "[v1:127.0.0.1:$mon_port]" "$dir/monmap" >/dev/null
  ceph-authtool --create-keyring "$dir/keyring" --gen-key -n mon. --cap mon 'allow *' >/dev/null
  ceph-mon --mkfs -i a --monmap "$dir/monmap" -c "$conf" >/dev/null 2>&1
  ceph-mon -i a -c "$conf" 9>&-
  timeout 20 ceph -c "$conf" --connect-timeout 15 mon stat >/dev/null
  local osd_id
  osd_id=$(ceph -c "$conf" osd create)
  ceph-osd -i "$osd_id" --mkfs -c "$conf" >/dev/null 2>&1
  ceph-osd -i "$osd_id" -c "$conf" 9>&-
  radosgw -n client.rgw.a -c "$conf" 9>&-
  radosgw-admin -c "$conf" -n client.admin user create --uid=docent-test --display-name="Docent test" \
    --access-key="$ACCESS_KEY" --secret="$SECRET_KEY" >/dev/null
  local endpoint=http://127.0.0.1:$port
  for i in $(seq 1 200); do
    if curl -s -o /dev/null --max-time 2 "$endpoint/"; then break; fi
    [[ $i == 200 ]] && { log "radosgw did not answer on $endpoint; see $dir/log"; exit 1; }
    sleep 0.1
  done
  local status
  status=$(curl -s -o "$dir/bucket-response" -w "%{http_code}" --max-time 20 --aws-sigv4 "aws:amz:$REGION:s3" -H "x-amz-content-sha256: UNSIGNED-PAYLOAD" \
    --user "$ACCESS_KEY:$SECRET_KEY" -X PUT "$endpoint/$bucket")
  [[ $status == 200 ]] || { log "creating bucket $bucket failed with HTTP $status: $(cat "$dir/bucket-response")"; exit 1; }
  flock -u 9
  exec 9>&-
  trap - EXIT TERM INT
  echo "RADOSGW_DIR=$dir"
  echo "RADOSGW_BUCKET=$bucket"
  echo "AWS_ENDPOINT=$endpoint"
  echo "AWS_ACCESS_KEY_ID=$ACCESS_KEY"
  echo "AWS_SECRET_ACCESS_KEY=$SECRET_KEY"
  echo "AWS_REGION=$REGION"
  echo "AWS_ALLOW_HTTP=true"
}

case ${1:-} in
  start) start "${2:-}" ;;
  stop) [[ -n ${2:-} ]] || { log "usage: $0 stop DIR"; exit 64; }; stop "$2" ;;
  *) log "usage: $0 start [DIR] | stop DIR"; exit 64 ;;
esac
