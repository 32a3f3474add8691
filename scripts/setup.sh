#!/bin/sh
# Installs the build and test dependencies on Debian 12 (idempotent).
set -e
PKGS="build-essential pkg-config clang libicu-dev libjansson-dev libxml2-dev libsqlite3-dev sqlite3 libmicrohttpd-dev curl wordnet-base python3"
missing=""
for p in $PKGS; do dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"; done
if [ -n "$missing" ]; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing
fi
