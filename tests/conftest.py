"""Builder fixtures, composed like bricks: occupation -> published_occupation -> clients."""

import pytest
from django.contrib.auth.models import Group

from occupations import enums
from occupations.models import Occupation, Sector


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
        return Occupation.objects.create(**{**defaults, **fields})

    return make


@pytest.fixture
def occupation(make_occupation):
    return make_occupation(title="Grid Dispatcher", slug="grid-dispatcher")


@pytest.fixture
def published_occupation(make_occupation):
    return make_occupation(
        title="Load Dispatcher", slug="load-dispatcher", status=enums.PublicationStatus.PUBLISHED
    )


@pytest.fixture
def editor(django_user_model):
    user = django_user_model.objects.create_user("edna", "edna@example.com", "editor-pass-123", is_staff=True)
    user.groups.add(Group.objects.get(name="Editors"))
    return user


@pytest.fixture
def staff_without_permissions(django_user_model):
    return django_user_model.objects.create_user("stan", "stan@example.com", "staff-pass-123", is_staff=True)


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
