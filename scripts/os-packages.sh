#!/usr/bin/env bash
# Best effort: Debian packages the tests use to make real speech, to draw Chinese labels and
# to play the sandbox's guided demo in a real browser.
# Installs only when running as root with apt; otherwise says what is missing and goes on
# (the tests that need them then skip, or fail under CI=true).
set -u
need=()
command -v espeak-ng >/dev/null 2>&1 || need+=(espeak-ng)
command -v sox >/dev/null 2>&1 || need+=(sox)
fc-list 2>/dev/null | grep -qi "wqy\|noto sans cjk" || need+=(fonts-wqy-microhei)
command -v chromium >/dev/null 2>&1 || need+=(chromium)  # the guided-demo browser test
command -v jq >/dev/null 2>&1 || need+=(jq)  # the README walk-through test
command -v curl >/dev/null 2>&1 || need+=(curl)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  apt-get update -qq >/dev/null 2>&1 || true
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null 2>&1 \
    || echo "os-packages: could not install ${need[*]}"
else
  echo "os-packages: please install ${need[*]} (Debian/Ubuntu: apt-get install ${need[*]})"
fi
exit 0
