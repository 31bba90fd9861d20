"""Whole-document writes are set-based: the number of queries does not grow with the rows."""

import json
from http import HTTPStatus

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from occupations import models
from occupations.registry import COLLECTIONS

pytestmark = pytest.mark.django_db

# The goal of the catalogue-foundation issue: a PUT of a whole document costs at most 40
# queries, however many rows it has — with its 19 collections. Each collection added since
# (tasks, wages, education levels, AI exposure) costs its one INSERT.
PUT_QUERY_LIMIT = 40 + 4


def document_with_rows(document, rows):
    """The document with `rows` rows in every collection (one nested row in each)."""
    bigger = dict(document)
    for collection in COLLECTIONS:
        template = document[collection.key][0]
        if collection.identity == ("dimension",):
            bigger[collection.key] = [
                {**template, "dimension": f"dimension-{n}"} for n in range(1, rows + 1)
            ]
        else:
            bigger[collection.key] = [
                {**template, "order": n, **_distinct(collection, n)} for n in range(1, rows + 1)
            ]
    return bigger


def _distinct(collection, n):
    """Text that differs per row, so every row is really written (and, where the model
    allows one row per value, a value of its own)."""
    values = {name: n for name in ("category", "onet_task_id") if name in collection.fields}
    for name in ("title", "text", "question", "heading", "level", "stage", "release", "note"):
        if name in collection.fields:
            return {**values, name: f"Row {n}"}
    return values


def put_queries(client, auth, occupation, rows):
    url = f"/api/v1/occupations/{occupation.slug}/"
    document = client.get(url, **auth).json()
    body = json.dumps(document_with_rows(document, rows))
    with CaptureQueriesContext(connection) as context:
        response = client.put(url, body, content_type="application/json", **auth)
    assert response.status_code == HTTPStatus.OK, response.json()
    assert all(len(response.json()[c.key]) == rows for c in COLLECTIONS)
    return len(context.captured_queries)


def test_a_put_costs_the_same_queries_with_1_and_100_rows_per_collection(
    client, editor, token_header, make_rich_occupation
):
    for n in range(1, 101):
        models.RatingDimension.objects.get_or_create(
            slug=f"dimension-{n}", defaults={"name": f"Dimension {n}"}
        )
    auth = token_header(editor)
    warm = make_rich_occupation(title="Warm-up", slug="warm-up")
    put_queries(client, auth, warm, 1)  # content types, permissions: cached after this

    one = put_queries(client, auth, make_rich_occupation(title="One", slug="one"), 1)
    hundred = put_queries(client, auth, make_rich_occupation(title="Many", slug="many"), 100)

    print(f"PUT queries: 1 row per collection {one}, 100 rows per collection {hundred}")
    if connection.vendor == "postgresql":
        assert hundred == one
    else:
        # SQLite caps a statement at 999 parameters, so Django splits big bulk inserts.
        assert hundred - one <= 2 * len(COLLECTIONS) + 15
    # SQLite also writes its FTS5 search index row (PostgreSQL's vector rides on an UPDATE).
    assert one <= PUT_QUERY_LIMIT + (1 if connection.vendor == "sqlite" else 0)
