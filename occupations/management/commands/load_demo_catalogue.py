"""BENCHMARK / DEMO DATA GENERATOR: a catalogue-sized database from the O*NET text files.

This is not the O*NET importer (no sync by external id, no import runs, no editorial
fields): it fills an empty database quickly so pages, search and the API can be measured at
catalogue size. Occupation Data gives title, code and summary; Alternate Titles, Task
Statements (duties), Technology Skills (shared Skill rows) and Related Occupations give the
collections. `--profiles N` repeats the catalogue with suffixed slugs until N profiles exist
(the 10,000-profile search benchmark). Writes are bulk; `content_changed` runs once at the end.

    manage.py load_demo_catalogue --onet ../shared/external-data/onet-27.0-full [--profiles N]
"""

import csv
import itertools
from collections import defaultdict
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils.text import slugify

from occupations import enums, models
from occupations.changes import content_changed

BATCH = 2000
TITLE_LIMIT = models.AlternateTitle._meta.get_field("title").max_length


def read_tsv(directory, name):
    """Rows of one O*NET tab-separated file as dicts (header row gives the keys)."""
    path = Path(directory) / f"{name}.txt"
    if not path.exists():
        raise CommandError(f"{path} not found: point --onet at the O*NET text release.")
    with path.open(encoding="utf-8", newline="") as handle:
        yield from csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)


def unique_slugs(names, taken=()):
    """A slug for each name, unique among them (and `taken`), at most 200 characters."""
    used = set(taken)
    slugs = {}
    for name in names:
        base = slugify(name)[:190] or "term"
        slug = base
        for number in itertools.count(2):
            if slug not in used:
                break
            slug = f"{base}-{number}"
        used.add(slug)
        slugs[name] = slug
    return slugs


class Command(BaseCommand):
    help = "BENCHMARK/DEMO ONLY: fill an empty database from O*NET (not the importer)."

    def add_arguments(self, parser):
        parser.add_argument("--onet", required=True, help="directory of the O*NET text files")
        parser.add_argument(
            "--profiles", type=int, default=0, help="repeat the catalogue up to this many profiles"
        )

    def handle(self, *args, onet, profiles, **options):
        if models.Occupation.objects.exists():
            raise CommandError("The database already holds profiles; use an empty one.")
        source = self._read(onet)
        copies = max(1, -(-profiles // len(source["occupations"]))) if profiles else 1
        with transaction.atomic():
            skills = self._skills(source["skills"])
            sectors = self._sectors(source["occupations"])
            created = []
            for copy in range(1, copies + 1):
                limit = profiles - len(created) if profiles else None
                created += self._copy(source, copy, limit, skills, sectors)
            # One door for change: search vectors (and the SQLite index), the content version.
            content_changed(occupations=[occupation.pk for occupation in created])
        if connection.vendor == "postgresql":
            # Fresh planner statistics, or the first searches scan instead of using the indexes.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        self.stdout.write(
            f"Demo catalogue: {len(created)} profiles, {len(skills)} skills "
            f"({copies} cop{'y' if copies == 1 else 'ies'} of O*NET)."
        )

    def _read(self, directory):
        occupations = [
            (row["O*NET-SOC Code"], row["Title"], row["Description"])
            for row in read_tsv(directory, "Occupation Data")
        ]
        collections = {
            "alternates": ("Alternate Titles", "Alternate Title"),
            "tasks": ("Task Statements", "Task"),
            "technology": ("Technology Skills", "Example"),
            "related": ("Related Occupations", "Related O*NET-SOC Code"),
        }
        data = {"occupations": occupations}
        for key, (file_name, column) in collections.items():
            rows = defaultdict(list)
            for row in read_tsv(directory, file_name):
                value = row[column].strip()
                if value and value not in rows[row["O*NET-SOC Code"]]:
                    rows[row["O*NET-SOC Code"]].append(value)
            data[key] = rows
        data["skills"] = sorted({name for names in data["technology"].values() for name in names})
        return data

    def _skills(self, names):
        slugs = unique_slugs(names)
        models.Skill.objects.bulk_create(
            (models.Skill(name=name[:200], slug=slugs[name]) for name in names), batch_size=BATCH
        )
        pk_by_slug = dict(models.Skill.objects.values_list("slug", "pk"))
        return {name: pk_by_slug[slugs[name]] for name in names}

    def _sectors(self, occupations):
        groups = sorted({code[:2] for code, _, _ in occupations})
        models.Sector.objects.bulk_create(
            models.Sector(name=f"SOC major group {group}", slug=f"soc-{group}") for group in groups
        )
        return {
            slug.removeprefix("soc-"): pk
            for slug, pk in models.Sector.objects.values_list("slug", "pk")
        }

    def _copy(self, source, copy, limit, skills, sectors):
        """One copy of the catalogue (slugs and titles suffixed after the first)."""
        rows = source["occupations"][:limit] if limit else source["occupations"]
        suffix = "" if copy == 1 else f"-{copy}"
        occupations = models.Occupation.objects.bulk_create(
            (
                models.Occupation(
                    title=title if copy == 1 else f"{title} ({copy})",
                    slug=f"{slugify(title)[:180]}-{code.replace('.', '-')}{suffix}",
                    code=code,
                    code_classification=enums.CodeClassification.ONET_SOC,
                    summary=summary,
                    sector_id=sectors[code[:2]],
                    status=enums.PublicationStatus.PUBLISHED,
                )
                for code, title, summary in rows
            ),
            batch_size=BATCH,
        )
        by_code = {
            occupation.code: occupation.pk
            for occupation in models.Occupation.objects.filter(
                pk__in=[o.pk for o in occupations]
            ).only("pk", "code")
        }
        self._rows(
            models.AlternateTitle,
            source["alternates"],
            by_code,
            lambda title: {"title": title[:TITLE_LIMIT]},
        )
        self._rows(models.Duty, source["tasks"], by_code, lambda text: {"text": text})
        self._rows(
            models.OccupationSkill,
            source["technology"],
            by_code,
            lambda name: {"skill_id": skills[name], "group": enums.SkillGroup.TECHNICAL},
        )
        self._rows(
            models.RelatedOccupation,
            {
                code: [target for target in targets if target in by_code]
                for code, targets in source["related"].items()
            },
            by_code,
            lambda target: {"related_id": by_code[target], "kind": enums.RelationKind.SIMILAR},
        )
        return occupations

    def _rows(self, model, values_by_code, by_code, fields):
        def build():
            for code, values in values_by_code.items():
                if code in by_code:
                    for order, value in enumerate(values, start=1):
                        yield model(occupation_id=by_code[code], order=order, **fields(value))

        model.objects.bulk_create(build(), batch_size=BATCH)
