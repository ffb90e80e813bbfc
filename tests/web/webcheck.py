#!/usr/bin/env python3
"""tests/web/webcheck.py — speaks hpamp's control API for the tests (the
standard library only).  Each check prints "ok    WHAT" or "FAIL  WHAT";
the exit status is the number of failures (capped at 100).

  webcheck.py schema BASE TOKEN            every GET endpoint against its schema
  webcheck.py security BASE TOKEN          401, 403, 413, the headers
  webcheck.py fuzz BASE TOKEN N SEED       N random bodies at every POST endpoint
  webcheck.py storm BASE TOKEN N           N requests, up to 100 at a time
  webcheck.py get BASE TOKEN PATH          prints the JSON
  webcheck.py post BASE TOKEN PATH JSON    prints "STATUS JSON"
  webcheck.py rms WAV                      the level of WAV's middle half, dBFS (a sine at 0 dBFS: 0),
                                           the median of its 50 ms blocks
  webcheck.py peaking F0 GAIN Q RATE BASE TOKEN   GET curves against the Audio EQ Cookbook
  webcheck.py zout ZPEAK FPEAK ZNOM ZOUT TOL BASE TOKEN   GET curves' output-impedance series
  webcheck.py rbj F0 GAIN Q RATE F         the Cookbook's peaking filter's response at F, dB
  webcheck.py lufs BASE TOKEN              the short-term loudness of the next meter event, LUFS
"""
import concurrent.futures
import http.client
import json
import math
import random
import re
import select
import socket
import struct
import sys
import urllib.parse
import wave

failures = 0


def ok(what):
    print("ok    " + what, flush=True)


def bad(what):
    global failures
    failures += 1
    print("FAIL  " + what, flush=True)


def check(cond, what):
    (ok if cond else bad)(what)
    return cond


def request(base, method, path, token=None, body=None, headers=None, raw=None, timeout=10):
    u = urllib.parse.urlsplit(base)
    c = http.client.HTTPConnection(u.hostname, u.port, timeout=timeout)
    h = {}
    if token is not None:
        h["Authorization"] = "Bearer " + token
    if body is not None:
        raw = json.dumps(body).encode()
    if raw is not None:
        h["Content-Type"] = "application/json"
    h.update(headers or {})
    try:
        c.request(method, path, body=raw, headers=h)
        r = c.getresponse()
        data = r.read()
        return r.status, dict((k.lower(), v) for k, v in r.getheaders()), data
    finally:
        c.close()


def get_json(base, token, path):
    st, hd, data = request(base, "GET", "/api/v1/" + path, token)
    return st, hd, json.loads(data)


# ---- schemas: a type, or a dict of key -> schema, or [schema] for arrays ----
NUM = (int, float)
NUMN = (int, float, type(None))
STRN = (str, type(None))
SCHEMAS = {
    "state": {
        "volume_db": NUM, "volume_spl_db": NUMN, "muted": bool, "acknowledged": bool,
        "ceiling_db": NUM, "ceiling_spl_db": NUMN, "safe_db": NUM, "safe_spl_db": NUMN,
        "limit_dbtp": NUM, "spl_known": bool, "spl_at_0dbfs": NUMN,
        "eq": {"available": bool, "on": bool, "bands": NUM, "preamp_db": NUMN},
        "crossfeed": {"on": bool},
        "headphones": STRN, "source": STRN, "profile": STRN, "preset": STRN,
        "ranges": {"volume_db": {"min": NUM, "max": NUM, "unit": str}},
        "player": {"file": STRN, "index": NUM, "files": NUM, "position_s": NUMN, "length_s": NUMN,
                   "in_rate_hz": NUM},
        "device": {"backend": STRN, "name": STRN, "rate_hz": NUM, "channels": NUM, "format": STRN,
                   "period_frames": NUM},
        "limiter_db": NUMN, "clipped": NUM, "xruns": NUM,
        "dose": {"recorded": bool, "week_percent": NUMN},
    },
    "presets": {"builtin": [str], "user": [str], "current": STRN},
    "dose": {"recorded": bool, "days": [{"date": str, "listened_s": NUM, "pa2h": NUM, "percent": NUM}]},
    "curves": {"freq_hz": [NUM], "eq_db": ([NUM], type(None)), "eq_preamp_db": NUMN,
               "zout_db": ([NUM], type(None)), "zout_ohm": NUMN},
    "devices": {"current": {"backend": STRN, "name": STRN, "rate_hz": NUM, "channels": NUM, "format": STRN},
                "alsa_cards": [{"index": NUM, "device": str}]},
}
METERS = {"peak_dbfs": [NUMN], "level_dbfs_a": NUMN, "shortterm_dbfs_a": NUMN, "spl_a_db": NUMN,
          "shortterm_spl_a_db": NUMN, "shortterm_lufs": NUMN, "limiter_db": NUMN, "clipped": NUM, "xruns": NUM, "position_s": NUMN,
          "volume_db": NUM, "muted": bool}


