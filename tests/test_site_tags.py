"""The index's form widgets: rendered from memory when the same inputs come again."""

import pytest

from occupations.filters import OccupationFilter
from occupations.models import Occupation, Sector
from occupations.templatetags import site_tags

pytestmark = pytest.mark.django_db


def bound_fields(data):
    form = OccupationFilter(data, queryset=Occupation.objects.all()).form
    form.is_valid()
    return list(form)


def rendered_by_django(field):
    extra = {"aria-invalid": "true", "aria-describedby": f"{field.auto_id}-error"}
    return field.as_widget(attrs=extra if field.errors else None)


@pytest.mark.parametrize(
    ("data", "invalid"),
    [
        ({}, False),
        ({"q": "grid", "sector": "energy", "job_zone": "3", "sort": "title"}, False),
        ({"salary_min": "-5", "ai_exposure_min": "2", "sector": "nowhere"}, True),
    ],
)
def test_every_widget_is_the_html_django_renders_first_time_and_again(data, invalid):
    Sector.objects.create(name="Energy", slug="energy")
    site_tags._WIDGET_HTML.clear()

    expected = [rendered_by_django(field) for field in bound_fields(data)]
    first = [site_tags.field_widget(field) for field in bound_fields(data)]
    again = [site_tags.field_widget(field) for field in bound_fields(data)]

    assert first == again == expected
    assert any('aria-invalid="true"' in html for html in expected) == bool(data.get("salary_min"))


def test_a_new_sector_is_in_the_next_rendering(django_assert_num_queries):
    Sector.objects.create(name="Energy", slug="energy")
    site_tags._WIDGET_HTML.clear()
    [sector] = [field for field in bound_fields({}) if field.name == "sector"]
    assert "Water" not in site_tags.field_widget(sector)

    Sector.objects.create(name="Water", slug="water")
    [sector] = [field for field in bound_fields({}) if field.name == "sector"]
    with django_assert_num_queries(1):  # the sectors, read once
        html = site_tags.field_widget(sector)

    assert '<option value="water">Water</option>' in html


def test_the_memory_of_widgets_is_bounded(monkeypatch):
    monkeypatch.setattr(site_tags, "WIDGET_HTML_LIMIT", 3)
    site_tags._WIDGET_HTML.clear()
    for word in ["a", "b", "c", "d", "e"]:
        [q] = [field for field in bound_fields({"q": word}) if field.name == "q"]
        assert f'value="{word}"' in site_tags.field_widget(q)
        assert len(site_tags._WIDGET_HTML) <= 3
