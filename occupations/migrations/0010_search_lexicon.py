"""PostgreSQL: the lexicon of every word stem in the search vectors, trigram-indexed, that
typo correction compares a query's words with (see occupations/search.py). Filled here from
the stored vectors, then kept in step by `search.remember_lexemes` (through content_changed).
"""

from django.db import migrations

LEXICON = "occupations_search_lexeme"


def create_lexicon(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"CREATE TABLE {LEXICON} (lexeme text PRIMARY KEY)")
    # GiST, not GIN: it answers "the nearest lexeme" (ORDER BY <->) from the index.
    schema_editor.execute(
        f"CREATE INDEX {LEXICON}_trgm ON {LEXICON} USING gist (lexeme gist_trgm_ops)"
    )
    schema_editor.execute(
        f"INSERT INTO {LEXICON} (lexeme) SELECT word FROM ts_stat("
        "'SELECT search_vector FROM occupations_occupation WHERE search_vector IS NOT NULL')"
    )


def drop_lexicon(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP TABLE IF EXISTS {LEXICON}")


class Migration(migrations.Migration):
    dependencies = [
        ("occupations", "0009_editors_import_permissions"),
    ]

    operations = [migrations.RunPython(create_lexicon, drop_lexicon)]
