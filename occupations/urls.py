from django.urls import path

from . import views
from .registry import VOCABULARY_PAGES

app_name = "occupations"

urlpatterns = [
    path("", views.occupation_list, name="occupation_list"),
    path("occupations/<slug:slug>/", views.occupation_detail, name="occupation_detail"),
    path("compare/", views.compare, name="compare"),
    path("suggest/<str:kind>/", views.term_suggestions, name="term_suggestions"),
    *(
        route
        for prefix, kind in ((kind.page_prefix, kind.kind) for kind in VOCABULARY_PAGES)
        for route in (
            path(f"{prefix}/", views.vocabulary_list, {"kind": kind}, name=f"{kind}_list"),
            path(
                f"{prefix}/<slug:slug>/",
                views.vocabulary_detail,
                {"kind": kind},
                name=f"{kind}_detail",
            ),
        )
    ),
]
