"""ACLED exports as their users have them: every generation, Excel's dates and encodings, what is a strike."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from geo.errors import GeoError
from geo.importers import read_acled, read_file
from geo.importers._acled_dates import parse_event_dates
from geo.importers._acled_text import PARTY_TABLE, disruption, intercepted_in, party_of_source, strike
from geo.importers._encoding import detect

FIXTURES = Path(__file__).resolve().parent / "fixtures"
EXCEL_2024 = FIXTURES / "acled_2024_excel.csv"  # today's 31 columns, saved again by Excel: 16/02/2024 00:00:00, CRLF
ACLED_2020 = FIXTURES / "acled_2020.csv"  # 2019–2022 columns (data_id, iso, event_id_no_cnty, iso3), 9-May-20
ACLED_2016 = FIXTURES / "acled_2016.csv"  # version 7: upper case, quoted, BOM, CRLF, no sub_event_type
TODAY = dt.date(2026, 11, 1)


@pytest.fixture(scope="module")
def excel():
    return read_acled(EXCEL_2024, today=TODAY)


def _events(result):
    return result.events.set_index("event_id")


def _claims(result):
    return result.claims.set_index("event_id")


# --- item 3: dates -------------------------------------------------------------------------------


def test_excel_dates_with_a_time_of_day_are_read_day_first(excel):
    ev = _events(excel)
    assert ev.loc["acled-UKR150001", "time_start"] == pd.Timestamp("2024-02-16")
    assert ev.loc["acled-UKR150011", "time_start"] == pd.Timestamp("2024-02-22")
    assert excel.rejected == []
    assert excel.encoding == "utf-8"


def test_2020_export_with_excel_short_dates():
    result = read_acled(ACLED_2020, today=TODAY)
    ev = _events(result)
    assert ev.loc["acled-UKR60001", "time_start"] == pd.Timestamp("2020-05-09")  # 9-May-20, year 2020
    assert ev.loc["acled-UKR1234", "time_start"] == pd.Timestamp("2018-04-18")
    assert result.rejected == []


@pytest.mark.parametrize(
    ("cells", "years", "expected", "order"),
    [
        (["16/02/2024 00:00:00", "05/09/2020"], ["2024", "2020"], ["2024-02-16", "2020-09-05"], "day-first"),
        (["2/16/2024 0:00", "5/9/2020 0:00"], ["2024", "2020"], ["2024-02-16", "2020-05-09"], "month-first"),
        (["05/09/2020"], ["2020"], ["2020-09-05"], "day-first"),  # nothing shows the order: ACLED's day first
        (["9-May-20", "18-Apr-18", "09 May 2020", "2024-02-16", "15 February 2026", "16.02.2024"], None,
         ["2020-05-09", "2018-04-18", "2020-05-09", "2024-02-16", "2026-02-15", "2024-02-16"], "day-first"),
    ],
)  # fmt: skip
def test_event_date_shapes(cells, years, expected, order):
    got = parse_event_dates(pd.Series(cells), None if years is None else pd.Series(years))
    assert [d.strftime("%Y-%m-%d") for d in got.values] == expected
    assert got.order == order
    assert not got.ambiguous.any() and not got.year_mismatch.any()


def test_month_first_file_is_read_month_first(tmp_path):
    text = EXCEL_2024.read_text(encoding="utf-8")
    us = text.replace("16/02/2024 00:00:00", "2/16/2024 0:00").replace("17/02/2024 00:00:00", "2/17/2024 0:00")
    for day in range(18, 24):
        us = us.replace(f"{day}/02/2024 00:00:00", f"2/{day}/2024 0:00")
    path = tmp_path / "acled_us.csv"
    path.write_text(us, encoding="utf-8")
    result = read_acled(path, today=TODAY)
    assert _events(result).loc["acled-RUS30001", "time_start"] == pd.Timestamp("2024-02-17")
    assert "event_date read month first (the file has dates like 2/16/2024)" in result.notes


def test_dates_that_read_both_ways_in_a_file_of_both_orders_are_rejected_not_guessed(tmp_path):
    lines = EXCEL_2024.read_text(encoding="utf-8").splitlines()
    lines[1] = lines[1].replace("16/02/2024 00:00:00", "02/16/2024 00:00:00")  # month first
    lines[3] = lines[3].replace("17/02/2024 00:00:00", "02/03/2024 00:00:00")  # 2 March or 3 February?
    path = tmp_path / "acled_mixed.csv"
    path.write_text("\n".join(lines[:5]) + "\n", encoding="utf-8")
    result = read_acled(path, today=TODAY)
    assert [str(p) for p in result.rejected] == [
        "row 3, column 'event_date': reads as two dates, day or month first: '02/03/2024 00:00:00' "
        "(the file has rows of both orders) (write it as 2026-02-15)"
    ]
    assert _events(result).loc["acled-UKR150001", "time_start"] == pd.Timestamp("2024-02-16")


def test_year_column_must_agree_and_the_upload_timestamp_is_never_the_date(tmp_path):
    lines = EXCEL_2024.read_text(encoding="utf-8").splitlines()
    rows = [lines[0], lines[1], lines[2], lines[3]]
    rows[1] = rows[1].replace("16/02/2024 00:00:00,2024", "16/02/2024 00:00:00,2023")
    rows[2] = rows[2].replace("16/02/2024 00:00:00", "1708041600")
    rows[3] = rows[3].replace("17/02/2024 00:00:00", "")
    path = tmp_path / "acled_dates.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    result = read_acled(path, today=TODAY)
    fix = (
        "ACLED's timestamp column is when the row was uploaded or last changed, not the event's date; "
        "give event_date (2026-02-15)"
    )
    assert [str(p) for p in result.rejected] == [
        "row 1, column 'event_date': not in the year the year column gives: '16/02/2024 00:00:00' "
        "(check event_date and year)",
        f"row 2, column 'event_date': a Unix time, not a date: '1708041600' ({fix})",
        f"row 3, column 'event_date': required value is empty ({fix})",
    ]
    assert result.imported == 0


def test_a_file_without_event_date_is_refused_even_with_a_timestamp(tmp_path):
    df = pd.read_csv(EXCEL_2024, dtype=str, keep_default_na=False).drop(columns=["event_date"])
    path = tmp_path / "acled_no_date.csv"
    df.to_csv(path, index=False)
    with pytest.raises(GeoError, match=r"^acled_no_date.csv has no event_date column: ACLED's timestamp is when"):
        read_acled(path, today=TODAY)


# --- item 3: older generations, headers, encodings -------------------------------------------------


def test_2016_export_imports_by_its_own_event_types():
    result = read_acled(ACLED_2016, today=TODAY)
    assert result.encoding == "utf-8"  # with a byte-order mark
    assert result.layers == {"capture": 2, "strike": 2}
    assert result.skipped == {
        "outside the covered area: Somalia": 1,
        "outside the covered area: Nigeria": 1,
        "not an air, artillery or missile strike: an assassination, car bomb or planted explosive (notes)": 1,
        "not a strike, interception or capture: Violence against civilians": 1,
    }
    ev, cl = _events(result), _claims(result)
    assert ev.loc["acled-UKR101", ["layer", "weapon", "admin1", "country"]].tolist() == [
        "strike",
        "artillery",
        "UA-14",
        "UA",
    ]  # Remote violence: "Grad rockets fired … hit"
    assert cl.loc["acled-UKR101", "killed"] == 30 and cl.loc["acled-UKR101", "party"] == "UA"  # ATO HQ Press Centre
    assert ev.loc["acled-UKR102", ["layer", "side"]].tolist() == ["capture", "other"]  # separatists overtake
    assert ev.loc["acled-UKR103", ["layer", "side"]].tolist() == ["capture", "UA"]  # government regains
    assert ev.loc["acled-UKR103", "time_start"] == pd.Timestamp("2015-07-03")  # 03/07/2015, day first
    assert cl.loc["acled-UKR106", "party"] == "RU"  # DPR Ministry of Defence
    assert "ACLED export of 2016 (no sub_event_type): read by the 2016 event types" in result.notes


def test_2016_export_sniffed_and_read_through_read_file():
    result = read_file(ACLED_2016, today=TODAY)
    assert result.format == "acled" and result.imported == 4


def test_2020_export_maps_its_types_and_parties():
    result = read_acled(ACLED_2020, today=TODAY)
    assert result.layers == {"strike": 3}
    cl = _claims(result)
    assert cl.loc["acled-UKR60001", "party"] == "UA"  # JFO HQ press centre
    assert cl.loc["acled-UKR60002", "party"] == "RU"  # DPR Armed Forces Press Service
    assert cl.loc["acled-UKR1234", "party"] == "UA"  # ATO HQ Press Centre
    assert result.skipped["outside the covered area: Yemen"] == 1
    assert result.skipped["outside the covered area: Afghanistan"] == 1


def test_windows_1252_export_imports_and_says_so(tmp_path):
    text = EXCEL_2024.read_text(encoding="utf-8").replace("[no damage reported]", "– the Air Force’s report")
    path = tmp_path / "acled_ansi.csv"
    path.write_bytes(text.encode("cp1252"))
    result = read_acled(path, today=TODAY)
    assert result.encoding == "cp1252"
    assert "– the Air Force’s report" in _claims(result).loc["acled-UKR150001", "text"]
    assert "(acled, cp1252)" in result.to_text()


def test_encoding_is_decided_by_which_letters_make_words():
    assert detect("Харків, Запоріжжя – «обстріл»".encode("cp1251")) == "cp1251"
    assert detect("Mykolaïv – Kyiv’s “port”".encode("cp1252")) == "cp1252"
    assert detect(b"plain ascii") == "utf-8"
    mixed = "Харків".encode() + " Mykolaïv".encode("cp1252")
    with pytest.raises(GeoError, match=r"is not UTF-8 text, and its letters read as neither"):
        detect(mixed, "mixed.csv")


# --- item 4: disrupted weapons use ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("notes", "expected"),
    [
        ("Ukrainian air defence shot down 10 Russian 'Shahed-136/131' drones over Odesa region.", (10.0, "exact")),
        ("Air defence destroyed six drones over Kharkiv region.", (6.0, "exact")),
        ("Russian air defence shot down a drone over Kursk city.", (1.0, "exact")),
        ("An UAV was shot down near Belgorod.", (1.0, "exact")),
        ("Air defence systems intercepted two missiles and 25 drones over Belgorod region.", (27.0, "exact")),
        ("Over 20 drones were shot down.", (20.0, "at_least")),
        ("Twenty-five drones were shot down overnight.", (25.0, "exact")),
        ("Air defence intercepted 12 UAVs, 3 Neptune missiles and a Tochka-U rocket over Crimea.", (16.0, "exact")),
        ("The MoD said air defence shot down a total of 36 drones.", (36.0, "exact")),
    ],
)
def test_interception_figures_in_words_and_with_model_names(notes, expected):
    assert intercepted_in(notes) == expected


def test_only_interceptions_become_interception_claims(excel):
    ev, cl = _events(excel), _claims(excel)
    assert cl.loc["acled-UKR150001", ["intercepted", "intercepted_bound"]].tolist() == [10, "exact"]
    assert cl.loc["acled-UKR150002", "intercepted"] == 6
    assert cl.loc["acled-RUS30001", "intercepted"] == 1
    assert cl.loc["acled-RUS30002", "intercepted"] == 27 and ev.loc["acled-RUS30002", "weapon"] == "mixed"
    assert ev.loc["acled-UKR150001", "title"] == "Interception over Odesa"
    assert "acled-UKR150003" not in ev.index and "acled-UKR150004" not in ev.index
    assert excel.skipped["Disrupted weapons use, not an interception: a defusal or demining"] == 1
    assert excel.skipped["Disrupted weapons use, not an interception: weapons seized or a cache found"] == 1


@pytest.mark.parametrize(
    ("notes", "reason"),
    [
        ("Russian air defence shot down 25 drones over Kursk.", None),
        ("Ukrainian EW units suppressed 14 Lancet drones near Kupiansk.", None),
        ("SES sappers defused an unexploded Russian Kh-101 cruise missile near Zhytomyr.", "a defusal or demining"),
        ("Deminers cleared 30 explosive objects in the Kharkiv region.", "a defusal or demining"),
        ("A weapons cache was found in a forest near Kharkiv.", "weapons seized or a cache found"),
        ("Police seized 12 grenades and an RPG from a resident of Dnipro.", "weapons seized or a cache found"),
        ("A sabotage attempt on a railway was foiled.", "no interception described"),
    ],
)
def test_disruption_reasons(notes, reason):
    assert disruption(notes) == reason


# --- item 5: not strikes -------------------------------------------------------------------------


def test_grenades_car_bombs_elevators_and_deminers_are_not_strikes(excel):
    ev = _events(excel)
    for event in ("acled-UKR150005", "acled-UKR150006", "acled-RUS30003", "acled-UKR150007"):
        assert event not in ev.index
    assert excel.skipped["not an air, artillery or missile strike: Explosions/Remote violence › Grenade"] == 1
    assert (
        excel.skipped[
            "not an air, artillery or missile strike: Explosions/Remote violence › Remote explosive/landmine/IED"
        ]
        == 3
    )
    # an IED sub-event whose notes describe a drone dropping it is a drone strike
    assert ev.loc["acled-UKR150008", ["layer", "weapon"]].tolist() == ["strike", "drone"]


@pytest.mark.parametrize(
    ("sub", "notes", "expected"),
    [
        ("Air/drone strike", "Russian forces struck Kharkiv city with Shahed drones.", ("drone", None)),
        ("Air/drone strike", "A Ukrainian drone crashed accidentally in a field.", (None, "an accident")),
        ("Shelling/artillery/missile attack", "An unexploded shell detonated in a field, injuring a tractor driver.",
         (None, "demining, defusal or unexploded ordnance")),
        ("Shelling/artillery/missile attack", "Russian forces shelled a bomb disposal team near Kherson.",
         ("artillery", None)),
        ("Grenade", "A Russian drone dropped a grenade on a car in Kherson.", ("drone", None)),
        ("Suicide bomb", "A suicide bomber blew himself up at a checkpoint.", (None, "Suicide bomb")),
        (None, "Separatist artillery shelled Ukrainian positions in Avdiivka.", ("artillery", None)),
        (None, "An IED exploded under a car in Mariupol.", (None, "an assassination, car bomb or planted explosive")),
        (None, "A civilian stepped on a landmine near Marinka.", (None, "a landmine")),
    ],
)  # fmt: skip
def test_strike_rule(sub, notes, expected):
    assert strike(sub, notes) == expected


# --- item 6: covered area ------------------------------------------------------------------------


def test_rows_outside_the_covered_area_are_skipped_by_country(excel):
    assert excel.skipped["outside the covered area: Yemen"] == 1
    assert excel.skipped["outside the covered area: Afghanistan"] == 1
    assert excel.skipped_rows["outside the covered area: Yemen"] == [15]
    assert set(excel.events["country"]) <= {"UA", "RU", "BY"}
    assert excel.events["admin1"].notna().all()


# --- item 7: party of a source --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "party"),
    [
        ("DPR Armed Forces Press Service", "RU"),
        ("LPR People's Militia", "RU"),
        ("Donetsk News Agency", "RU"),
        ("DAN", "RU"),
        ("LPR Representative Office in JCCC", "RU"),
        ("Russian Ministry of Defence", "RU"),
        ("General Staff of the Armed Forces of Russia", "RU"),
        ("ATO HQ Press Centre", "UA"),
        ("JFO HQ press centre", "UA"),
        ("Operational Command South", "UA"),
        ("Air Force of Ukraine", "UA"),
        ("Ukrinform; JFO HQ press centre", "UA"),
        ("DPR Armed Forces Press Service; JFO HQ press centre", "independent"),
        ("Dan Smith (blog)", "independent"),  # 'DAN' only in capitals
        ("Ukrainska Pravda", "independent"),
    ],
)
def test_party_of_source_table(source, party):
    assert party_of_source(source) == party


def test_party_table_is_readable_rows():
    assert all(party in ("RU", "UA") and what and pattern for party, what, pattern in PARTY_TABLE)


# --- items 1–2: what the reader states for validation ---------------------------------------------


def test_located_rows_carry_the_stated_region_and_country(excel):
    ev = _events(excel)
    assert ev.loc["acled-UKR150009", "admin1"] == "UA-32"  # ACLED's "Kyiv" is Kyiv Oblast (Bila Tserkva)
    assert ev.loc["acled-UKR150010", "admin1"] == "UA-30"  # "Kyiv City"
    # Seredyna-Buda, Sumy: Natural Earth's border puts the point in Bryansk; the stated oblast is kept
    assert ev.loc["acled-UKR150011", ["admin1", "country", "geo_precision"]].tolist() == ["UA-59", "UA", "exact"]
    assert np.all(ev["geometry"].notna())
    assert excel.placed == {"inside": 7, "stated": 1}


def test_coastal_and_sea_rows_keep_the_stated_region_or_country(tmp_path):
    """Ochakiv lies off Natural Earth's coast; a strike on a ship off Crimea lies at sea (ACLED country Ukraine)."""
    header, *rows = EXCEL_2024.read_text(encoding="utf-8").splitlines()
    kyiv = next(r for r in rows if r.startswith("UKR150010"))
    coast = kyiv.replace("UKR150010", "UKR150021").replace(
        "Kyiv City,Kyiv City,,Kyiv,50.4500,30.5200", "Mykolaiv,Ochakivskyi,,Ochakiv,46.6128,31.5400"
    )
    sea = kyiv.replace("UKR150010", "UKR150020").replace(
        "Kyiv City,Kyiv City,,Kyiv,50.4500,30.5200", ",,,Black Sea,44.2000,31.5000"
    )
    path = tmp_path / "acled_coast.csv"
    path.write_text("\n".join([header, coast, sea]) + "\n", encoding="utf-8")
    result = read_acled(path, today=TODAY)
    assert result.rejected == []
    ev = _events(result)
    assert ev.loc["acled-UKR150021", ["admin1", "country"]].tolist() == ["UA-48", "UA"]
    assert ev.loc["acled-UKR150020", "admin1"] is None and ev.loc["acled-UKR150020", "country"] == "UA"
    assert result.placed == {"stated": 1, "sea": 1}
