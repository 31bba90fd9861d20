"""Reader of the O*NET database text files (tab-delimited, one header line each).

Column meanings: https://www.onetcenter.org/dictionary/27.0/text/
"""

import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from occupations.enums import RelatednessTier, TaskType

from .soc import MAJOR_GROUPS
from .tabular import ImportFileError, not_found, parse_decimal, read_delimited

CODE = re.compile(r"^\d{2}-\d{4}\.\d{2}$")
TIERS = {
    "Primary-Short": RelatednessTier.PRIMARY_SHORT,
    "Primary-Long": RelatednessTier.PRIMARY_LONG,
    "Supplemental": RelatednessTier.SUPPLEMENTAL,
}
TASK_TYPES = {"Core": TaskType.CORE, "Supplemental": TaskType.SUPPLEMENTAL, "n/a": ""}
REQUIRED_LEVEL_OF_EDUCATION = "RL"  # the scale of element 2.D.1 in Education, Training ...

OCCUPATIONS = "Occupation Data.txt"
TASKS = "Task Statements.txt"
ALTERNATE_TITLES = "Alternate Titles.txt"
TECHNOLOGY = "Technology Skills.txt"
RELATED = "Related Occupations.txt"
JOB_ZONES = "Job Zones.txt"
# Not in every extract (the test excerpt lacks them): read when present.
JOB_ZONE_REFERENCE = "Job Zone Reference.txt"
EDUCATION = "Education, Training, and Experience.txt"
EDUCATION_CATEGORIES = "Education, Training, and Experience Categories.txt"


@dataclass
class OnetOccupation:
    code: str
    title: str
    description: str
    job_zone: int | None = None
    alternate_titles: list = field(default_factory=list)  # (title, short title)
    tasks: list = field(default_factory=list)  # (task id, text, task type)
    technology: list = field(default_factory=list)  # (example, commodity code, title, hot)
    related: list = field(default_factory=list)  # (related code, tier, index)
    education: list = field(default_factory=list)  # (category, share in %)


@dataclass
class OnetDatabase:
    occupations: dict[str, OnetOccupation]
    job_zones: list[dict] = field(default_factory=list)  # Job Zone Reference rows
    education_levels: dict[int, str] = field(default_factory=dict)  # category -> label
    missing_files: list[str] = field(default_factory=list)


def read_onet(directory: Path) -> OnetDatabase:
    """Every file the importer uses, checked; raises ImportFileError before anything is written."""
    directory = Path(directory)
    if not directory.is_dir():
        raise not_found(directory, "not a directory")
    occupations = _read_occupations(directory / OCCUPATIONS)
    database = OnetDatabase(occupations=occupations)
    _read_job_zones(directory / JOB_ZONES, occupations)
    _read_tasks(directory / TASKS, occupations)
    _read_alternate_titles(directory / ALTERNATE_TITLES, occupations)
    _read_technology(directory / TECHNOLOGY, occupations)
    _read_related(directory / RELATED, occupations)
    for name in (JOB_ZONE_REFERENCE, EDUCATION, EDUCATION_CATEGORIES):
        if not (directory / name).is_file():
            database.missing_files.append(name)
    if JOB_ZONE_REFERENCE not in database.missing_files:
        database.job_zones = _read_job_zone_reference(directory / JOB_ZONE_REFERENCE)
    if not {EDUCATION, EDUCATION_CATEGORIES} & set(database.missing_files):
        database.education_levels = _read_education_levels(directory / EDUCATION_CATEGORIES)
        _read_education(directory / EDUCATION, occupations, database.education_levels)
    return database


def _occupation_of(path, line, row, occupations):
    code = row["O*NET-SOC Code"]
    if code not in occupations:
        raise ImportFileError(path, f"unknown O*NET-SOC code {code!r}", line)
    return occupations[code]


def _integer(path, line, text, what):
    if not text.strip().isdigit():
        raise ImportFileError(path, f"{what} {text!r} is not a whole number", line)
    return int(text)


def _read_occupations(path):
    occupations = {}
    for line, row in read_delimited(path, columns=("O*NET-SOC Code", "Title", "Description")):
        code, title = row["O*NET-SOC Code"], row["Title"].strip()
        if not CODE.match(code) or code[:2] not in MAJOR_GROUPS:
            raise ImportFileError(path, f"malformed O*NET-SOC code {code!r}", line)
        if not title:
            raise ImportFileError(path, f"{code} has no title", line)
        if code in occupations:
            raise ImportFileError(path, f"{code} appears twice", line)
        occupations[code] = OnetOccupation(code, title, row["Description"].strip())
    return occupations


