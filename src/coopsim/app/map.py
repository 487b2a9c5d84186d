"""The class app's map of Indonesia: the 38 provinces drawn from the package's GeoJSON
(`coopsim/data/geo`, CC BY 4.0, attribution in its SOURCE.md and under the map), the regional
governments at their place, foreign partners grouped by country around the map in the
direction of their country, and the partnerships between them as lines coloured by stage.

Everything here is pure data for the page (SVG coordinates in a VIEW-sized box, path strings,
node and line lists), computed once per model where it can be, and tested without a browser.
The data give a position for each province (its capital); the 514 regencies and cities have
none, so each is placed at a fixed point drawn inside its own province's outline.
"""

from __future__ import annotations

import json
import zlib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import numpy as np
from matplotlib.path import Path as Outline

from coopsim.model.partnerships import ACTIVE, ENDED, STAGES
from coopsim.reporting.style import STAGE_COLOURS

__all__ = ["VIEW", "MAP_BOX", "PROVINCE_LONLAT", "COUNTRY_BEARING", "ISLAND_GROUPS", "Province", "provinces",
           "project", "map_layout", "network_layout", "map_nodes", "map_frame", "in_filter"]

VIEW = (100.0, 62.0)                   # the SVG's viewBox: width, height
MAP_BOX = (94.5, 141.5, -11.5, 6.5)    # lon min/max, lat min/max drawn inside the partner ring
_MAP_LEFT, _MAP_WIDTH = 15.0, 70.0     # where the box sits in the view (x), equal scale in y
_SCALE = _MAP_WIDTH / (MAP_BOX[1] - MAP_BOX[0])
_MAP_TOP = VIEW[1] / 2 - _SCALE * (MAP_BOX[3] - MAP_BOX[2]) / 2
_RING = (46.5, 27.5)                   # half-axes of the ellipse the partners sit on

#: Island groups in the order a filter lists them (ISO 3166-2:ID parent units).
ISLAND_GROUPS = ("Sumatera", "Jawa", "Nusa Tenggara", "Kalimantan", "Sulawesi", "Maluku", "Papua")

#: (lon, lat) of each province's capital: where the provincial government's dot sits.
PROVINCE_LONLAT = {
    "ID-AC": (95.3, 5.5), "ID-SU": (98.7, 3.6), "ID-SB": (100.4, -0.9), "ID-RI": (101.4, 0.5),
    "ID-JA": (103.6, -1.6), "ID-SS": (104.8, -3.0), "ID-BE": (102.3, -3.8), "ID-LA": (105.3, -5.4),
    "ID-BB": (106.1, -2.1), "ID-KR": (104.4, 0.9), "ID-JK": (106.8, -6.2), "ID-JB": (107.6, -6.9),
    "ID-JT": (110.4, -7.0), "ID-YO": (110.4, -7.8), "ID-JI": (112.7, -7.3), "ID-BT": (106.1, -6.1),
    "ID-BA": (115.2, -8.7), "ID-NB": (116.1, -8.6), "ID-NT": (123.6, -10.2), "ID-KB": (109.3, 0.0),
    "ID-KT": (113.9, -2.2), "ID-KS": (114.8, -3.4), "ID-KI": (117.1, -0.5), "ID-KU": (117.4, 2.8),
    "ID-SA": (124.8, 1.5), "ID-ST": (119.9, -0.9), "ID-SN": (119.4, -5.1), "ID-SG": (122.5, -4.0),
    "ID-GO": (123.1, 0.5), "ID-SR": (118.9, -2.7), "ID-MA": (128.2, -3.7), "ID-MU": (127.6, 0.8),
    "ID-PA": (140.7, -2.5), "ID-PB": (134.1, -0.9), "ID-PS": (140.4, -8.5), "ID-PT": (136.9, -3.4),
    "ID-PE": (138.9, -4.1), "ID-PD": (131.3, -0.9),
}
#: Direction of each partner country seen from Indonesia (degrees, 0 = east, 90 = north).
COUNTRY_BEARING = {
    "Japan": 40, "South Korea": 50, "North Korea": 55, "China": 70, "Taiwan": 60,
    "Philippines": 35, "Vietnam": 85, "Thailand": 100, "Malaysia": 115, "Singapore": 125,
    "Brunei": 80, "Russia": 95, "Kazakhstan": 120, "Uzbekistan": 128, "Nepal": 135, "India": 140,
    "Pakistan": 145, "Saudi Arabia": 160, "Lebanon": 150, "Palestine": 154, "Turkey": 146,
    "Egypt": 158, "Ukraine": 138, "Bulgaria": 142, "Hungary": 136, "Germany": 132, "Netherlands": 130,
    "Belgium": 131, "France": 134, "United Kingdom": 128, "Italy": 140, "Morocco": 165,
    "Sudan": 175, "Mozambique": 190, "South Africa": 200, "Australia": 270,
    "Papua New Guinea": 330, "New Caledonia (France)": 300, "United States": 20, "Mexico": 10,
    "Cuba": 5, "Ecuador": 355, "Suriname": 345,
}
_NAME_ALIASES = {"dki jakarta": "daerah khusus ibukota jakarta"}