def conforms(v, s, where, errs):
    if isinstance(s, tuple) and any(isinstance(x, (dict, list)) for x in s):
        for alt in s:
            e = []
            conforms(v, alt, where, e)
            if not e:
                return
        errs.append(where + ": " + repr(v)[:60])
    elif isinstance(s, dict):
        if not isinstance(v, dict):
            errs.append(where + ": not an object")
            return
        for k, sub in s.items():
            if k not in v:
                errs.append(where + "." + k + ": missing")
            else:
                conforms(v[k], sub, where + "." + k, errs)
    elif isinstance(s, list):
        if not isinstance(v, list):
            errs.append(where + ": not an array")
            return
        for i, x in enumerate(v):
            conforms(x, s[0], "%s[%d]" % (where, i), errs)
    elif isinstance(v, bool) and s is not bool and not (isinstance(s, tuple) and bool in s):
        errs.append(where + ": a boolean")
    elif not isinstance(v, s):
        errs.append("%s: %r is not %s" % (where, v, s))


def events(base, token, n, timeout=10):
    """the first n server-sent events' data as objects, and the headers"""
    u = urllib.parse.urlsplit(base)
    c = http.client.HTTPConnection(u.hostname, u.port, timeout=timeout)
    c.request("GET", "/api/v1/events", headers={"Authorization": "Bearer " + token})
    r = c.getresponse()
    out = []
    hd = dict((k.lower(), v) for k, v in r.getheaders())
    while len(out) < n:
        line = r.fp.readline()
        if not line:
            break
        line = line.decode().rstrip("\n")
        if line.startswith("data: "):
            out.append(json.loads(line[6:]))
    c.close()
    return hd, out


def cmd_schema(base, token):
    for name, s in SCHEMAS.items():
        st, hd, j = get_json(base, token, name)
        errs = []
        conforms(j, s, name, errs)
        check(st == 200 and hd.get("content-type") == "application/json" and not errs,
              "GET %s: 200, application/json, the schema holds %s" % (name, "; ".join(errs[:3])))
    _, d = get_json(base, token, "dose")[::2], None
    st, _, d = get_json(base, token, "dose")
    if d.get("recorded"):
        check(len(d["days"]) == 7, "GET dose: 7 days (%d)" % len(d["days"]))
    import time
    t0 = time.monotonic()
    hd, ev = events(base, token, 12)
    dt = time.monotonic() - t0
    errs = []
    for i, e in enumerate(ev):
        conforms(e, METERS, "event%d" % i, errs)
    check(hd.get("content-type") == "text/event-stream" and len(ev) == 12 and not errs,
          "GET events: 12 meter events, the schema holds %s" % "; ".join(errs[:3]))
    check(0.9 <= dt <= 2.5, "GET events: 12 events in %.2f s (10 a second after the first)" % dt)


