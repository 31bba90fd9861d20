"""The BLS OEWS import: statistics per release, special values kept as BLS's symbols."""

import csv
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook

from imports.oews import read_oews
from imports.services import ImportOptions, import_oews
from occupations.models import WageStatistic

pytestmark = pytest.mark.django_db

EXCERPT = Path(__file__).parent / "data" / "bls-oews-2023" / "national_M2023_excerpt.csv"


def csv_row(code):
    with EXCERPT.open() as handle:
        return next(row for row in csv.DictReader(handle) if row["OCC_CODE"] == code)


def as_xlsx(tmp_path, source=EXCERPT):
    """The CSV written back as the workbook BLS publishes (numbers as numbers)."""
    workbook = Workbook()
    sheet = workbook.active
    with source.open() as handle:
        for index, row in enumerate(csv.reader(handle)):
            sheet.append([cell if index == 0 else _cell(cell) for cell in row])
    path = tmp_path / "national_M2023_dl.xlsx"
    workbook.save(path)
    return path


def _cell(text):
    try:
        return int(text)
    except ValueError:
        try:
            return float(text)
        except ValueError:
            return text


def run_import(path=EXCERPT, **options):
    return import_oews(ImportOptions(path=path, release="May 2023", **options))


@pytest.fixture
def profiles(make_occupation):
    return {
        code: make_occupation(onet_soc_code=code, code=code)
        for code in ("51-8012.00", "11-1011.00", "11-1031.00", "15-1252.00")
    }


def test_every_wage_figure_of_51_8012_matches_the_file(profiles):
    run_import()

    wage = WageStatistic.objects.get(occupation=profiles["51-8012.00"])
    row = csv_row("51-8012")
    assert (wage.soc_code, wage.release, wage.employment) == ("51-8012", "May 2023", 9040)
    assert int(row["TOT_EMP"]) == wage.employment
    hourly = ["mean", "p10", "p25", "median", "p75", "p90"]
    columns = ["MEAN", "PCT10", "PCT25", "MEDIAN", "PCT75", "PCT90"]
    for name, column in zip(hourly, columns, strict=True):
        assert getattr(wage, f"hourly_{name}") == Decimal(row[f"H_{column}"]).quantize(
            Decimal("0.01")
        )
        assert getattr(wage, f"annual_{name}") == int(row[f"A_{column}"])
    assert (wage.annual_p10, wage.annual_median, wage.annual_p90) == (68360, 104750, 138950)
    assert wage.hourly_mean == Decimal("50.70")
    assert wage.special_values == {}
    assert wage.source.slug == "bls-oews-may-2023"


def test_top_coded_percentiles_are_kept_as_hash_never_as_numbers(profiles):
    run_import()

    chiefs = WageStatistic.objects.get(occupation=profiles["11-1011.00"])
    assert chiefs.annual_p75 is None
    assert chiefs.annual_p90 is None
    assert chiefs.hourly_p75 is None
    assert chiefs.hourly_p90 is None
    assert chiefs.special_values == {
        "annual_p75": "#",
        "annual_p90": "#",
        "hourly_p75": "#",
        "hourly_p90": "#",
    }
    assert chiefs.annual_median == 206680


def test_unavailable_hourly_wages_are_kept_as_star(profiles):
    run_import()

    legislators = WageStatistic.objects.get(occupation=profiles["11-1031.00"])
    assert legislators.hourly_mean is None
    assert legislators.hourly_median is None
    assert legislators.special_values["hourly_median"] == "*"
    assert legislators.annual_median == 47290


def test_unavailable_employment_is_kept_as_two_stars(tmp_path):
    text = EXCERPT.read_text().replace(
        ",51-8012,Power Distributors and Dispatchers,detailed,9040,",
        ",51-8012,Power Distributors and Dispatchers,detailed,**,",
    )
    path = tmp_path / "wages.csv"
    path.write_text(text)

    wage = read_oews(path)["51-8012"]

    assert wage.values["employment"] is None
    assert wage.special_values == {"employment": "**"}


def test_the_xlsx_bls_publishes_reads_the_same_as_its_csv(tmp_path):
    assert read_oews(as_xlsx(tmp_path)) == read_oews(EXCERPT)


def test_the_xlsx_import_writes_what_the_csv_import_writes(profiles, tmp_path):
    run_import(path=as_xlsx(tmp_path))
    from_xlsx = list(WageStatistic.objects.order_by("soc_code").values())

    report = run_import()

    assert report.changed == 0
    assert list(WageStatistic.objects.order_by("soc_code").values()) == from_xlsx


def test_profiles_bls_does_not_list_and_rows_no_profile_has_are_reported_as_skipped(profiles):
    report = run_import()

    assert report.skipped_examples["BLS publishes no national estimate for the SOC code"] == [
        "15-1252.00"
    ]
    assert report.skipped_reasons["no profile has this SOC code"] == 2  # 51-8011, 51-8013
    assert not WageStatistic.objects.filter(occupation=profiles["15-1252.00"]).exists()


def test_re_running_changes_nothing_and_an_editors_figure_is_kept(profiles):
    run_import()
    WageStatistic.objects.filter(soc_code="51-8012").update(employment=9100)

    report = run_import()

    assert report.changed == 0
    assert WageStatistic.objects.get(soc_code="51-8012").employment == 9100
    assert report.kept_editor_values == [
        (
            "51-8012.00",
            "wage_statistics “May 2023” employment: differs from BLS OEWS May 2023, "
            "kept the editor's value",
        )
    ]
