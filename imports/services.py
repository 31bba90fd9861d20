"""The three imports: read the files (all checks first), then sync the profiles by code."""

import getpass
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify

from occupations import enums
from occupations import models as content
from occupations.publishing import status_transition

from . import ai_exposure, oews, onet
from .models import ImportRun, ImportSource
from .report import Report
from .soc import major_group_of, soc_code_of
from .sync import Incoming, RowSet, Synchroniser

ONET_DOCUMENT = {
    "slug": "onet-27-0-database",
    "name": "O*NET 27.0 Database",
    "url": "https://www.onetcenter.org/database.html",
    "publisher": "U.S. Department of Labor, Employment and Training Administration (USDOL/ETA)",
}
OEWS_DOCUMENT = {
    "slug": "bls-oews-may-2023",
    "name": "Occupational Employment and Wage Statistics, May 2023",
    "url": "https://www.bls.gov/oes/tables.htm",
    "publisher": "U.S. Bureau of Labor Statistics",
}
AI_EXPOSURE_DOCUMENT = {
    "slug": "gpts-are-gpts",
    "name": "GPTs are GPTs: Labor market impact potential of LLMs (Eloundou et al., 2023)",
    "url": "https://arxiv.org/abs/2303.10130",
    "publisher": "Science 384 (2024); data: github.com/openai/GPTs-are-GPTs (MIT licence)",
}
AI_EXPOSURE_RELEASE = "2023"
AI_EXPOSURE_KEY = "gpts-are-gpts"


@dataclass
class ImportOptions:
    path: Path
    release: str
    user: object = None
    publish: bool = False
    dry_run: bool = False
    progress: Callable[[int], object] | None = None  # given a total, returns a bar or None


class DryRunRollback(Exception):
    """Raised inside a dry run's transaction so that nothing it did is kept."""


@contextmanager
def _maybe_rolled_back(dry_run):
    # A dry run takes the same path as a real run, inside one transaction that is rolled
    # back: its report is exactly what the real run would do.
    if not dry_run:
        yield
        return
    try:
        with transaction.atomic():
            yield
            raise DryRunRollback
    except DryRunRollback:
        pass


def _document(values):
    document, _ = content.Source.objects.get_or_create(
        slug=values["slug"], defaults={k: v for k, v in values.items() if k != "slug"}
    )
    return document


def _record_run(source, options, report, started_at):
    if options.dry_run:
        return None
    user = options.user if getattr(options.user, "is_authenticated", False) else None
    return ImportRun.objects.create(
        source=source,
        release=options.release,
        started_by=user,
        started_by_name=user.get_username() if user else getpass.getuser(),
        started_at=started_at,
        finished_at=timezone.now(),
        input_path=str(options.path),
        counts=report.counts(),
        report=report.text(),
    )


def _progress(options, total):
    return options.progress(total) if options.progress else None


# --- O*NET --------------------------------------------------------------------------------

ONET_ROWSETS = (
    RowSet(
        "alternate_titles",
        key_of=lambda row: row.title,
        fields=("short_title",),
        create_only=("title",),
    ),
    RowSet(
        "tasks",
        key_of=lambda row: None if row.onet_task_id is None else str(row.onet_task_id),
        fields=("text", "task_type"),
        create_only=("onet_task_id",),
    ),
    RowSet(
        "skills",
        key_of=lambda row: row.skill_name,
        fields=(),
        create_only=("skill_id",),
        defaults={"group": enums.SkillGroup.TECHNOLOGY},
        filters={"group": enums.SkillGroup.TECHNOLOGY},
        annotations={"skill_name": F("skill__name")},
    ),
    RowSet(
        "related_occupations",
        key_of=lambda row: row.related_code,
        fields=("relatedness_tier", "relatedness_rank"),
        create_only=("related_id",),
        defaults={"kind": enums.RelationKind.SIMILAR},
        annotations={"related_code": F("related__onet_soc_code")},
    ),
    RowSet(
        "education_levels",
        key_of=lambda row: str(row.category),
        fields=("level", "share"),
        create_only=("category",),
    ),
)


def import_onet(options: ImportOptions) -> Report:
    """Profiles, their titles, tasks, technology skills, related occupations, Job Zone and
    education from an O*NET database directory."""
    started_at = timezone.now()
    database = onet.read_onet(options.path)
    report = Report()
    label = f"O*NET {options.release}"
    for name in database.missing_files:
        report.notes.append(f"not imported: {name} is not in {options.path}")
    with _maybe_rolled_back(options.dry_run):
        document = _document(ONET_DOCUMENT)
        _sync_job_zones(database.job_zones)
        sectors = _sectors(database.occupations)
        skills = _skills(database.occupations)
        created_ids = _create_missing_profiles(database.occupations, sectors, options)
        by_code = _profiles_by_code()
        profiles = {
            by_code[code]: _onet_incoming(
                occupation, sectors, skills, database.education_levels, by_code, report
            )
            for code, occupation in database.occupations.items()
        }
        _run_synchroniser(
            options,
            report,
            source=ImportSource.ONET,
            label=label,
            rowsets=ONET_ROWSETS,
            document=document,
            profiles=profiles,
            created_ids=created_ids,
        )
        _record_run(ImportSource.ONET, options, report, started_at)
    return report


