"""tests/advise/checks.py — the python side of the advise scripts: one line per
check ("ok" or "FAIL" and what), and the exit status at the end."""
import sys

bad = checks = 0


def ok(cond, what):
    global bad, checks
    checks += 1
    bad += not cond
    print("%s  %s" % ("ok   " if cond else "FAIL ", what))


def done():
    print("-- %d checks, %d failed" % (checks, bad))
    sys.exit(1 if bad else 0)


def music_crest(tracks, percentile=95.0, min_s=30.0):
    """The target's crest as docs/advise.md defines it, from another program's
    numbers: tracks is [(name, crest_db, seconds)]; the files of at least min_s
    count (all of them when none does); the smallest crest c whose tracks at or
    below it play for at least percentile % of the counted time.
    Returns (crest, name, counted names)."""
    counted = [t for t in tracks if t[2] >= min_s] or list(tracks)
    total = sum(t[2] for t in counted)
    for c, name, _ in sorted((t[1], t[0], t[2]) for t in counted):
        if sum(t[2] for t in counted if t[1] <= c) >= total * percentile / 100.0 * (1 - 1e-12):
            return c, name, [t[0] for t in counted]
    raise ValueError("no tracks")
