"""Builder fixtures, composed like bricks: occupation -> published_occupation -> clients."""

import pytest
from django.contrib.auth.models import Group

from careergraph.cache import redis_answers_again
from occupations import enums
from occupations.models import Occupation, Sector
from occupations.search import update_search_vectors


def pytest_collection_modifyitems(config, items):
    """A test outside tests/browser that asks for a fixture named `page` (pytest-playwright's)
    becomes a browser test: pytest then groups it with them and runs the browser tests,
    which flush the database, before tests that need the migrations' data. Say so at once."""
    strays = [
        item.nodeid
        for item in items
        if "browser_name" in getattr(getattr(item, "callspec", None), "params", {})
        and not item.get_closest_marker("browser")
    ]
    if strays:
        raise pytest.UsageError(
            "Tests outside tests/browser use pytest-playwright's fixtures (a parameter named "
            "`page`?): " + ", ".join(strays)
        )


@pytest.fixture(autouse=True)
def _redis_state_of_its_own():
    # The fail-open Redis cache leaves Redis alone for a few seconds after an error or a
    # timeout: a slow moment of a loaded machine in one test must not carry into the next.
    redis_answers_again()


@pytest.fixture(autouse=True)
def _no_page_cache(settings):
    """Tests write rows without the after-commit version bump, so whole-page caching would
    show them stale pages; tests/test_caching.py turns it back on and bumps as writes do."""
    settings.PAGE_CACHE_SECONDS = 0


@pytest.fixture
def sector(db):
    return Sector.objects.create(name="Energy", slug="energy")


@pytest.fixture
def make_occupation(db, sector):
    """Build an occupation with sensible defaults; keyword arguments override them."""

    def make(**fields):
        count = Occupation.objects.count() + 1
        defaults = {
            "title": f"Test Occupation {count}",
            "slug": f"test-occupation-{count}",
            "code": "51-8012",
            "summary": "Coordinates the flow of electricity.",
            "sector": sector,
        }
        occupation = Occupation.objects.create(**{**defaults, **fields})
        # As every real write path does (changes.content_changed): index it for search.
        update_search_vectors([occupation.pk])
        return occupation

    return make


@pytest.fixture
def occupation(make_occupation):
    return make_occupation(title="Grid Dispatcher", slug="grid-dispatcher")


@pytest.fixture
def published_occupation(make_occupation):
    return make_occupation(
        title="Load Dispatcher", slug="load-dispatcher", status=enums.PublicationStatus.PUBLISHED
    )


def editors_group():
    """The Editors group the data migrations create; when a transactional test before this
    one has flushed the database, made again with the content permissions."""
    group, created = Group.objects.get_or_create(name="Editors")
    if created:
        from django.apps import apps
        from django.contrib.auth.management import create_permissions
        from django.contrib.auth.models import Permission

        for config in apps.get_app_configs():
            create_permissions(config, verbosity=0)
        group.permissions.set(
            Permission.objects.filter(content_type__app_label__in=["occupations", "imports"])
            | Permission.objects.filter(content_type__model="tokenproxy")
        )
    return group


@pytest.fixture
def editor(django_user_model):
    user = django_user_model.objects.create_user(
        "edna", "edna@example.com", "editor-pass-123", is_staff=True
    )
    user.groups.add(editors_group())
    return user


@pytest.fixture
def staff_without_permissions(django_user_model):
    return django_user_model.objects.create_user(
        "stan", "stan@example.com", "staff-pass-123", is_staff=True
    )


@pytest.fixture
def superuser(django_user_model):
    return django_user_model.objects.create_superuser("sue", "sue@example.com", "super-pass-123")


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture
def staff_client(client, staff_without_permissions):
    client.force_login(staff_without_permissions)
    return client


@pytest.fixture
def superuser_client(client, superuser):
    client.force_login(superuser)
    return client


# --- API: a profile with rows in every collection, and token credentials ------------------


@pytest.fixture
def api_vocabulary(db):
    """One record of each shared vocabulary model, named by slug as the API refers to them."""
    from occupations import models

    return {
        "source": models.Source.objects.create(name="BLS handbook", slug="bls-handbook"),
        "skill": models.Skill.objects.create(name="SCADA", slug="scada"),
        "qualification": models.Qualification.objects.create(name="NERC", slug="nerc"),
        "visa": models.Visa.objects.create(name="H-1B", slug="h-1b"),
        "growth_area": models.GrowthArea.objects.create(name="Storage", slug="storage"),
        "term": models.GlossaryTerm.objects.create(name="Load", slug="load"),
    }


