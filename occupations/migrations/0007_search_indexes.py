"""Search at catalogue size: a trigram index on alternate titles (PostgreSQL) and the FTS5
index with its vocabulary view that SQLite searches (see occupations/search.py)."""

import django.contrib.postgres.indexes
import django.db.models.deletion
from django.db import migrations, models

import occupations.models

from occupations.migration_operations import AddIndexPostgres

FTS_TABLE = "occupations_occupation_fts"
FTS_VOCABULARY = "occupations_occupation_fts_vocab"


def create_sqlite_fts(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    schema_editor.execute(
        f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5("
        "title, summary, body, tokenize = 'unicode61 remove_diacritics 2')"
    )
    # One row per indexed word: what the spelling correction compares query words with.
    # The `rank` column: bm25 weighting title, summary and body like the vector's A, B, C.
    schema_editor.execute(
        f"INSERT INTO {FTS_TABLE} ({FTS_TABLE}, rank) VALUES ('rank', 'bm25(10.0, 4.0, 1.0)')"
    )
    schema_editor.execute(
        f"CREATE VIRTUAL TABLE {FTS_VOCABULARY} USING fts5vocab({FTS_TABLE}, 'row')"
    )
    # Existing profiles are indexed by `manage.py bootstrap_local` (what `make run` runs)
    # or on their next change: the live models may not match this migration's state.


def drop_sqlite_fts(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    schema_editor.execute(f"DROP TABLE IF EXISTS {FTS_VOCABULARY}")
    schema_editor.execute(f"DROP TABLE IF EXISTS {FTS_TABLE}")


class Migration(migrations.Migration):
    dependencies = [
        ("occupations", "0006_editorial_scheduling"),
    ]

    operations = [
        AddIndexPostgres(
            model_name="alternatetitle",
            index=django.contrib.postgres.indexes.GinIndex(
                fields=["title"], name="alternate_title_trgm", opclasses=["gin_trgm_ops"]
            ),
        ),
        migrations.RunPython(create_sqlite_fts, drop_sqlite_fts),
        migrations.CreateModel(
            name="OccupationSearchEntry",
            fields=[
                (
                    "occupation",
                    models.OneToOneField(
                        db_column="rowid",
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        primary_key=True,
                        related_name="+",
                        related_query_name="search_entry",
                        serialize=False,
                        to="occupations.occupation",
                    ),
                ),
                (
                    "document",
                    occupations.models.FullTextMatch(db_column="occupations_occupation_fts"),
                ),
                ("rank", models.FloatField()),
            ],
            options={
                "db_table": "occupations_occupation_fts",
                "managed": False,
                "default_permissions": (),
            },
        ),
    ]