def project(lon, lat) -> tuple[np.ndarray, np.ndarray]:
    """Longitude and latitude (degrees) -> SVG x and y (equal scale; north up).

    Args:
        lon: longitudes.
        lat: latitudes.

    Returns:
        x and y in VIEW units.
    """
    lon, lat = np.asarray(lon, float), np.asarray(lat, float)
    return _MAP_LEFT + _SCALE * (lon - MAP_BOX[0]), _MAP_TOP + _SCALE * (MAP_BOX[3] - lat)


@dataclass(frozen=True)
class Province:
    """One province's outline.

    Attributes:
        iso: ISO 3166-2 code (ID-YO).
        name: the Indonesian name in the GeoJSON.
        island_group: its island group.
        path: the SVG path (VIEW units, rounded, tiny rings dropped).
        rings: the outline's rings in lon/lat, for placing regencies inside it.
    """
    iso: str
    name: str
    island_group: str
    path: str
    rings: tuple[np.ndarray, ...]


def _province_table():
    import pandas as pd

    with resources.files("coopsim").joinpath("data", "provinces.csv").open() as f:
        return pd.read_csv(f, dtype={"kemendagri_code": str})


def _svg_path(rings: list[np.ndarray], min_step: float = 0.12) -> str:
    """Rings in lon/lat -> one SVG path, dropping points closer than min_step VIEW units to the
    last kept one and rings that end up with fewer than 3 points (only the largest is kept then)."""
    parts = []
    for ring in sorted(rings, key=len, reverse=True):
        x, y = project(ring[:, 0], ring[:, 1])
        kept = [(x[0], y[0])]
        for a, b in zip(x[1:], y[1:]):
            if abs(a - kept[-1][0]) + abs(b - kept[-1][1]) >= min_step:
                kept.append((a, b))
        if len(kept) >= 3 or not parts:
            parts.append("M" + "L".join(f"{a:.1f},{b:.1f}" for a, b in kept) + "Z")
    return "".join(parts)


@lru_cache(maxsize=1)
def provinces() -> tuple[Province, ...]:
    """The 38 provinces' outlines from the package's GeoJSON, matched to the package's province
    table by name (the four new Papua provinces share codes in the GeoJSON).

    Returns:
        One Province per feature, in the province table's order.
    """
    with resources.files("coopsim").joinpath("data", "geo", "indonesia-38-provinces.geojson").open() as f:
        features = json.load(f)["features"]
    table = _province_table()
    by_name = {name.lower(): i for i, name in enumerate(table["name_id"])}
    found: dict[int, Province] = {}
    for feature in features:
        name = feature["properties"]["PROVINSI"]
        row = by_name[_NAME_ALIASES.get(name.lower(), name.lower())]
        geometry = feature["geometry"]
        polygons = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
        rings = [np.asarray(polygon[0], float) for polygon in polygons]  # outer rings; holes are not drawn
        found[row] = Province(table["iso_code"].iat[row], name, table["island_group"].iat[row],
                              _svg_path(rings), tuple(rings))
    return tuple(found[i] for i in sorted(found))


