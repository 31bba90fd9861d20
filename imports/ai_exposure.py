"""Reader of the GPTs-are-GPTs data (Eloundou, Manning, Mishkin, Rock 2023; MIT licence).

`occ_level.csv`: per O*NET occupation, the share of its tasks exposed to LLMs as rated by
GPT-4 (`dv_rating_*`) and by people (`human_rating_*`). `full_labelset.tsv`: one label per
O*NET task (E0 none, E1 direct, E2 with LLM-powered software), matched by O*NET Task ID.
"""

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from .tabular import ImportFileError, not_found, parse_decimal, read_delimited

OCCUPATIONS = "occ_level.csv"
TASKS = "full_labelset.tsv"
SHARES = {
    "gpt4_alpha": "dv_rating_alpha",
    "gpt4_beta": "dv_rating_beta",
    "gpt4_gamma": "dv_rating_gamma",
    "human_alpha": "human_rating_alpha",
    "human_beta": "human_rating_beta",
    "human_gamma": "human_rating_gamma",
}
LABELS = {"E0", "E1", "E2"}
SHARE_PLACES = Decimal("0.001")


@dataclass
class ExposureData:
    occupations: dict[str, dict] = field(default_factory=dict)  # code -> {field: share}
    tasks: dict[str, dict[int, dict]] = field(default_factory=dict)  # code -> id -> labels


def read_ai_exposure(directory: Path) -> ExposureData:
    directory = Path(directory)
    if not directory.is_dir():
        raise not_found(directory, "not a directory")
    data = ExposureData()
    path = directory / OCCUPATIONS
    for line, row in read_delimited(
        path, columns=("O*NET-SOC Code", *SHARES.values()), delimiter=","
    ):
        code = row["O*NET-SOC Code"]
        shares = {}
        for name, column in SHARES.items():
            value = parse_decimal(row[column])
            # Float sums such as 1.0000000000000002 are rounded first, then checked.
            value = value.quantize(SHARE_PLACES) if value is not None else None
            if value is None or not 0 <= value <= 1:
                raise ImportFileError(path, f"{column} {row[column]!r} is not a share 0 to 1", line)
            shares[name] = value
        data.occupations[code] = shares
    path = directory / TASKS
    columns = ("O*NET-SOC Code", "Task ID", "human_exposure_agg", "gpt4_exposure")
    for line, row in read_delimited(path, columns=columns):
        task_id = parse_decimal(row["Task ID"])  # written as a float: 12299.0
        if task_id is None or task_id != task_id.to_integral_value() or task_id < 0:
            raise ImportFileError(path, f"Task ID {row['Task ID']!r} is not a whole number", line)
        labels = {
            "exposure_human": row["human_exposure_agg"],
            "exposure_gpt4": row["gpt4_exposure"],
        }
        for column, label in labels.items():
            if label not in LABELS:
                raise ImportFileError(path, f"{column} {label!r} is not E0, E1 or E2", line)
        data.tasks.setdefault(row["O*NET-SOC Code"], {})[int(task_id)] = labels
    return data
