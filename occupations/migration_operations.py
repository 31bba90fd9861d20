"""Migration operations that only touch PostgreSQL, so the SQLite default still migrates."""

from django.db import migrations


class AddIndexPostgres(migrations.AddIndex):
    """An AddIndex whose SQL runs on PostgreSQL only; the model state is always updated."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)
