"""Bad input is reported with file and line, nothing is written, the command exits non-zero."""

import shutil
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from imports.oews import read_oews
from imports.onet import read_onet
from imports.tabular import ImportFileError
from occupations.models import Occupation, Skill

pytestmark = pytest.mark.django_db

DATA = Path(__file__).parent / "data"


@pytest.fixture
def onet_copy(tmp_path):
    target = tmp_path / "onet"
    shutil.copytree(DATA / "onet-27.0", target)
    return target


def rewrite(path, old, new):
    path.write_text(path.read_text().replace(old, new, 1))


def test_a_missing_file_is_named(onet_copy):
    (onet_copy / "Task Statements.txt").unlink()

    with pytest.raises(ImportFileError, match=r"^Task Statements.txt: file not found"):
        read_onet(onet_copy)


def test_a_wrong_header_aborts_on_line_1(onet_copy):
    rewrite(onet_copy / "Job Zones.txt", "Job Zone\t", "Zone\t")

    with pytest.raises(
        ImportFileError, match=r"^Job Zones.txt:1: wrong header: missing .*Job Zone"
    ):
        read_onet(onet_copy)


def test_a_malformed_row_is_reported_with_its_line(onet_copy):
    rewrite(onet_copy / "Task Statements.txt", "\t8506\t", "\teighty\t")

    with pytest.raises(ImportFileError, match=r"^Task Statements.txt:3: Task ID 'eighty'"):
        read_onet(onet_copy)


def test_a_row_with_too_few_fields_is_reported_with_its_line(onet_copy):
    rewrite(onet_copy / "Job Zones.txt", "51-8012.00\t3\t", "51-8012.00\t3")

    with pytest.raises(ImportFileError, match=r"^Job Zones.txt:3: malformed row"):
        read_onet(onet_copy)


def test_an_unknown_code_is_reported_with_its_line(onet_copy):
    rewrite(onet_copy / "Alternate Titles.txt", "51-8011.00\tControl Operator", "99-9999.00\tX")

    with pytest.raises(ImportFileError, match=r"^Alternate Titles.txt:2: unknown O\*NET-SOC code"):
        read_onet(onet_copy)


def test_a_wage_that_is_neither_a_number_nor_a_bls_symbol_is_rejected(tmp_path):
    path = tmp_path / "wages.csv"
    path.write_text(
        (DATA / "bls-oews-2023" / "national_M2023_excerpt.csv")
        .read_text()
        .replace(",50.7,", ",n/a,")
    )

    with pytest.raises(ImportFileError, match=r"^wages.csv:4: H_MEAN 'n/a'"):
        read_oews(path)


def test_a_file_that_is_not_a_workbook_is_rejected(tmp_path):
    path = tmp_path / "wages.xlsx"
    path.write_text("not a workbook")

    with pytest.raises(ImportFileError, match=r"^wages.xlsx: not a readable .xlsx workbook"):
        read_oews(path)


def test_the_command_exits_non_zero_and_writes_nothing_on_a_late_error(onet_copy):
    # The error is in the last file read: every earlier file was fine, still nothing is written.
    rewrite(onet_copy / "Related Occupations.txt", "Primary-Short", "Primary-Shortish")

    with pytest.raises(CommandError, match="Nothing was imported. Related Occupations.txt:2"):
        call_command("import_onet", str(onet_copy))

    assert not Occupation.objects.exists()
    assert not Skill.objects.exists()


@pytest.mark.parametrize("command", ["import_onet", "import_oews", "import_ai_exposure"])
def test_each_command_rejects_a_path_that_does_not_exist(command, tmp_path):
    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command(command, str(tmp_path / "missing"))


@pytest.mark.parametrize("command", ["import_onet", "import_oews", "import_ai_exposure"])
def test_a_relative_path_that_does_not_exist_is_named_with_where_it_was_looked_for(
    command, tmp_path, monkeypatch
):
    # A new user's clone next to no ../shared saw only "onet-27.0-full: not a directory".
    monkeypatch.chdir(tmp_path)
    expected = f"missing: .*looked for {tmp_path.parent}/shared/missing\\)"

    with pytest.raises(CommandError, match=expected):
        call_command(command, "../shared/missing")