def _onet_fields(occupation, sectors):
    return {
        "title": occupation.title[:200],
        "summary": occupation.description,
        "code": occupation.code,
        "code_classification": enums.CodeClassification.ONET_SOC,
        "sector_id": sectors[major_group_of(occupation.code)].pk,
        "job_zone": occupation.job_zone,
    }


def _onet_incoming(occupation, sectors, skills, education_levels, by_code, report):
    related = {}
    for code, tier, rank in occupation.related:
        if code not in by_code:
            report.skipped("related occupation is not on the site", f"{occupation.code} → {code}")
            continue
        related.setdefault(
            code,
            {"related_id": by_code[code], "relatedness_tier": tier, "relatedness_rank": rank},
        )
    titles = {}
    for title, short in occupation.alternate_titles:
        titles.setdefault(title[:200], {"title": title[:200], "short_title": short[:100]})
    return Incoming(
        code=occupation.code,
        fields=_onet_fields(occupation, sectors),
        rows={
            "alternate_titles": titles,
            "tasks": {
                str(task_id): {"onet_task_id": task_id, "text": text, "task_type": task_type}
                for task_id, text, task_type in occupation.tasks
            },
            "skills": {name: {"skill_id": skills[name]} for name, *_ in occupation.technology},
            "related_occupations": related,
            "education_levels": {
                str(category): {
                    "category": category,
                    "level": education_levels[category],
                    "share": share,
                }
                for category, share in occupation.education
            },
        },
    )


def _sync_job_zones(zones):
    for zone in zones:
        content.JobZone.objects.update_or_create(number=zone["number"], defaults=zone)


def _sectors(occupations):
    """The SOC major group of every occupation, as shared sectors (created when missing)."""
    names = {major_group_of(code) for code in occupations}
    existing = {sector.name: sector for sector in content.Sector.objects.filter(name__in=names)}
    taken = set(content.Sector.objects.values_list("slug", flat=True))
    new = []
    for name in sorted(names - existing.keys()):
        slug = _unique_slug(name, taken)
        new.append(content.Sector(name=name, slug=slug))
    content.Sector.objects.bulk_create(new)
    return {sector.name: sector for sector in content.Sector.objects.filter(name__in=names)}


def _unique_slug(text, taken, suffix=""):
    """slugify(text), else with the suffix (e.g. the code), else numbered; added to `taken`."""
    base = slugify(text)[:180] or "item"
    candidates = [base, f"{base}-{suffix}"] if suffix else [base]
    slug = next((c for c in candidates if c not in taken), None)
    number = 2
    while slug is None or slug in taken:
        slug = f"{base}-{number}"
        number += 1
    taken.add(slug)
    return slug


def _skills(occupations):
    """One shared Skill per technology example (by name), created when missing: {name: pk}.

    Existing skills keep what editors gave them; only an empty UNSPSC commodity is filled in.
    """
    wanted = {}
    for occupation in occupations.values():
        for name, code, title, hot in occupation.technology:
            wanted.setdefault(name, (code, title, hot))
    existing = {  # name -> (pk, UNSPSC code): plain values, ~9,000 skills on a full catalogue
        name: (pk, code)
        for pk, name, code in content.Skill.objects.values_list("pk", "name", "unspsc_code")
    }
    taken = set(content.Skill.objects.values_list("slug", flat=True))
    new, filled = [], []
    for name, (code, title, hot) in wanted.items():
        if name not in existing:
            new.append(
                content.Skill(
                    name=name,
                    slug=_unique_slug(name, taken),
                    kind=enums.SkillKind.TECHNICAL,
                    hot_technology=hot,
                    unspsc_code=code,
                    unspsc_title=title[:200],
                )
            )
        elif not existing[name][1]:
            filled.append(
                content.Skill(
                    pk=existing[name][0],
                    unspsc_code=code,
                    unspsc_title=title[:200],
                    hot_technology=hot,
                )
            )
    content.Skill.objects.bulk_create(new, batch_size=1000)
    content.Skill.objects.bulk_update(
        filled, ["unspsc_code", "unspsc_title", "hot_technology"], batch_size=1000
    )
    return dict(content.Skill.objects.filter(name__in=wanted).values_list("name", "pk"))


