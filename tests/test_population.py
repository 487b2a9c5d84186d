"""The regional governments and partners the model is built from."""

import numpy as np
import pandas as pd
import pytest

from coopsim.config.errors import UserError
from coopsim.model.model import CoopModel
from coopsim.model.population import build_regions, find_region, indonesia_regions


def test_all_indonesian_regional_governments_with_real_population():
    table = indonesia_regions()
    assert (table["level"] == "province").sum() == 38
    assert (table["level"] != "province").sum() == 514
    # Dukcapil December 2024: provinces sum to 284,973,643 and regencies sum to their province
    assert table.loc[table["level"] == "province", "population"].sum() == 284_973_643
    assert table.loc[table["level"] != "province", "population"].sum() == 284_973_643


def _regions(scenario, seed):
    return build_regions(scenario, np.random.default_rng(seed))


def test_hdi_raises_staff_capacity(baseline):
    provinces = baseline.override({"simulation.levels": ["province"]})
    hdi = _regions(provinces, 0).table["hdi"].to_numpy()
    rich, poor = hdi > np.median(hdi), hdi <= np.median(hdi)
    gap = np.mean([(lambda hr: hr[rich].mean() - hr[poor].mean())(_regions(provinces, s).hr) for s in range(10)])
    assert gap > 0.03


def test_traits_shift_capacities_by_the_documented_parameters(baseline):
    """traits.*: a steeper HDI slope widens the staff gap between high- and low-HDI regions; a
    lower island offset lowers that island's roads and leaves every other region's untouched
    (same draws)."""
    base = _regions(baseline, 5)
    steep = _regions(baseline.override({"traits.hr_hdi_slope": 0.3}), 5)
    hdi = base.table["hdi"].to_numpy()
    high = hdi > np.median(hdi)
    gap = lambda r: r.hr[high].mean() - r.hr[~high].mean()
    assert gap(steep) > gap(base) + 0.1
    papua = base.table["island_group"].to_numpy() == "Papua"
    worse = _regions(baseline.override({"traits.infrastructure_papua": -0.5}), 5)
    assert worse.infrastructure[papua].mean() < base.infrastructure[papua].mean() - 0.1
    np.testing.assert_array_equal(worse.infrastructure[~papua], base.infrastructure[~papua])
    alike = _regions(baseline.override({"traits.concentration": 100.0}), 5)
    assert np.std(alike.dprd) < np.std(base.dprd) / 2


def test_known_partnerships_seed_the_network(baseline):
    """A start from the data (no past): the known partnerships as documented."""
    model = CoopModel(baseline.override({"simulation.hindcast_from": None}), seed=1, agents=False)
    ledger = model.ledger()
    kyoto = ledger[(ledger["partner"] == "Kyoto Prefecture")]
    assert len(kyoto) == 1 and kyoto["region"].iat[0] == "Provinsi Daerah Istimewa Yogyakarta"
    assert kyoto["mou"].iat[0] == 1985 and kyoto["stage"].iat[0] == "active"
    assert ledger["known"].sum() >= 120


def test_regions_from_any_country_csv(tmp_path, baseline):
    path = tmp_path / "regions.csv"
    pd.DataFrame({"name": ["A", "B", "C"], "level": ["province", "city", "regency"],
                  "province": ["P1", "P1", "P1"], "island_group": ["X", "X", "X"],
                  "population": [1e6, 2e5, 3e5], "area_km2": [1e4, 100, 2e3]}).to_csv(path, index=False)
    model = CoopModel(baseline.override({"simulation.population": str(path)}), seed=1, agents=False).run()
    assert model.regions.n == 3 and model.t == baseline.steps
    path.write_text("name,level\nA,state\n")
    with pytest.raises(UserError, match="missing column"):
        CoopModel(baseline.override({"simulation.population": str(path)}), seed=1)


def test_synthetic_population_of_any_size(baseline):
    model = CoopModel(baseline.override({"simulation.population": "synthetic",
                                         "simulation.synthetic_regions": 1000}), seed=2, agents=False)
    assert model.regions.n == 1000


def test_find_region_is_forgiving_and_suggests():
    table = indonesia_regions()
    assert table["name"].iat[find_region(table, "DI Yogyakarta")] == "Provinsi Daerah Istimewa Yogyakarta"
    assert table["name"].iat[find_region(table, "kota surabaya")] == "Kota Surabaya"
    assert table["name"].iat[find_region(table, "Surabaya")] == "Kota Surabaya"
    with pytest.raises(UserError, match="Did you mean.*Surabaya"):
        find_region(table, "Surabayaa")
