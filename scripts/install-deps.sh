#!/bin/sh
# Installs the Debian 12 packages finshield builds, tests and demos with, and the portal's npm
# packages (web/package-lock.json, into web/node_modules: embedded into the binary at build time,
# and playwright-core and axe-core for the end-to-end tests). Idempotent: packages already present
# are not downloaded again, and nothing is done when all are present.
set -eu
cd "$(dirname "$0")/.."

PACKAGES="
  build-essential cmake pkg-config clang clang-format libclang-rt-14-dev
  libmicrohttpd-dev libgnutls28-dev libjansson-dev libsqlite3-dev sqlite3 libsodium-dev
  libzstd-dev libyaml-dev libpcre2-dev libhyperscan-dev libcurl4-gnutls-dev libinih-dev
  libpq-dev postgresql libssl-dev zlib1g-dev libcmocka-dev libidn2-dev
  python3 curl ca-certificates
  python3-aiosmtpd
  zstd
  libcairo2-dev libpango1.0-dev fonts-noto-cjk poppler-utils
  bsdutils rsyslog rsyslog-gnutls
  chromium fonts-noto-cjk
"
# Node.js and npm for the portal's packages: Debian's, unless a Node.js (with its npm) is there.
if ! command -v npm >/dev/null 2>&1; then
  PACKAGES="$PACKAGES nodejs npm"
fi

missing=""
for p in $PACKAGES; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing="$missing $p"
  fi
done

if [ -z "$missing" ]; then
  echo "install-deps: all packages present"
else
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  echo "install-deps: installing:$missing"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  # shellcheck disable=SC2086
  $SUDO apt-get install -y -qq --no-install-recommends $missing
fi

# The portal's npm packages, exactly as locked; again only when the lockfile changed since.
if [ ! -f web/node_modules/.package-lock.json ] ||
   [ web/package-lock.json -nt web/node_modules/.package-lock.json ]; then
  echo "install-deps: npm ci in web/"
  (cd web && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
fi