def _create_missing_profiles(occupations, sectors, options):
    """Profiles for the O*NET occupations the site does not have yet (drafts by default)."""
    known = set(
        content.Occupation.objects.filter(onet_soc_code__in=occupations).values_list(
            "onet_soc_code", flat=True
        )
    )
    taken = set(content.Occupation.objects.values_list("slug", flat=True))
    status = enums.PublicationStatus.PUBLISHED if options.publish else enums.PublicationStatus.DRAFT
    new = []
    for code, occupation in occupations.items():
        if code in known:
            continue
        profile = content.Occupation(
            onet_soc_code=code,
            slug=_unique_slug(occupation.title, taken, suffix=code.replace(".", "-")),
            **_onet_fields(occupation, sectors),
        )
        status_transition(profile, status=status, previous_status=None)
        new.append(profile)
    content.Occupation.objects.bulk_create(new, batch_size=500)
    return set(
        content.Occupation.objects.filter(
            onet_soc_code__in=[profile.onet_soc_code for profile in new]
        ).values_list("pk", flat=True)
    )


def _profiles_by_code():
    return dict(
        content.Occupation.objects.filter(onet_soc_code__isnull=False).values_list(
            "onet_soc_code", "pk"
        )
    )


def _run_synchroniser(
    options, report, *, source, label, rowsets, document, profiles, created_ids=frozenset()
):
    synchroniser = Synchroniser(
        source=source,
        release=options.release,
        source_label=label,
        rowsets=rowsets,
        document=document,
        user=options.user,
        report=report,
    )
    bar = _progress(options, len(profiles))
    synchroniser.run(profiles, created_ids=created_ids, progress=bar)
    if bar is not None:
        bar.close()


# --- BLS OEWS -----------------------------------------------------------------------------

WAGE_FIELDS = ("soc_code", "employment", *oews.HOURLY, *oews.ANNUAL, "special_values")
OEWS_ROWSETS = (
    RowSet(
        "wage_statistics",
        key_of=lambda row: row.release,
        fields=WAGE_FIELDS,
        create_only=("release",),
    ),
)


def import_oews(options: ImportOptions) -> Report:
    """BLS wage and employment estimates onto every profile whose SOC code BLS lists."""
    started_at = timezone.now()
    wages = oews.read_oews(options.path)
    report = Report()
    label = f"BLS OEWS {options.release}"
    with _maybe_rolled_back(options.dry_run):
        document = _document(OEWS_DOCUMENT)
        profiles, matched = {}, set()
        for code, pk in sorted(_profiles_by_code().items()):
            wage = wages.get(soc_code_of(code))
            if wage is None:
                report.skipped("BLS publishes no national estimate for the SOC code", code)
                continue
            matched.add(wage.soc_code)
            values = {
                "soc_code": wage.soc_code,
                "release": options.release,
                **wage.values,
                "special_values": dict(sorted(wage.special_values.items())),
            }
            profiles[pk] = Incoming(code=code, rows={"wage_statistics": {options.release: values}})
        for soc_code in sorted(wages.keys() - matched):
            report.skipped("no profile has this SOC code", soc_code)
        _run_synchroniser(
            options,
            report,
            source=ImportSource.OEWS,
            label=label,
            rowsets=OEWS_ROWSETS,
            document=document,
            profiles=profiles,
        )
        _record_run(ImportSource.OEWS, options, report, started_at)
    return report


# --- AI exposure --------------------------------------------------------------------------

AI_EXPOSURE_ROWSETS = (
    RowSet(
        "ai_exposure_scores",
        key_of=lambda row: AI_EXPOSURE_KEY,
        fields=tuple(ai_exposure.SHARES),
    ),
    RowSet(
        "tasks",
        key_of=lambda row: None if row.onet_task_id is None else str(row.onet_task_id),
        fields=("exposure_human", "exposure_gpt4"),
        creates=False,
    ),
)


def import_ai_exposure(options: ImportOptions) -> Report:
    """Each profile's exposure shares and each O*NET task's exposure label."""
    started_at = timezone.now()
    data = ai_exposure.read_ai_exposure(options.path)
    report = Report()
    label = f"GPTs are GPTs ({options.release})"
    with _maybe_rolled_back(options.dry_run):
        document = _document(AI_EXPOSURE_DOCUMENT)
        by_code = _profiles_by_code()
        profiles = {}
        for code, pk in sorted(by_code.items()):
            shares, tasks = data.occupations.get(code), data.tasks.get(code)
            if shares is None and tasks is None:
                report.skipped("the study rated no task of the occupation", code)
                continue
            rows = {"tasks": {str(task_id): labels for task_id, labels in (tasks or {}).items()}}
            if shares is not None:
                rows["ai_exposure_scores"] = {AI_EXPOSURE_KEY: shares}
            profiles[pk] = Incoming(code=code, rows=rows)
        for code in sorted((data.occupations.keys() | data.tasks.keys()) - by_code.keys()):
            report.skipped("no profile has this O*NET-SOC code", code)
        _run_synchroniser(
            options,
            report,
            source=ImportSource.AI_EXPOSURE,
            label=label,
            rowsets=AI_EXPOSURE_ROWSETS,
            document=document,
            profiles=profiles,
        )
        _record_run(ImportSource.AI_EXPOSURE, options, report, started_at)
    return report
