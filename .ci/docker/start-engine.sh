#!/usr/bin/env bash
# Starts a Docker engine (Debian's docker.io) if none answers, for the container provider's integration
# tests. Adapted from the team's shared/docker/start-engine.sh (CI has no shared/ folder, so the logic
# lives here). Idempotent: a running engine is left as it is. Prints "started" when it started one.
# vfs storage: no overlay filesystem needed; no iptables: published ports go through docker-proxy, which
# listens on this machine's loopback too (execbench keeps the traffic there).
set -euo pipefail
if docker info >/dev/null 2>&1; then echo "already running"; exit 0; fi
if ! command -v dockerd >/dev/null 2>&1; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends docker.io >/dev/null
fi
nohup dockerd --iptables=false --ip-masq=false --storage-driver=vfs >/var/log/dockerd.log 2>&1 &
for _ in $(seq 1 60); do
  if docker info >/dev/null 2>&1; then echo "started"; exit 0; fi
  sleep 0.5
done
echo "the engine did not answer within 30 s (see /var/log/dockerd.log)" >&2
exit 1
