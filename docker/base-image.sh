#!/usr/bin/env bash
# A local Debian bookworm base image with python3 and venv, for building docker/Dockerfile where no image
# registry is reachable (`make test-docker`): debootstrap's minbase, imported with `docker import`.
# The host's CA bundle replaces the image's, so pip inside the build trusts what the host trusts
# (a proxy's CA included); the image stays local, it is never pushed.
#   usage: docker/base-image.sh TAG      (does nothing if TAG exists)
set -euo pipefail
tag=${1:?usage: docker/base-image.sh TAG}
docker=${DOCKER:-docker}
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
if "$docker" image inspect "$tag" >/dev/null 2>&1; then
    echo "base image $tag: already there"
    exit 0
fi
command -v debootstrap >/dev/null || { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y debootstrap; }
# The bundle Python's ssl reads on the host (SSL_CERT_FILE if set, else the distribution's).
ca_bundle=$(python3 -c 'import ssl; print(ssl.get_default_verify_paths().cafile or "")')
test -s "$ca_bundle" || { echo "no CA bundle found on the host (set SSL_CERT_FILE)" >&2; exit 1; }
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
echo "base image $tag: debootstrap bookworm into $root (a few minutes)"
debootstrap --variant=minbase --include=python3,python3-venv,ca-certificates bookworm "$root" "$mirror" >"$root.log" 2>&1 \
    || { tail -30 "$root.log" >&2; rm -f "$root.log"; exit 1; }
rm -f "$root.log"
cp "$ca_bundle" "$root/etc/ssl/certs/ca-certificates.crt"
rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
# pip (Debian's ensurepip wheel) reads its own bundle unless told: point it at the system one.
tar -C "$root" --numeric-owner -c . | "$docker" import \
    --change 'ENV PIP_CERT=/etc/ssl/certs/ca-certificates.crt' \
    --change 'ENV LANG=C.UTF-8' \
    --change 'CMD ["python3"]' \
    - "$tag"
echo "base image $tag: made"