@pytest.fixture
def make_rich_occupation(make_occupation, api_vocabulary):
    """A published profile with `rows` rows in every collection (tables and lists included)."""
    from occupations import models

    def make(rows=1, **fields):
        source = api_vocabulary["source"]
        occupation = make_occupation(status=enums.PublicationStatus.PUBLISHED, **fields)
        simple = {
            models.AlternateTitle: {"title": "Dispatcher"},
            models.Duty: {"text": "Balance the load."},
            models.SalaryBand: {"level": "Entry", "annual_min": 50000, "annual_max": 70000},
            models.EducationStep: {"stage": "Associate degree", "cost_min": 1, "cost_max": 2},
            models.AIImpactItem: {"kind": enums.AIImpactKind.AUGMENT, "title": "Forecasts"},
            models.FitTrait: {"kind": enums.FitKind.FITS, "text": "Calm under pressure"},
            models.CareerStep: {"title": "Senior dispatcher"},
            models.FAQ: {"question": "Shifts?", "answer": "Yes, around the clock."},
            models.NarrativeSection: {"heading": "Day to day", "body": "Watching the grid."},
            models.OccupationSkill: {"skill": api_vocabulary["skill"], "group": "technical"},
            models.OccupationQualification: {"qualification": api_vocabulary["qualification"]},
            models.OccupationVisa: {"visa": api_vocabulary["visa"], "details": "Specialty."},
            models.OccupationGrowthArea: {"growth_area": api_vocabulary["growth_area"]},
            models.OccupationGlossaryTerm: {"term": api_vocabulary["term"]},
            models.OccupationSource: {"document": source, "note": "Pay figures."},
            models.RelatedOccupation: {"related_title": "Grid planner", "kind": "similar"},
            models.Task: {"text": "Route current around failures.", "exposure_gpt4": "E1"},
            models.AIExposureScore: {"gpt4_beta": "0.375", "human_beta": "0.25"},
        }
        for model, values in simple.items():
            model.objects.bulk_create(
                model(occupation=occupation, order=order, source=source, **values)
                for order in range(1, rows + 1)
            )
        # One row per release or category: numbered like the order.
        numbered = {
            models.WageStatistic: lambda n: {
                "soc_code": "51-8012",
                "release": f"May {2000 + n}",
                "annual_median": 104750,
                "special_values": {"annual_p90": "#"},
            },
            models.EducationLevelShare: lambda n: {
                "category": n,
                "level": f"Level {n}",
                "share": "10.5",
            },
        }
        for model, values in numbered.items():
            model.objects.bulk_create(
                model(occupation=occupation, order=order, source=source, **values(order))
                for order in range(1, rows + 1)
            )
        for order in range(1, rows + 1):
            table = models.KeyFactTable.objects.create(
                occupation=occupation, order=order, title=f"At a glance {order}"
            )
            models.KeyFact.objects.bulk_create(
                models.KeyFact(table=table, order=n, label=f"Label {n}", value="Value")
                for n in range(1, rows + 1)
            )
            item_list = models.ItemList.objects.create(
                occupation=occupation, order=order, kind="challenges", title=f"Challenges {order}"
            )
            models.ListItem.objects.bulk_create(
                models.ListItem(item_list=item_list, order=n, title=f"Item {n}")
                for n in range(1, rows + 1)
            )
            dimension, _ = models.RatingDimension.objects.get_or_create(
                slug=f"dimension-{order}", defaults={"name": f"Dimension {order}"}
            )
            models.RatingScore.objects.create(
                occupation=occupation, dimension=dimension, score="7.5", source=source
            )
        return occupation

    return make


@pytest.fixture
def token_header():
    """Request keyword arguments that authenticate `user` with their API token."""
    from rest_framework.authtoken.models import Token

    def header(user):
        token, _ = Token.objects.get_or_create(user=user)
        return {"HTTP_AUTHORIZATION": f"Token {token.key}"}

    return header
