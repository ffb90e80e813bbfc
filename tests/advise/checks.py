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
