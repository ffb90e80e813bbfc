#!/bin/sh
# Install the Debian packages hpamp needs to build, test (lint too), benchmark and demo,
# if any are missing.  As root it runs apt-get; otherwise sudo; otherwise it
# says what to install and fails.
set -eu

PACKAGES="gcc g++ make meson ninja-build pkg-config
libsndfile1-dev libsoxr-dev libfftw3-dev libcmocka-dev
libasound2-dev alsa-utils libpipewire-0.3-dev pipewire pipewire-bin wireplumber pipewire-pulse pulseaudio-utils
libebur128-dev libcairo2-dev ffmpeg libbs2b-dev libinih-dev
libflac-dev libvorbis-dev flac vorbis-tools help2man man-db
sonic-pi-samples sox libsox-fmt-all opus-tools
clang-tidy clang-format
lv2-dev lilv-utils sordi
libmicrohttpd-dev libcjson-dev chromium nodejs"

missing=""
for p in $PACKAGES; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done
# npm: its own package on Debian, part of nodejs where that comes from NodeSource
command -v npm >/dev/null 2>&1 || missing="$missing npm"
[ -z "$missing" ] && exit 0

echo "hpamp: installing Debian packages:$missing"
if [ "$(id -u)" = 0 ]; then
    SUDO=""
elif command -v sudo >/dev/null 2>&1; then
    SUDO="sudo"
else
    echo "hpamp: need root to install:$missing" >&2
    echo "hpamp: run as root: apt-get install$missing" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q >/dev/null
# shellcheck disable=SC2086
$SUDO apt-get install -y -q --no-install-recommends $missing >/dev/null
