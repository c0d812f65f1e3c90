"""The stored default yield and horizon-loss tables are what sxgeo.pv.energy computes, to the last bit."""

from __future__ import annotations

import pandas as pd
import pytest

from sxgeo.pv import energy


@pytest.mark.parametrize("scenario", ["default", "low"])
def test_stored_yield_table_is_the_computed_one(scenario):
    stored = energy.yield_table(scenario=scenario)
    assert stored.attrs["source"].startswith(f"monthly GHI table ({scenario})")
    computed = energy._computed_yield_table(scenario=scenario, mounts=energy.thermal_mounts())
    pd.testing.assert_frame_equal(stored, computed, check_exact=True)
    assert stored.attrs == computed.attrs


def test_stored_horizon_loss_table_is_the_computed_one():
    pd.testing.assert_frame_equal(
        energy.horizon_loss_table(), energy._computed_horizon_loss_table(), check_exact=True
    )


def test_other_mounts_or_a_changed_ghi_table_are_computed(monkeypatch):
    """Mounts the stored table was not made for are computed; so is everything once the GHI table changes."""
    mounts = {"close_roof": (28.1, 0.0), "open_rack": (26.0, 6.84)}
    t = energy.yield_table(mounts=mounts)
    stored = energy.yield_table()
    rack = t["mount"] == "open_rack"
    # a rack losing more heat (u0 26 against 25 W/m2K) runs cooler: computed, every open-rack bin yields more
    assert (t.loc[rack, "yield_kwh_kwp"].to_numpy() > stored.loc[rack, "yield_kwh_kwp"].to_numpy()).all()
    pd.testing.assert_frame_equal(t[~rack], stored[~rack])
    calls = []
    real = energy._computed_horizon_loss_table
    monkeypatch.setattr(
        energy, "_computed_horizon_loss_table", lambda *a, **k: calls.append(1) or real(*a, **k)
    )
    monkeypatch.setattr(energy, "ghi_table_sha256", lambda: "another table")
    energy.horizon_loss_table()
    assert calls == [1]
