#!/usr/bin/env bash
# Builds localpg:MAJOR, a local image that behaves like the official postgres image for testcontainers
# (POSTGRES_USER/PASSWORD/DB/INITDB_ARGS, `postgres -c ...` as the command, pg_isready for the health
# check), from Debian's PostgreSQL packages with debootstrap: no image registry is reachable from CI.
# Adapted from the team's shared/docker/build-postgres-image.sh. Needs a running engine and root.
# Usage: .ci/docker/build-postgres-image.sh [MAJOR]   (default 15, the major Debian 12 packages)
set -euo pipefail
major="${1:-15}"
tag="localpg:${major}"
if docker image inspect "$tag" >/dev/null 2>&1; then echo "$tag already exists"; exit 0; fi
command -v debootstrap >/dev/null 2>&1 || { apt-get update -qq; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null; }
work=$(mktemp -d /var/tmp/localpg.XXXXXX)
trap 'rm -rf "$work"' EXIT
# postgresql-contrib: pg_stat_statements and pgstattuple, which execbench loads.
debootstrap --variant=minbase --include="postgresql-${major},postgresql-contrib" bookworm "$work/rootfs" >"$work/debootstrap.log" 2>&1 \
  || { tail -5 "$work/debootstrap.log" >&2; exit 1; }
here=$(cd "$(dirname "$0")" && pwd)
install -m 0755 "$here/postgres-entrypoint.sh" "$work/rootfs/usr/local/bin/docker-entrypoint.sh"
sed -i "s/@MAJOR@/${major}/" "$work/rootfs/usr/local/bin/docker-entrypoint.sh"
for b in postgres initdb pg_ctl pg_isready; do ln -sf "/usr/lib/postgresql/${major}/bin/$b" "$work/rootfs/usr/local/bin/$b"; done
rm -rf "$work/rootfs/var/lib/postgresql/${major}" "$work/rootfs/var/cache/apt/archives/"*.deb
tar -C "$work/rootfs" -c . | docker import \
  --change 'ENTRYPOINT ["/usr/local/bin/docker-entrypoint.sh"]' \
  --change 'CMD ["postgres"]' --change 'EXPOSE 5432' \
  --change 'ENV PGDATA=/var/lib/postgresql/data' - "$tag" >/dev/null
echo "built $tag ($(docker image inspect -f '{{.Size}}' "$tag" | awk '{printf "%.0f MB", $1/1e6}'))"
