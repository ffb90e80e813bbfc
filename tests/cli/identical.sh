#!/bin/bash
# identical: the demo's renders (and three neighbours: the limiter working,
# shaped dither at 48 kHz) are bit-identical to what hpamp produced before
# the engines left the CLI (issue 13).  The checksums below were computed on
# commit 11b7869, before the move, from the PCM sox decodes out of each file
# (so a container detail, e.g. a FLAC vendor string, cannot matter): they
# pin behaviour, not correctness — the other tests measure that.
. "$(dirname "$0")/lib.sh" "$@"
need sha256sum

garzul=$(music loop_garzul)
compus=$(music loop_compus)

# check NAME SHA256 ARGS...: render ARGS to $T/NAME and compare the PCM's hash
check() {
    local name=$1 want=$2
    shift 2
    run "$@" -o "$T/$name"
    expect_rc 0 || return
    local got
    got=$(sox -V1 "$T/$name" -t raw - | sha256sum | cut -d' ' -f1)
    if [ "$got" = "$want" ]; then
        pass "$name: the PCM is bit-identical to the pre-move render"
    else
        fail "$name: PCM sha256 $got, before the move $want"
    fi
}

check demo-352k8-24bit.wav 9aac41abf660b749ffda2bdeb450b30223a8ffb4272f998b7a2fbf633388fc5f \
    render "$garzul" --rate 352800 --filter steep --bits 24
check demo-hd600-preset.flac 4538c1eaf28cc0f5dd5b48710097156a194f7534257176d9b06ed192311855a6 \
    render "$garzul" --preset hd600 --normalize -18
check limited.wav bcaefa71aa050c805eba3c0fdb42279b41bfe0dd9f79972500f7d348fdfeabc6 \
    render "$compus" --volume 6 --limit -1 --bits 16
check shaped48.wav 4e3e74a53955068f8642443a538db3c7e964e2a2b4c821675d6310d1b27437b4 \
    render "$garzul" --rate 48000 --bits 16 --dither shaped
finish