def _point_in_province(province: Province, code: str) -> tuple[float, float]:
    """A fixed point inside the province's outline (drawn with a seed from the region's code)."""
    rng = np.random.default_rng(zlib.crc32(code.encode()))
    ring = max(province.rings, key=len)
    outline = Outline(ring)
    lo, hi = ring.min(axis=0), ring.max(axis=0)
    for _ in range(200):
        point = lo + rng.random(2) * (hi - lo)
        if outline.contains_point(point):
            return float(point[0]), float(point[1])
    return float(ring[:, 0].mean()), float(ring[:, 1].mean())


def _region_positions(table) -> tuple[np.ndarray, np.ndarray]:
    codes = table["code"].astype(str) if "code" in table else table["name"].astype(str)
    x, y = _positions(tuple(zip(table["province"].astype(str), table["level"].astype(str), codes)))
    return x.copy(), y.copy()


@lru_cache(maxsize=4)
def _positions(regions: tuple[tuple[str, str, str], ...]) -> tuple[np.ndarray, np.ndarray]:
    """(province, level, code) of each region -> x, y (cached: every Reset asks again)."""
    outlines = {p.iso: p for p in provinces()}
    lon, lat = np.zeros(len(regions)), np.zeros(len(regions))
    for i, (prov, level, code) in enumerate(regions):
        if level == "province" and prov in PROVINCE_LONLAT:
            lon[i], lat[i] = PROVINCE_LONLAT[prov]
        elif prov in outlines:
            lon[i], lat[i] = _point_in_province(outlines[prov], code)
        else:  # a synthetic population: a fixed point in the box
            u = np.random.default_rng(zlib.crc32(f"{prov}/{code}".encode())).random(2)
            lon[i] = 100 + 38 * u[0]
            lat[i] = -8 + 10 * u[1]
    return project(lon, lat)


def _partner_positions(countries) -> tuple[np.ndarray, np.ndarray]:
    """Each country's partners as a small sunflower cluster on the ring, in its direction."""
    cx, cy = VIEW[0] / 2, VIEW[1] / 2
    px, py = np.zeros(len(countries)), np.zeros(len(countries))
    by_country: dict[str, list[int]] = {}
    for j, country in enumerate(countries):
        by_country.setdefault(str(country), []).append(j)
    for country, members in by_country.items():
        bearing = np.radians(COUNTRY_BEARING.get(country, 180 + zlib.crc32(country.encode()) % 90))
        ax, ay = cx + _RING[0] * np.cos(bearing), cy - _RING[1] * np.sin(bearing)
        rank = np.arange(len(members))
        radius, angle = 0.75 * np.sqrt(rank), rank * 2.39996
        px[members] = np.clip(ax + radius * np.cos(angle), 0.8, VIEW[0] - 0.8)
        py[members] = np.clip(ay + radius * np.sin(angle), 0.8, VIEW[1] - 0.8)
    return px, py


def map_layout(model) -> dict[str, np.ndarray]:
    """Where every region and partner sits on the map (VIEW units); fixed for a model.

    Args:
        model: a CoopModel.

    Returns:
        region_x, region_y, partner_x, partner_y.
    """
    rx, ry = _region_positions(model.regions.table)
    px, py = _partner_positions(model.partners.country)
    return {"region_x": rx, "region_y": ry, "partner_x": px, "partner_y": py}


