#!/usr/bin/env python3
"""Authors the sample EMA 1.8 workbooks (and one CSV) in this folder.

Each sample is the EMA form of one payload example of Prime Video's
reference (its payload examples, copied under tests/fixtures/spec/): the
script reads the example, writes one EMA row per transaction with the
columns of mappings/ema.toml, and copies the example next to the workbook
as `<name>.expected.json`. `cargo test` then checks that `avails convert`
of each workbook gives exactly that payload. The trailers get an ALID of
their own and the FVOD movie its own transaction IDs (OWN_IDS below), so
that all the samples can be sent together.

Needs openpyxl (`pip install openpyxl`); run from this folder:
`python3 make_samples.py ../tests/fixtures/spec`.
"""
import csv
import json
import sys
from pathlib import Path

import openpyxl

SAMPLES = [
    # (sample name, fixture, format)
    ("episode-channel", "002-ex1-req1-episode-channels-svod.json", "xlsx"),
    ("season-prime", "002-ex1-req2-season-channels-svod.json", "xlsx"),
    ("fvod-movie", "002-ex2-fvod-movie.json", "xlsx"),
    ("tvod-movie", "002-ex3-tvod-movie.json", "xlsx"),
    ("movie-trailer", "002-ex4-movie-trailer.json", "xlsx"),
    ("series-trailer", "002-ex5-series-trailer.json", "xlsx"),
    ("movie-bundle", "002-ex6-movie-bundle.json", "xlsx"),
    ("series-bundle", "002-ex7-series-bundle.json", "xlsx"),
    ("bundle-discount-exclusion", "002-ex8-bundle-discount-exclusion.json", "csv"),
]

# (section, column) in sheet order: the EMA 1.8 sections, then the avails
# extension columns for terms EMA cannot carry.
COLUMNS = [
    ("Avail", "DisplayName"), ("Avail", "ALID"), ("Disposition", "EntryType"),
    ("Avail", "DMA_ID"), ("AvailAsset", "ContentID"), ("AvailAsset", "WorkType"),
    ("AvailMetadata", "TitleInternalAlias"), ("AvailMetadata", "EpisodeTitleInternalAlias"),
    ("AvailMetadata", "EpisodeNumber"), ("AvailAsset", "SeasonContentID"),
    ("AvailMetadata", "SeasonTitleInternalAlias"), ("AvailMetadata", "SeasonNumber"),
    ("AvailMetadata", "EpisodeCount"), ("AvailAsset", "SeriesContentID"),
    ("AvailMetadata", "SeriesTitleInternalAlias"), ("AvailMetadata", "SeasonCount"),
    ("Avail", "BundledALIDs"), ("Avail", "AvailID"), ("AvailTrans", "LicenseType"),
    ("AvailTrans", "Territory"), ("AvailTrans", "FormatProfile"), ("AvailTrans", "Start"),
    ("AvailTrans", "End"), ("AvailTrans", "LicenseRightsDescription"),
    ("AvailTrans", "ContractID"), ("AvailTrans", "AssetLanguage"),
    ("AvailTrans", "AllowedLanguages"), ("AvailTrans", "HoldbackLanguage"),
    ("AvailMetadata", "GroupIdentity"), ("AvailTrans", "PriceType"),
    ("AvailTrans", "PriceValue"), ("AvailTrans", "PriceCurrency"), ("AvailTrans", "SRP"),
    ("AvailTrans", "RentalDuration"), ("AvailTrans", "WatchDuration"),
    ("AvailTrans", "Download"), ("AvailTrans", "Exclusive"),
    ("AvailTrans", "ExclusiveAttributes"), ("AvailTrans", "AnnounceDate"),
    ("AvailTrans", "SuppressionLiftDate"),
    ("Extension", "adKey"), ("Extension", "CompleteYourBundleDiscountPercentage"),
    ("Extension", "ExcludedFromBundleDiscount"),
]
PRICE_TERMS = {"Tier", "Category", "WSP"}

# The reference's examples reuse one title and its transactions: the
# trailers carry the movie's ALID (`demoALID`), so that, sent with the FVOD
# movie, one title would be a Movie and a Supplemental in one (ALID,
# territory, business line) and the two trailers one key; the FVOD and TVOD
# movies share two _TransactionIDs. Each sample gets IDs of its own here
# (the trailers' ContentID follows their ALID), so that
# `avails submit samples/*.xlsx samples/*.csv` sends every sample without
# conflict. (JSON token replaced, its count in the example.)
OWN_IDS = {
    "movie-trailer": [('"demoALID"', '"demoALID_movie_trailer"', 2)],
    "series-trailer": [('"demoALID"', '"demoALID_series_trailer"', 2)],
    "fvod-movie": [
        ('"availId123movie"', '"availId123fvodmovie"', 1),
        ('"availId456movie"', '"availId456fvodmovie"', 1),
    ],
}


def langs(items):
    return ", ".join(
        f"{i['value']}:{i['_asset']}" if "_asset" in i else i["value"] for i in items
    )


def hours(duration):
    assert duration.startswith("PT") and duration.endswith("H"), duration
    return int(duration[2:-1])


