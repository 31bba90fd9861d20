"""`loaddata` that takes fixture files in any order, names a missing shared record, and
does for the profiles it loaded what every other write path does.

Django loads files in the order given, and a row whose non-null foreign key names a record
from a later file fails with a NOT NULL IntegrityError. Here the files are loaded shared
vocabulary first (by the dependency order of the models they hold), and a row that names a
record no fixture and no database row has stops the load with that record's name.

A plain `loaddata` saves raw rows: no revision (so the first edit of a loaded profile could
not be undone), no search vector, no content version. This one (it replaces Django's, so
every deployment path uses it) records one revision per loaded profile, calls the content
door and writes an "Imported" line in the audit log.
"""

import json
from pathlib import Path

from django.apps import apps
from django.core import serializers
from django.core.management.base import CommandError
from django.core.management.commands import loaddata

from occupations.models import Occupation
from occupations.registry import COLLECTIONS_BY_MODEL, NESTED_BY_MODEL


def _dependency_order():
    """Every model label, each after the models its natural keys depend on."""
    models = serializers.sort_dependencies(
        [(config, None) for config in apps.get_app_configs()], allow_cycles=True
    )
    return {model._meta.label_lower: position for position, model in enumerate(models)}


class Command(loaddata.Command):
    def loaddata(self, fixture_labels):
        order = _dependency_order()
        self.serialization_formats = serializers.get_public_serializer_formats()

        def rank(label):
            latest = -1
            for path, *_ in self.find_fixtures(label):
                if Path(path).suffix != ".json":
                    return len(order)  # unknown content: keep it after the known files
                labels = {item.get("model", "") for item in json.loads(Path(path).read_text())}
                latest = max([latest, *(order.get(model, len(order)) for model in labels)])
            return latest

        ranked = sorted(fixture_labels, key=rank)  # stable: equal ranks keep their order
        self.loaded_rows = {}
        super().loaddata(ranked)
        profile_ids = self._loaded_profile_ids()
        if profile_ids:
            from editorial.services import profiles_loaded

            profiles_loaded(
                occupation_ids=profile_ids,
                detail=f"Loaded with loaddata from {', '.join(fixture_labels)}.",
            )

    def save_obj(self, obj):
        # Django defers a foreign key whose natural key names no row yet (field -> key).
        for field, natural_key in (obj.deferred_fields or {}).items():
            if not field.null:
                target = field.related_model._meta.verbose_name
                raise CommandError(
                    f"A row of “{obj.object._meta.verbose_name}” names the {target} "
                    f"“{'/'.join(map(str, natural_key))}” ({field.name}), which is in no "
                    "fixture being loaded and not in the database. Load the fixture that "
                    "defines it (e.g. vocabulary) or add it."
                )
        saved = super().save_obj(obj)
        if saved:
            self.loaded_rows.setdefault(type(obj.object), set()).add(obj.object.pk)
        return saved

    def _loaded_profile_ids(self) -> set[int]:
        ids = set(self.loaded_rows.get(Occupation, ()))
        for model, pks in self.loaded_rows.items():
            if model in COLLECTIONS_BY_MODEL:
                ids |= set(model.objects.filter(pk__in=pks).values_list("occupation_id", flat=True))
            elif model in NESTED_BY_MODEL:
                parent = NESTED_BY_MODEL[model].parent_field
                ids |= set(
                    model.objects.filter(pk__in=pks).values_list(
                        f"{parent}__occupation_id", flat=True
                    )
                )
        return ids