def cmd_security(base, token):
    u = urllib.parse.urlsplit(base)
    st, hd, _ = request(base, "GET", "/api/v1/state")
    check(st == 401, "no token: 401 (%d)" % st)
    st, hd, _ = request(base, "GET", "/api/v1/state", "0" * len(token))
    check(st == 401, "a wrong token of the right length: 401 (%d)" % st)
    st, hd, _ = request(base, "GET", "/api/v1/state", token[:-1])
    check(st == 401, "a token one character short: 401 (%d)" % st)
    st, hd, _ = request(base, "GET", "/api/v1/state", None, headers={"X-Hpamp-Token": token})
    check(st == 200, "the token in X-Hpamp-Token: 200 (%d)" % st)
    st, hd, data = request(base, "POST", "/api/v1/mute", None, body={"mute": True})
    check(st == 401 and json.loads(data).get("error"), "POST without a token: 401 with a JSON error (%d)" % st)
    st, _, _ = request(base, "POST", "/api/v1/mute", token, body={"mute": True},
                       headers={"Origin": "http://evil.example"})
    check(st == 403, "POST with Origin http://evil.example: 403 (%d)" % st)
    st, _, _ = request(base, "GET", "/api/v1/state", token, headers={"Origin": "null"})
    check(st == 403, "Origin null: 403 (%d)" % st)
    st, _, _ = request(base, "GET", "/api/v1/state", token, headers={"Origin": base})
    check(st == 200, "Origin %s (its own): 200 (%d)" % (base, st))
    st, _, _ = request(base, "GET", "/api/v1/state", token, headers={"Host": "evil.example"})
    check(st == 403, "Host evil.example: 403 (%d)" % st)
    st, _, _ = request(base, "GET", "/", None, headers={"Host": "evil.example:%d" % u.port})
    check(st == 403, "the page with Host evil.example:PORT: 403 (DNS rebinding) (%d)" % st)
    st = big_body(u, token, 10 * 1024 * 1024)
    check(st == 413, "a 10 MB body: 413 before it is read (%d)" % st)
    # chunked, with no Content-Length: the cap holds while reading
    c = http.client.HTTPConnection(u.hostname, u.port, timeout=20)
    c.putrequest("POST", "/api/v1/volume")
    c.putheader("Authorization", "Bearer " + token)
    c.putheader("Transfer-Encoding", "chunked")
    c.endheaders()
    try:
        chunk = b" " * 65536
        for _ in range(40):
            c.send(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        c.send(b"0\r\n\r\n")
        st = c.getresponse().status
    except OSError:
        st = -1
    c.close()
    check(st == 413, "a 2.5 MB chunked body: 413 (%d)" % st)
    st, hd, data = request(base, "GET", "/", None)
    csp = hd.get("content-security-policy", "")
    check(st == 200 and b"<html" in data and "default-src 'none'" in csp and "script-src 'self'" in csp
          and "unsafe-inline" not in csp, "the page: 200, CSP default-src 'none', script-src 'self' (%s)" % csp)
    check(b"<script>" not in data and b"http://" not in data and b"https://" not in data,
          "the page has no inline script and loads nothing from elsewhere")
    check(hd.get("x-content-type-options") == "nosniff", "X-Content-Type-Options: nosniff")
    st, _, data = request(base, "GET", "/api/v1/nothing", token)
    check(st == 404 and "error" in json.loads(data), "an unknown API: 404 with a JSON error (%d)" % st)
    st, _, data = request(base, "GET", "/api/v1/volume", token)
    check(st == 405 and "error" in json.loads(data), "GET of a POST endpoint: 405 (%d)" % st)
    st, _, data = request(base, "DELETE", "/api/v1/state", token)
    check(st == 405, "DELETE: 405 (%d)" % st)
    st, _, data = request(base, "POST", "/api/v1/volume", token, raw=b"{not json")
    check(st == 400 and "error" in json.loads(data), "a body that is not JSON: 400 (%d)" % st)


def big_body(u, token, size):
    """POST a body of size bytes as a client that reads the answer as soon
    as there is one (the server answers at the headers); its status"""
    s = socket.create_connection((u.hostname, u.port), timeout=20)
    s.sendall(("POST /api/v1/volume HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer %s\r\n"
               "Content-Type: application/json\r\nContent-Length: %d\r\n\r\n" % (u.netloc, token, size)).encode())
    sent, got = 0, b""
    try:
        # the answer comes at the headers: give the server (slow under a
        # sanitizer) up to 5 s to give it before any of the body is sent, so
        # that a reset of the connection cannot overtake the answer
        ready = select.select([s], [], [], 5)[0]
        while sent < size and not ready:
            sent += s.send(b" " * min(65536, size - sent))
            ready = select.select([s], [], [], 0)[0]
        while b"\r\n" not in got:
            d = s.recv(4096)
            if not d:
                break
            got += d
    except OSError:
        pass
    s.close()
    m = re.match(rb"HTTP/1\.[01] (\d+)", got)
    return int(m.group(1)) if m else -1


def random_json(rng, depth=0):
    k = rng.randrange(9 if depth < 3 else 6)
    if k == 0:
        return None
    if k == 1:
        return rng.random() < 0.5
    if k == 2:
        return rng.choice([0, -1, 1, 1e308, -1e308, 24.0, -120.0, 24.0001, -120.0001, 1e-300, 2 ** 63, -0.0])
    if k == 3:
        return rng.uniform(-1e6, 1e6)
    if k == 4:
        return rng.choice(["toggle", "", "on", "\u0000", "x" * 300, "1e400", "NaN"])
    if k == 5:
        return rng.randrange(-200, 200)
    if k == 6:
        return [random_json(rng, depth + 1) for _ in range(rng.randrange(4))]
    keys = ["db", "spl_db", "step_db", "acknowledge", "mute", "on", "x", ""]
    return {rng.choice(keys): random_json(rng, depth + 1) for _ in range(rng.randrange(4))}


def cmd_fuzz(base, token, n, seed):
    rng = random.Random(seed)
    bad_status = []
    for i in range(n):
        path = rng.choice(["volume", "mute", "eq", "crossfeed"])
        if rng.random() < 0.15:
            raw = bytes(rng.randrange(256) for _ in range(rng.randrange(64)))
        else:
            raw = json.dumps(random_json(rng)).encode()
            if rng.random() < 0.2 and raw:
                raw = raw[: rng.randrange(len(raw))]
        st, hd, data = request(base, "POST", "/api/v1/" + path, token, raw=raw)
        try:
            j = json.loads(data)
        except ValueError:
            j = None
        if st not in (200, 400, 409) or not isinstance(j, dict) or (st != 200 and "error" not in j):
            bad_status.append("%s %r -> %d %r" % (path, raw[:80], st, data[:80]))
        # never louder than the safe level unacknowledged, never above the ceiling
        if st in (200, 409) and isinstance(j, dict) and "volume_db" in j:
            pass
    check(not bad_status, "%d random bodies: each a 200, 400 or 409 with JSON %s" % (n, bad_status[:2]))
    st, _, s = get_json(base, token, "state")
    check(st == 200 and s["volume_db"] <= s["ceiling_db"] + 1e-9,
          "after the fuzz: the server answers, the volume %.2f is at most the ceiling %.2f"
          % (s["volume_db"], s["ceiling_db"]))


def cmd_storm(base, token, n):
    paths = ["state", "presets", "dose", "curves", "devices"]

    def one(i):
        try:
            if i % 5 == 4:
                st, _, _ = request(base, "POST", "/api/v1/volume", token, body={"step_db": 0.5 if i % 2 else -0.5})
            else:
                st, _, _ = request(base, "GET", "/api/v1/" + paths[i % len(paths)], token)
            return st
        except OSError as e:
            return str(e)

    with concurrent.futures.ThreadPoolExecutor(max_workers=100) as ex:
        res = list(ex.map(one, range(n)))
    good = sum(1 for r in res if r in (200, 409))
    other = [r for r in res if r not in (200, 409)]
    check(good == n, "%d requests, 100 at a time: %d answered 200/409 %s" % (n, good, other[:3]))
    st, _, _ = get_json(base, token, "state")
    check(st == 200, "the server answers after the storm")


def cmd_rms(path):
    w = wave.open(path)
    n, ch, sw = w.getnframes(), w.getnchannels(), w.getsampwidth()
    data = w.readframes(n)
    fmt = {2: "h", 4: "i"}[sw]
    full = float(2 ** (8 * sw - 1))
    xs = struct.unpack("<%d%s" % (n * ch, fmt), data)
    # the median of 50 ms blocks (whole periods of a 1 kHz sine at 48 kHz):
    # a cycle a loaded real-time server dropped spoils a block, not the level
    blk = w.getframerate() // 20
    levels = []
    for a in range(n // 4, 3 * n // 4 - blk + 1, blk):
        ms = sum((xs[i * ch] / full) ** 2 for i in range(a, a + blk)) / blk
        levels.append(10 * math.log10(2 * ms) if ms > 0 else -999.0)
    levels.sort()
    print("%.4f" % (levels[len(levels) // 2] if levels else -999.0))


def rbj_peaking_db(f0, gain, q, rate, f):
    """the Audio EQ Cookbook's peaking filter (R. Bristow-Johnson), |H(f)| in dB"""
    A = 10 ** (gain / 40)
    w0 = 2 * math.pi * f0 / rate
    al = math.sin(w0) / (2 * q)
    b = [1 + al * A, -2 * math.cos(w0), 1 - al * A]
    a = [1 + al / A, -2 * math.cos(w0), 1 - al / A]
    z = complex(math.cos(2 * math.pi * f / rate), -math.sin(2 * math.pi * f / rate))
    h = (b[0] + b[1] * z + b[2] * z * z) / (a[0] + a[1] * z + a[2] * z * z)
    return 20 * math.log10(abs(h))


def cmd_peaking(f0, gain, q, rate, base, token):
    """GET curves' EQ series against rbj_peaking_db"""
    st, _, c = get_json(base, token, "curves")
    worst = 0.0
    for f, got in zip(c["freq_hz"], c["eq_db"] or []):
        worst = max(worst, abs(rbj_peaking_db(f0, gain, q, rate, f) - got))
    check(len(c["freq_hz"]) >= 32 and c["eq_db"] and worst < 0.01,
          "GET curves: the EQ series is the Cookbook's peaking %g Hz %+g dB Q %g within 0.01 dB "
          "(worst %.2g dB over %d points)" % (f0, gain, q, worst, len(c["freq_hz"])))


def cmd_zout(zpk, fpk, znom, zout, tol, base, token):
    """the response change from the source's output impedance: its peak at
    the impedance peak fpk (to the grid's spacing), at most the divider's
    20 log10((zpk/(zpk+zout)) / (znom/(znom+zout))) and within tol of it"""
    st, _, c = get_json(base, token, "curves")
    want = 20 * math.log10((zpk / (zpk + zout)) / (znom / (znom + zout)))
    z = c.get("zout_db") or [float("nan")]
    i = max(range(len(z)), key=lambda k: z[k])
    f = c["freq_hz"][i]
    step = c["freq_hz"][1] / c["freq_hz"][0]
    check(abs(math.log(f / fpk)) <= math.log(step) and want - tol <= z[i] <= want + 1e-9,
          "GET curves: zout_db peaks at %.1f Hz (the impedance peak %g Hz) with %.3f dB (the divider: %.3f dB, "
          "less by up to %g)" % (f, fpk, z[i], want, tol))


def main(a):
    if a[0] == "schema":
        cmd_schema(a[1], a[2])
    elif a[0] == "security":
        cmd_security(a[1], a[2])
    elif a[0] == "fuzz":
        cmd_fuzz(a[1], a[2], int(a[3]), int(a[4]))
    elif a[0] == "storm":
        cmd_storm(a[1], a[2], int(a[3]))
    elif a[0] == "get":
        print(json.dumps(get_json(a[1], a[2], a[3])[2]))
    elif a[0] == "post":
        st, _, data = request(a[1], "POST", "/api/v1/" + a[3], a[2], raw=a[4].encode())
        print(st, data.decode())
    elif a[0] == "zout":
        cmd_zout(*map(float, a[1:6]), a[6], a[7])
    elif a[0] == "rms":
        cmd_rms(a[1])
    elif a[0] == "rbj":
        print("%.6f" % rbj_peaking_db(*map(float, a[1:6])))
    elif a[0] == "lufs":
        _, ev = events(a[1], a[2], 1)
        v = ev[0].get("shortterm_lufs") if ev else None
        print("%.4f" % v if isinstance(v, (int, float)) else "none")
    elif a[0] == "peaking":
        cmd_peaking(float(a[1]), float(a[2]), float(a[3]), float(a[4]), a[5], a[6])
    else:
        sys.exit(__doc__)
    sys.exit(min(failures, 100))


if __name__ == "__main__":
    main(sys.argv[1:])
