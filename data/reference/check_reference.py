#!/usr/bin/env python3
"""Check the routetrend reference tables in this folder.

Verifies, with plain Python (csv, tomllib, openpyxl):
  * the tables' headers, key formats, uniqueness and cross-references
    (drug group exists, fallback drug exists, region members and route codes exist);
  * that no name or alias maps to two keys (countries, regions and drugs separately,
    plus country/region aliases together, since both appear in the `geo` column);
  * that every (DrugGroup, DrugSubGroup, DrugName) in the UNODC export and every
    (Drug Group, Drug) in the ARQ CSV resolves to exactly one drug key and one group;
  * that every country name and code in both files resolves to exactly one iso3, and the
    name and the code of one row resolve to the same iso3;
  * that the keys and codes used in the sourced figures' CSVs resolve (with --sourced).

File values are resolved through `name` and `aliases` only (codes through `iso3` and
aliases), so that the tables work even for a matcher that ignores keys.

Matching rule (the same as routetrend's): trim, collapse runs of whitespace (including
NBSP) to one space, Unicode lowercase, fold curly quotes \u201c \u201d \u201e to " and \u2018 \u2019 to '.

Usage: python3 check_reference.py [--public DIR] [--sourced DIR] [--allow-missing]
  --public DIR      folder holding the two public files (default: <repo>/tests/data/public)
  --sourced DIR     folder holding the sourced figures' CSVs (seizures_sourced.csv, ...;
                    see data/raw/SOURCES.md); without it those checks are skipped
  --allow-missing   skip (with a warning) input files that are absent instead of failing
Exit status: 0 all checks passed, 1 a check failed, 2 bad usage or unreadable reference table.
"""
import argparse
import collections
import csv
import os
import re
import sys

try:
    import tomllib
except ImportError:  # Python < 3.11
    tomllib = None

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))

QUOTES = str.maketrans({'\u201c': '"', '\u201d': '"', '\u201e': '"', '\u2018': "'", '\u2019': "'"})
MISSING_MARKERS = {'', 'na', 'n/a', 'null', 'none', 'nan', '-', '..'}
KEY_RE = re.compile(r'^[a-z][a-z0-9_]*$')
ISO3_RE = re.compile(r'^[A-Z]{3}$')
REGION_RE = re.compile(r'^[A-Z0-9_]{2,}$')
REQUIRED_DRUGS = ['heroin', 'opium', 'morphine', 'cannabis_herb', 'cannabis_resin', 'total_all_drugs']


def norm(s):
    return ' '.join(str(s).translate(QUOTES).split()).lower()


def split_aliases(s):
    return [] if s is None or s.strip() == '' else s.split('|')


class Checker:
    def __init__(self):
        self.failures = []
        self.warnings = []
        self.counts = collections.OrderedDict()

    def fail(self, msg):
        self.failures.append(msg)

    def warn(self, msg):
        self.warnings.append(msg)


TRANSLATION_COLUMNS = ['name_ru', 'name_ru_source']


def read_table(path, header, ck):
    try:
        with open(path, newline='', encoding='utf-8') as f:
            rows = list(csv.reader(f))
    except OSError as e:
        print(f'error: cannot read {path}: {e}', file=sys.stderr)
        sys.exit(2)
    # The names in Russian and their sources may follow the required columns.
    translated = header + TRANSLATION_COLUMNS
    if rows and rows[0] == translated:
        header = translated
    if not rows or rows[0] != header:
        print(f'error: {path}: header must be {",".join(header)} (optionally followed by '
              f'{",".join(TRANSLATION_COLUMNS)}), found {rows[0] if rows else "nothing"}',
              file=sys.stderr)
        sys.exit(2)
    out = []
    for i, r in enumerate(rows[1:], start=2):
        if len(r) != len(header):
            ck.fail(f'{os.path.basename(path)} line {i}: {len(r)} fields, expected {len(header)}')
            continue
        row = dict(zip(header, r))
        if header[-2:] == TRANSLATION_COLUMNS and not (row['name_ru'].strip() and row['name_ru_source'].strip()):
            ck.fail(f'{os.path.basename(path)} line {i}: name_ru and name_ru_source must both be given')
        out.append((i, row))
    return out