def _read_job_zones(path, occupations):
    for line, row in read_delimited(path, columns=("O*NET-SOC Code", "Job Zone")):
        zone = _integer(path, line, row["Job Zone"], "Job Zone")
        if not 1 <= zone <= 5:
            raise ImportFileError(path, f"Job Zone {zone} is not 1 to 5", line)
        _occupation_of(path, line, row, occupations).job_zone = zone


def _read_tasks(path, occupations):
    columns = ("O*NET-SOC Code", "Task ID", "Task", "Task Type")
    for line, row in read_delimited(path, columns=columns):
        occupation = _occupation_of(path, line, row, occupations)
        task_id = _integer(path, line, row["Task ID"], "Task ID")
        if row["Task Type"] not in TASK_TYPES:
            raise ImportFileError(path, f"unknown Task Type {row['Task Type']!r}", line)
        occupation.tasks.append((task_id, row["Task"].strip(), TASK_TYPES[row["Task Type"]]))


def _read_alternate_titles(path, occupations):
    columns = ("O*NET-SOC Code", "Alternate Title", "Short Title")
    for line, row in read_delimited(path, columns=columns):
        short = row["Short Title"].strip()
        title = row["Alternate Title"].strip()
        if not title:
            raise ImportFileError(path, "empty Alternate Title", line)
        _occupation_of(path, line, row, occupations).alternate_titles.append(
            (title, "" if short == "n/a" else short)
        )


def _read_technology(path, occupations):
    columns = ("O*NET-SOC Code", "Example", "Commodity Code", "Commodity Title", "Hot Technology")
    for line, row in read_delimited(path, columns=columns):
        if row["Hot Technology"] not in ("Y", "N"):
            raise ImportFileError(
                path, f"Hot Technology {row['Hot Technology']!r} is not Y/N", line
            )
        example = row["Example"].strip()
        if not example:
            raise ImportFileError(path, "empty Example", line)
        _occupation_of(path, line, row, occupations).technology.append(
            (
                example,
                row["Commodity Code"].strip(),
                row["Commodity Title"].strip(),
                row["Hot Technology"] == "Y",
            )
        )


def _read_related(path, occupations):
    columns = ("O*NET-SOC Code", "Related O*NET-SOC Code", "Relatedness Tier", "Index")
    for line, row in read_delimited(path, columns=columns):
        occupation = _occupation_of(path, line, row, occupations)
        if row["Relatedness Tier"] not in TIERS:
            raise ImportFileError(
                path, f"unknown Relatedness Tier {row['Relatedness Tier']!r}", line
            )
        related = row["Related O*NET-SOC Code"]
        if not CODE.match(related):
            raise ImportFileError(path, f"malformed O*NET-SOC code {related!r}", line)
        index = _integer(path, line, row["Index"], "Index")
        occupation.related.append((related, TIERS[row["Relatedness Tier"]], index))


def _read_job_zone_reference(path):
    columns = ("Job Zone", "Name", "Experience", "Education", "Job Training", "Examples")
    zones = []
    for line, row in read_delimited(path, columns=columns):
        zones.append(
            {
                "number": _integer(path, line, row["Job Zone"], "Job Zone"),
                "name": row["Name"].strip(),
                "experience": row["Experience"].strip(),
                "education": row["Education"].strip(),
                "job_training": row["Job Training"].strip(),
                "examples": row["Examples"].strip(),
                "svp_range": row.get("SVP Range", "").strip(),
            }
        )
    return zones


def _read_education_levels(path):
    columns = ("Scale ID", "Category", "Category Description")
    levels = {}
    for line, row in read_delimited(path, columns=columns):
        if row["Scale ID"] == REQUIRED_LEVEL_OF_EDUCATION:
            # The long descriptions explain a term after " - "; the page shows the term.
            label = row["Category Description"].split(" - ")[0].strip()
            levels[_integer(path, line, row["Category"], "Category")] = label
    return levels


def _read_education(path, occupations, levels):
    columns = ("O*NET-SOC Code", "Scale ID", "Category", "Data Value")
    for line, row in read_delimited(path, columns=columns):
        if row["Scale ID"] != REQUIRED_LEVEL_OF_EDUCATION:
            continue
        occupation = _occupation_of(path, line, row, occupations)
        category = _integer(path, line, row["Category"], "Category")
        if category not in levels:
            raise ImportFileError(path, f"unknown education category {category}", line)
        share = parse_decimal(row["Data Value"])
        if share is None or not 0 <= share <= 100:
            raise ImportFileError(path, f"Data Value {row['Data Value']!r} is not 0 to 100", line)
        if share:  # the page shows who holds which level; empty categories say nothing
            occupation.education.append((category, share.quantize(Decimal("0.01"))))
