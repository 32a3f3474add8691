#!/bin/sh
# Installs the build and test dependencies on Debian 12 (idempotent), then
# the dashboard's npm packages (from dashboard/package-lock.json).
set -e
PKGS="build-essential pkg-config clang libicu-dev libjansson-dev libxml2-dev libsqlite3-dev sqlite3 libpq-dev postgresql libmicrohttpd-dev libcurl4-openssl-dev libhiredis-dev redis-server curl wordnet-base iso-codes chromium valgrind python3 time"
missing=""
for p in $PKGS; do dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"; done
# Node.js: keep the one the machine has; Debian's only when there is none
command -v node >/dev/null 2>&1 || missing="$missing nodejs"
command -v npm >/dev/null 2>&1 || missing="$missing npm"
if [ -n "$missing" ]; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing
fi
cd "$(dirname "$0")/../dashboard" && npm ci --no-audit --no-fund --loglevel=error
# the gazetteer's sources (GeoNames-derived, tools/geo/package-lock.json)
cd ../tools/geo && npm ci --no-audit --no-fund --loglevel=error