def rows_of(avail):
    asset = avail["Asset"][0]
    common = {
        "DisplayName": avail["Licensor"]["DisplayName"],
        "ALID": avail["ALID"],
        "EntryType": {"FullExtract": "Full Extract"}[avail["Disposition"]["EntryType"]],
        "WorkType": asset["WorkType"],
    }
    if asset.get("_contentID") != avail["ALID"]:
        common["ContentID"] = asset["_contentID"]
    for se in avail.get("SharedEntitlement", []):
        common["DMA_ID"] = se["EcosystemID"]
    meta = asset.get("Metadata")
    if meta:
        common["TitleInternalAlias"] = meta["TitleInternalAlias"][0]
    ep = asset.get("EpisodeMetadata")
    season = asset.get("SeasonMetadata") or (ep or {}).get("SeasonMetadata")
    series = (
        asset.get("SeriesMetadata")
        or (ep or {}).get("SeriesMetadata")
        or (season or {}).get("SeriesMetadata")
    )
    if ep:
        common["EpisodeTitleInternalAlias"] = ep["TitleInternalAlias"][0]
        common["EpisodeNumber"] = ep["EpisodeNumber"]["Number"]
    if season:
        common["SeasonContentID"] = season["SeasonContentID"]
        common["SeasonTitleInternalAlias"] = season["SeasonTitleInternalAlias"][0]
        common["SeasonNumber"] = season["SeasonNumber"]["Number"]
        common["EpisodeCount"] = season["NumberOfEpisodes"]
    if series:
        if "SeriesContentID" in series:
            common["SeriesContentID"] = series["SeriesContentID"]
        common["SeriesTitleInternalAlias"] = series["SeriesTitleInternalAlias"][0]
        common["SeasonCount"] = series["NumberOfSeasons"]
    if "BundleAsset" in asset:
        common["BundledALIDs"] = ";".join(b["BundledALID"] for b in asset["BundleAsset"])

    for t in avail["Transaction"]:
        row = dict(common)
        row.update({
            "AvailID": t.get("_TransactionID"),
            "LicenseType": t["LicenseType"],
            "Territory": t["Territory"][0]["country"],
            "FormatProfile": t["FormatProfile"]["value"],
            "Start": t["Start"],
            "End": t.get("End", "Open"),
            "LicenseRightsDescription": t.get("LicenseRightsDescription"),
            "ContractID": t.get("ContractID"),
        })
        for key, col in [("AssetLanguage", "AssetLanguage"), ("AllowedLanguage", "AllowedLanguages"),
                         ("HoldbackLanguage", "HoldbackLanguage")]:
            if key in t:
                row[col] = langs(t[key])
        for term in t.get("Terms", []):
            name = term["_termName"]
            if name == "ChannelIdentity":
                row["GroupIdentity"] = term["Text"]
            elif name in PRICE_TERMS:
                row["PriceType"] = name
                if "Money" in term and "value" in term["Money"]:
                    row["PriceValue"] = term["Money"]["value"]
                else:
                    row["PriceValue"] = term.get("Text")
                if "Money" in term:
                    row["PriceCurrency"] = term["Money"]["_currency"]
            elif name == "SRP":
                row["SRP"] = term["Money"]["value"]
                row["PriceCurrency"] = term["Money"]["_currency"]
            elif name in ("RentalDuration", "WatchDuration"):
                row[name] = hours(term["Duration"])
            elif name in ("Exclusive", "ExcludedFromBundleDiscount"):
                row[name] = "Yes" if term["Boolean"] else "No"
            elif "Event" in term:
                row[name] = term["Event"]
            elif "Number" in term:
                row[name] = term["Number"]
            else:
                row[name] = term["Text"]
        yield row


def write_xlsx(path, rows):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Avails"
    ws.append([s for s, _ in COLUMNS])
    ws.append([c for _, c in COLUMNS])
    ws.append(["1.8"] + ["//Opt"] * (len(COLUMNS) - 1))
    for row in rows:
        ws.append([row.get(c) for _, c in COLUMNS])
    wb.save(path)


def write_csv(path, rows):
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow([s for s, _ in COLUMNS])
        w.writerow([c for _, c in COLUMNS])
        w.writerow(["1.8"] + ["//Opt"] * (len(COLUMNS) - 1))
        for row in rows:
            w.writerow(["" if row.get(c) is None else row.get(c) for _, c in COLUMNS])


def main(fixtures):
    fixtures = Path(fixtures)
    for name, fixture, fmt in SAMPLES:
        text = (fixtures / fixture).read_text()
        for old, new, count in OWN_IDS.get(name, []):
            assert text.count(old) == count, (fixture, old)
            text = text.replace(old, new)
        example = json.loads(text)
        rows = list(rows_of(example["avail"]))
        (write_xlsx if fmt == "xlsx" else write_csv)(f"{name}.{fmt}", rows)
        Path(f"{name}.expected.json").write_text(text)
        print(f"{name}.{fmt}: {len(rows)} rows")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "../tests/fixtures/spec")