def network_layout(model) -> dict[str, np.ndarray]:
    """The network view: regions of a province fanned around its capital (a sketch, not a map),
    partners on the same ring as on the map.

    Args:
        model: a CoopModel.

    Returns:
        region_x, region_y, partner_x, partner_y.
    """
    table = model.regions.table
    n = len(table)
    lon, lat = np.zeros(n), np.zeros(n)
    for i, (prov, level) in enumerate(zip(table["province"], table["level"])):
        lon[i], lat[i] = PROVINCE_LONLAT.get(prov, (118.0, -2.0))
        if level != "province":  # a deterministic spiral around the capital
            k = i + 1
            angle, radius = 2.4 * k, 0.25 + 0.06 * (k % 23)
            lon[i] += 2 * radius * np.cos(angle)
            lat[i] += radius * np.sin(angle)
    rx, ry = project(lon, lat)
    px, py = _partner_positions(model.partners.country)
    return {"region_x": rx, "region_y": ry, "partner_x": px, "partner_y": py}


def in_filter(table, where: str) -> np.ndarray:
    """Which regions a filter shows.

    Args:
        table: the model's region table.
        where: '' (all), an island group of ISLAND_GROUPS, or a province's ISO code.

    Returns:
        A boolean mask over the regions.
    """
    if not where:
        return np.ones(len(table), dtype=bool)
    column = "island_group" if where in ISLAND_GROUPS else "province"
    return (table[column] == where).to_numpy()


def map_nodes(model, layout: dict[str, np.ndarray], where: str = "") -> tuple[list[list], list[list]]:
    """The dots that do not move during a run: the regions a filter shows, and every partner.

    Args:
        model: a CoopModel.
        layout: `map_layout(model)` or `network_layout(model)`.
        where: a filter (`in_filter`).

    Returns:
        regions: [id, x, y, r] (ids 0..n-1; provinces larger); partners: [id, x, y, r] (ids n + j).
    """
    table = model.regions.table
    n = len(table)
    big = (table["level"] == "province").to_numpy()
    rx, ry, px, py = (np.round(layout[k], 2) for k in ("region_x", "region_y", "partner_x", "partner_y"))
    regions = [[int(i), float(rx[i]), float(ry[i]), 0.75 if big[i] else 0.32]
               for i in np.flatnonzero(in_filter(table, where))]
    partners = [[n + j, float(px[j]), float(py[j]), 0.5] for j in range(len(px))]
    return regions, partners


def map_frame(model, layout: dict[str, np.ndarray], where: str = "") -> dict[str, list]:
    """What changes from step to step: the regions with an active partnership, the partners
    linked now or before (to regions the filter shows), and a line per partnership not ended.

    Args:
        model: a ClassroomModel (read under its lock by the caller).
        layout: `map_layout(model)` or `network_layout(model)`.
        where: a filter (`in_filter`): other regions' lines are left out.

    Returns:
        live (region ids), shown (partner ids), lines ([x1, y1, x2, y2, colour, stage, row]).
    """
    e, table = model.partnerships, model.regions.table
    n = len(table)
    shown_region = in_filter(table, where)
    ours = shown_region[e.region[:e.n]]
    rows = np.flatnonzero((e.stage[:e.n] != ENDED) & ours)
    reg, par = e.region[rows], e.partner[rows]
    rx, ry, px, py = (np.round(layout[k], 2) for k in ("region_x", "region_y", "partner_x", "partner_y"))
    live = np.unique(reg[e.stage[rows] == ACTIVE])
    lines = [[float(rx[a]), float(ry[a]), float(px[b]), float(py[b]), STAGE_COLOURS[STAGES[s]], STAGES[s], int(k)]
             for a, b, s, k in zip(reg, par, e.stage[rows], rows)]
    return {"live": [int(i) for i in live], "shown": [int(n + j) for j in np.unique(e.partner[:e.n][ours])],
            "lines": lines}