def build_index(entries, what, ck, forbid=None):
    """entries: list of (key, [labels]). Returns norm(label) -> set(keys); records collisions."""
    idx = collections.defaultdict(set)
    for key, labels in entries:
        for lab in labels:
            n = norm(lab)
            if n in MISSING_MARKERS:
                ck.fail(f'{what} {key}: empty or missing-value marker used as a name/alias: {lab!r}')
                continue
            if lab != lab.strip() or '  ' in lab:
                ck.warn(f'{what} {key}: alias with stray spaces: {lab!r}')
            idx[n].add(key)
    for n, keys in sorted(idx.items()):
        if len(keys) > 1:
            ck.fail(f'{what}: name/alias {n!r} maps to several keys: {sorted(keys)}')
        if forbid and n.upper() in forbid and n.upper() not in keys:
            ck.fail(f'{what}: alias {n!r} of {sorted(keys)} is the code of another entry')
    return idx


def resolve(idx, value):
    return idx.get(norm(value), set())


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--public', default=os.path.join(REPO, 'tests', 'data', 'public'))
    ap.add_argument('--sourced')
    ap.add_argument('--allow-missing', action='store_true')
    args = ap.parse_args()
    ck = Checker()

    # ------------------------------------------------------------------ countries
    countries = read_table(os.path.join(HERE, 'countries.csv'), ['iso3', 'name', 'aliases'], ck)
    iso3s = set()
    c_entries = []
    for line, r in countries:
        code = r['iso3']
        if not ISO3_RE.match(code):
            ck.fail(f'countries.csv line {line}: iso3 {code!r} is not three capital letters')
        if code in iso3s:
            ck.fail(f'countries.csv line {line}: duplicate iso3 {code}')
        iso3s.add(code)
        if not r['name'].strip():
            ck.fail(f'countries.csv line {line}: empty name')
        c_entries.append((code, [r['name']] + split_aliases(r['aliases'])))
    c_idx = build_index(c_entries, 'countries', ck, forbid=iso3s)
    ck.counts['countries.csv rows'] = len(countries)
    ck.counts['country names+aliases'] = len(c_idx)

    def resolve_code(code):
        if code in iso3s:
            return {code}
        return resolve(c_idx, code)

    # ------------------------------------------------------------------ regions
    regions = read_table(os.path.join(HERE, 'regions.csv'), ['code', 'name', 'members', 'aliases'], ck)
    rcodes = set()
    r_entries = []
    for line, r in regions:
        code = r['code']
        if not REGION_RE.match(code):
            ck.fail(f'regions.csv line {line}: code {code!r} must be capital letters/digits/_')
        if code in iso3s:
            ck.fail(f'regions.csv line {line}: code {code} collides with a country iso3')
        if norm(code) in c_idx:
            ck.fail(f'regions.csv line {line}: code {code} is a country name/alias of {sorted(c_idx[norm(code)])}')
        if code in rcodes:
            ck.fail(f'regions.csv line {line}: duplicate code {code}')
        rcodes.add(code)
        members = r['members'].split()
        if not members:
            ck.fail(f'regions.csv line {line}: {code} has no members')
        for m in members:
            if m not in iso3s:
                ck.fail(f'regions.csv line {line}: member {m} of {code} is not in countries.csv')
        if len(set(members)) != len(members):
            ck.fail(f'regions.csv line {line}: {code} lists a member twice')
        r_entries.append((code, [r['name']] + split_aliases(r['aliases'])))
    r_idx = build_index(r_entries, 'regions', ck, forbid=rcodes | iso3s)
    for n, keys in r_idx.items():
        if n in c_idx:
            ck.fail(f'regions/countries: {n!r} is both region {sorted(keys)} and country {sorted(c_idx[n])}')
    ck.counts['regions.csv rows'] = len(regions)

    # ------------------------------------------------------------------ drug groups and drugs
    groups = read_table(os.path.join(HERE, 'drug_groups.csv'), ['key', 'name', 'aliases', 'fallback_drug'], ck)
    drugs = read_table(os.path.join(HERE, 'drugs.csv'),
                       ['key', 'name', 'group', 'kind', 'aliases', 'heroin_equivalent'], ck)
    gkeys = {}
    g_entries = []
    for line, r in groups:
        k = r['key']
        if not KEY_RE.match(k):
            ck.fail(f'drug_groups.csv line {line}: key {k!r} is not snake_case')
        if k in gkeys:
            ck.fail(f'drug_groups.csv line {line}: duplicate key {k}')
        gkeys[k] = r
        g_entries.append((k, [r['name']] + split_aliases(r['aliases'])))
    g_idx = build_index(g_entries, 'drug groups', ck)

    dkeys = {}
    d_entries = []
    for line, r in drugs:
        k = r['key']
        if not KEY_RE.match(k):
            ck.fail(f'drugs.csv line {line}: key {k!r} is not snake_case')
        if k in dkeys:
            ck.fail(f'drugs.csv line {line}: duplicate key {k}')
        dkeys[k] = r
        if r['group'] not in gkeys:
            ck.fail(f'drugs.csv line {line}: group {r["group"]!r} of {k} is not in drug_groups.csv')
        if r['kind'] not in ('substance', 'total'):
            ck.fail(f'drugs.csv line {line}: kind {r["kind"]!r} of {k} must be substance or total')
        if r['heroin_equivalent']:
            try:
                if not float(r['heroin_equivalent']) > 0:
                    raise ValueError
            except ValueError:
                ck.fail(f'drugs.csv line {line}: heroin_equivalent {r["heroin_equivalent"]!r} is not a positive number')
        labels = [r['name']] + split_aliases(r['aliases'])
        for lab in labels:
            n = norm(lab)
            looks_total = (n.startswith('total ') or '(total of the above' in n or n.startswith('reported total')
                           or n.startswith('any illicit drugs'))
            if looks_total and r['kind'] != 'total':
                ck.fail(f'drugs.csv line {line}: {k} has the total-looking label {lab!r} but kind {r["kind"]}')
        d_entries.append((k, labels))
    d_idx = build_index(d_entries, 'drugs', ck)
    for k in REQUIRED_DRUGS:
        if k not in dkeys:
            ck.fail(f'drugs.csv: required key {k} is missing')
    if 'total_all_drugs' in dkeys and dkeys['total_all_drugs']['kind'] != 'total':
        ck.fail('drugs.csv: total_all_drugs must have kind total')
    for k, r in gkeys.items():
        fb = r['fallback_drug']
        if fb not in dkeys:
            ck.fail(f'drug_groups.csv: fallback_drug {fb!r} of group {k} is not in drugs.csv')
        elif dkeys[fb]['group'] != k:
            ck.fail(f'drug_groups.csv: fallback_drug {fb} of group {k} belongs to group {dkeys[fb]["group"]}')
    ck.counts['drug_groups.csv rows'] = len(groups)
    ck.counts['drugs.csv rows'] = len(drugs)
    ck.counts['drugs.csv totals (kind=total)'] = sum(1 for r in dkeys.values() if r['kind'] == 'total')
    ck.counts['drug names+aliases'] = len(d_idx)

    def one(idx, value, what, where, src):
        keys = resolve(idx, value)
        if len(keys) != 1:
            ck.fail(f'{src}: {what} {value!r} ({where}) resolves to {sorted(keys) if keys else "nothing"}')
            return None
        return next(iter(keys))

    # ------------------------------------------------------------------ routes
    rpath = os.path.join(HERE, 'routes.toml')
    if tomllib is None:
        ck.warn('routes.toml not checked: tomllib needs Python 3.11+')
    else:
        try:
            with open(rpath, 'rb') as f:
                routes = tomllib.load(f).get('route', [])
        except (OSError, tomllib.TOMLDecodeError) as e:
            ck.fail(f'routes.toml: {e}')
            routes = []
        ids = set()
        for i, rt in enumerate(routes, start=1):
            for fld in ('id', 'name', 'origin', 'transit', 'destination', 'notes'):
                if fld not in rt:
                    ck.fail(f'routes.toml route {i}: missing {fld}')
            rid = rt.get('id', f'#{i}')
            if not KEY_RE.match(str(rid)):
                ck.fail(f'routes.toml: id {rid!r} is not snake_case')
            if rid in ids:
                ck.fail(f'routes.toml: duplicate id {rid}')
            ids.add(rid)
            for fld in ('origin', 'transit', 'destination'):
                vals = rt.get(fld, [])
                if not isinstance(vals, list) or (fld != 'transit' and not vals):
                    ck.fail(f'routes.toml {rid}: {fld} must be a non-empty list of codes')
                    continue
                for c in vals:
                    if c not in iso3s and c not in rcodes:
                        ck.fail(f'routes.toml {rid}: {fld} code {c!r} is not in countries.csv or regions.csv')
        ck.counts['routes.toml routes'] = len(routes)

    # ------------------------------------------------------------------ input files
    def present(path):
        if os.path.exists(path):
            return True
        (ck.warn if args.allow_missing else ck.fail)(f'input file not found: {path}')
        return False

    nonref_codes = collections.Counter()

    def check_country(name, code, src, missing='NULL'):
        by_name = one(c_idx, name, 'country name', f'code {code}', src)
        if code is None or str(code).strip() in ('', missing):
            nonref_codes[f'{src}: {code!r} ({name})'] += 1
            return
        by_code = resolve_code(str(code).strip())
        if code not in iso3s:
            nonref_codes[f'{src}: {code!r} ({name}) -> {sorted(by_code)}'] += 1
        if len(by_code) != 1:
            ck.fail(f'{src}: country code {code!r} ({name}) resolves to {sorted(by_code) if by_code else "nothing"}')
        elif by_name and by_name not in by_code:
            ck.fail(f'{src}: country {name!r} resolves to {by_name} but its code {code!r} to {sorted(by_code)}')

    # UNODC drug seizures export (xlsx)
    xlsx = os.path.join(args.public, 'unodc_drug_seizures_2018_2022.xlsx')
    if present(xlsx):
        try:
            import openpyxl
        except ImportError:
            ck.fail('openpyxl is not installed (pip install openpyxl): cannot check the UNODC export')
            openpyxl = None
        if openpyxl is not None:
            wb = openpyxl.load_workbook(xlsx, read_only=True)
            rows = list(wb['Export'].iter_rows(values_only=True))
            hdr = ['Region', 'SubRegion', 'Country', 'DrugGroup', 'DrugSubGroup', 'DrugName', 'Reference year',
                   'Kilograms', 'msCode']
            if list(rows[1]) != hdr:
                ck.fail(f'{xlsx}: row 2 is not the expected header: {rows[1]}')
            data = rows[2:]
            triples = sorted({(r[3], r[4], r[5]) for r in data}, key=lambda t: tuple(map(str, t)))
            names = set()
            for g, sg, dn in triples:
                where = f'{g} / {sg}'
                k = one(d_idx, dn, 'DrugName', where, 'xlsx')
                gk = one(g_idx, g, 'DrugGroup', dn, 'xlsx')
                sk = one(g_idx, sg, 'DrugSubGroup', dn, 'xlsx')
                names.add(norm(dn))
                if k and 'reported total' in norm(sg) and dkeys[k]['kind'] != 'total':
                    ck.fail(f'xlsx: {dn!r} is under {sg!r} but {k} has kind {dkeys[k]["kind"]}')
                if k and sk and dkeys[k]['group'] != sk:
                    ck.warn(f'xlsx: {dn!r} under subgroup {sg!r} (group {sk}) is in group {dkeys[k]["group"]}')
            pairs = sorted({(r[2], r[8]) for r in data}, key=lambda t: tuple(map(str, t)))
            for name, code in pairs:
                check_country(name, code, 'xlsx')
            ck.counts['xlsx data rows'] = len(data)
            ck.counts['xlsx (DrugGroup, DrugSubGroup, DrugName) triples checked'] = len(triples)
            ck.counts['xlsx distinct DrugName values'] = len({r[5] for r in data})
            ck.counts['xlsx (Country, msCode) pairs checked'] = len(pairs)

    # ARQ / Kaggle CSV
    arq = os.path.join(args.public, 'arq_seizures_1970_2020.csv')
    if present(arq):
        with open(arq, newline='', encoding='utf-8') as f:
            rd = csv.DictReader(f)
            hdr = ['Region', 'country', 'ISO Code', 'Drug Group', 'Drug', 'Year', 'KG Equivalent']
            if rd.fieldnames != hdr:
                ck.fail(f'{arq}: header is {rd.fieldnames}, expected {hdr}')
            data = list(rd)
        pairs = sorted({(r['Drug Group'], r['Drug']) for r in data})
        for g, dn in pairs:
            one(d_idx, dn, 'Drug', g, 'arq')
            one(g_idx, g, 'Drug Group', dn, 'arq')
        cpairs = sorted({(r['country'], r['ISO Code']) for r in data})
        for name, code in cpairs:
            check_country(name, code, 'arq')
        ck.counts['arq data rows'] = len(data)
        ck.counts['arq (Drug Group, Drug) pairs checked'] = len(pairs)
        ck.counts['arq (country, ISO Code) pairs checked'] = len(cpairs)

    # sourced CSVs (normalised keys)
    n_src = 0
    sourced = [] if args.sourced is None else [
        ('seizures_sourced.csv', True), ('seizures_other_sourced.csv', False),
        ('offences_sourced.csv', None)]
    if args.sourced is None:
        print('sourced CSVs: not checked (no --sourced DIR)')
    for fname, strict_drug in sourced:
        path = os.path.join(args.sourced, fname)
        if not present(path):
            continue
        with open(path, newline='', encoding='utf-8') as f:
            data = list(csv.DictReader(f))
        n_src += len(data)
        unresolved = collections.Counter()
        for r in sorted({(r['country_iso3'], r['country']) for r in data}):
            if r[0]:
                if r[0] not in iso3s:
                    ck.fail(f'{fname}: country_iso3 {r[0]!r} is not in countries.csv')
                elif resolve(c_idx, r[1]) != {r[0]}:
                    ck.fail(f'{fname}: country {r[1]!r} does not resolve to {r[0]}')
        if strict_drug is not None:
            for d in sorted({r['drug'] for r in data}):
                if d in dkeys or len(resolve(d_idx, d)) == 1:
                    continue
                if strict_drug:
                    ck.fail(f'{fname}: drug {d!r} is neither a key nor a unique alias in drugs.csv')
                else:
                    unresolved[d] += 1
        if unresolved:
            ck.warn(f'{fname}: {len(unresolved)} free-text drug labels left to the reader '
                    f'(not keys, by design of that file): {sorted(unresolved)}')
    news = os.path.join(args.sourced or '', 'newsletter_2017q2_figures.csv')
    if args.sourced is not None and present(news):
        with open(news, newline='', encoding='utf-8') as f:
            data = list(csv.DictReader(f))
        n_src += len(data)
        for g in sorted({r['geo'] for r in data}):
            if g not in rcodes and g not in iso3s:
                ck.fail(f'newsletter_2017q2_figures.csv: geo {g!r} is not a region or country code')
        for d in sorted({r['drug'] for r in data if r['drug']}):
            if d not in dkeys and len(resolve(d_idx, d)) != 1:
                ck.fail(f'newsletter_2017q2_figures.csv: drug {d!r} does not resolve')
    ck.counts['sourced CSV rows checked'] = n_src

    # ------------------------------------------------------------------ report
    for k, v in ck.counts.items():
        print(f'{k}: {v}')
    if nonref_codes:
        print('codes in the files that are not an iso3 of countries.csv (resolved through aliases / names):')
        for k in sorted(nonref_codes):
            print(f'  {k}: {nonref_codes[k]} distinct row(s)')
    for w in ck.warnings:
        print(f'warning: {w}')
    for m in ck.failures:
        print(f'FAIL: {m}')
    if ck.failures:
        print(f'{len(ck.failures)} check(s) failed')
        return 1
    print('all reference checks passed')
    return 0


if __name__ == '__main__':
    sys.exit(main())
