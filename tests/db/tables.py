#!/usr/bin/env python3
"""tests/db/tables.py — the database files as files: units, ranges, a source on every fact.

Reads data/headphones.csv, data/sources.csv and data/SOURCES.md with the standard library only
(independent of hpamp's own CSV reader) and checks:
  - every numeric column parses as a plain number, inside its physical range (the unit is in the
    column's name: _ohm, _db_mw, _db_v, _hz, _mw, _v, _uv, _h);
  - every row that states any fact has a `source` tagged cross-checked or single-source that names
    where the facts come from (a [TAG] explained in SOURCES.md, an [FA:slug] listed there, or a URL);
  - ids are unique slugs; aliases are not shared across devices; rows of one `mode_of` group are
    at least two, and a load range is a range;
  - at least 160 headphones and 70 sources (issue 15).
Exit 0 when all hold, 1 with one line per failure."""
import csv, math, re, sys

data = sys.argv[1] if len(sys.argv) > 1 else 'data'
fails = []

def fail(msg):
    fails.append(msg)

RANGES = {  # column: (lo, hi, lo excluded)
    'impedance_ohm': (1, 1e4, False), 'sensitivity_db_mw': (60, 140, False), 'sensitivity_db_v': (60, 160, False),
    'sensitivity_ref_hz': (20, 20000, False), 'spl_measured_mv_for_94db': (0.5, 5e4, False),
    'impedance_peak_ohm': (0, 1e6, True), 'impedance_peak_hz': (0, 1e5, True), 'max_input_mw': (0, 1e7, True),
    'vout_max_rms_v': (0.01, 100, False), 'vout_load_ohm': (1, 1e6, False), 'power_mw_32': (0.01, 1e5, False),
    'power_mw_300': (0.01, 1e5, False), 'zout_ohm': (0, 1000, False), 'imax_ma': (0.1, 1e4, False),
    'battery_h': (0, 1000, True), 'snr_db': (0, 250, True), 'snr_ref_v': (0.001, 100, False), 'sinad_db': (0, 250, True), 'noise_uv': (0, 1e5, True),
    'load_min_ohm': (1, 1e6, False), 'load_max_ohm': (1, 1e6, False),
}
TEXT = {'id', 'brand', 'model', 'type', 'driver', 'back', 'active', 'aliases', 'source', 'kind', 'output',
        'gain_settings_db', 'battery', 'mode_of'}
NUMBER = re.compile(r'^[0-9]+(\.[0-9]+)?$')
SLUG = re.compile(r'^[a-z0-9]+(-[a-z0-9]+)*$')

sources_md = open(f'{data}/SOURCES.md', encoding='utf-8').read()
fa_line = next((l for l in sources_md.splitlines() if l.startswith('- [FA:<slug>]')), '')
fa_slugs = set(re.findall(r'[a-z0-9][a-z0-9-]+', fa_line.split('Slugs used for headphones:', 1)[-1]))


def check(name, minimum):
    rows = list(csv.DictReader(open(f'{data}/{name}', newline='', encoding='utf-8')))
    if len(rows) < minimum:
        fail(f'{name}: {len(rows)} rows, fewer than {minimum}')
    for col in rows[0].keys():
        if col not in RANGES and col not in TEXT:
            fail(f'{name}: column {col} has no unit and range in this check')
    ids, alias_owner, groups = set(), {}, {}
    for n, r in enumerate(rows, start=2):
        where = f'{name}:{n} ({r["id"]})'
        if not SLUG.match(r['id']) or r['id'] in ids:
            fail(f'{where}: id not a unique slug')
        ids.add(r['id'])
        if not r['model']:
            fail(f'{where}: no model')
        facts = []
        for col, (lo, hi, lo_open) in RANGES.items():
            v = r.get(col, '')
            if v == '':
                continue
            if not NUMBER.match(v):
                fail(f'{where}: {col} {v!r} is not a plain number')
                continue
            x = float(v)
            if not (math.isfinite(x) and (x > lo if lo_open else x >= lo) and x <= hi):
                fail(f'{where}: {col} {v} outside {lo} .. {hi}')
            facts.append(col)
        if r.get('load_min_ohm') and r.get('load_max_ohm') and float(r['load_min_ohm']) >= float(r['load_max_ohm']):
            fail(f'{where}: load_min_ohm >= load_max_ohm')
        src = r['source']
        if facts or r.get('active') or r.get('aliases'):
            if not (src.startswith('cross-checked') or src.startswith('single-source')):
                fail(f'{where}: source not tagged cross-checked / single-source')
            tags = re.findall(r'\[([A-Z0-9-]+)(?::([a-z0-9-]+))?', src)
            if not tags and 'http' not in src:
                fail(f'{where}: facts {facts} with no [TAG] or URL in the source')
            for tag, slug in tags:
                if tag == 'FA':
                    if slug and slug not in fa_slugs:  # a bare [FA] refers to the row's [FA:slug]
                        fail(f'{where}: [FA:{slug}] is not listed in SOURCES.md')
                elif f'[{tag}]' not in sources_md:
                    fail(f'{where}: [{tag}] is not explained in SOURCES.md')
        mode = r.get('mode_of', '')
        if mode:
            groups.setdefault(mode, []).append(r['id'])
        for a in filter(None, (x.strip().lower() for x in r.get('aliases', '').split(';'))):
            owner = mode or r['id']
            if alias_owner.setdefault(a, owner) != owner:
                fail(f'{where}: alias {a!r} also names {alias_owner[a]}')
    for mode, members in groups.items():
        if len(members) < 2:
            fail(f'{name}: mode_of {mode} has one row ({members[0]})')
    return rows


check('headphones.csv', 160)
check('sources.csv', 70)
for f in fails:
    print('FAIL', f)
print(f'{len(fails)} failure(s)' if fails else 'ok    the database files: units, ranges, sources, ids, aliases, modes')
sys.exit(1 if fails else 0)
