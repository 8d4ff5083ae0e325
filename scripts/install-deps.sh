#!/bin/sh
# Installs the Debian 12 packages finshield builds, tests and demos with. Idempotent: packages
# already present are not downloaded again, and nothing is done when all are present.
set -eu

PACKAGES="
  build-essential cmake pkg-config clang clang-format libclang-rt-14-dev
  libmicrohttpd-dev libgnutls28-dev libjansson-dev libsqlite3-dev sqlite3 libsodium-dev
  libzstd-dev libyaml-dev libpcre2-dev libhyperscan-dev libcurl4-gnutls-dev libinih-dev
  libpq-dev postgresql libssl-dev zlib1g-dev libcmocka-dev
  python3 curl ca-certificates
  python3-aiosmtpd
  zstd
  libcairo2-dev libpango1.0-dev fonts-noto-cjk poppler-utils
  bsdutils rsyslog rsyslog-gnutls
"

missing=""
for p in $PACKAGES; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing="$missing $p"
  fi
done

if [ -z "$missing" ]; then
  echo "install-deps: all packages present"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "install-deps: installing:$missing"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing
