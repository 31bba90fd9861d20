"""Apply one source's data to the profiles, keyed by external id, never overwriting editors.

For every imported value the rule is the same (field of the profile, or field of a row):
- the current value equals the incoming one: unchanged;
- nobody changed it since the last import (current == last imported), or there is no last
  import and the field is empty: the incoming value is written;
- otherwise an editor changed it: the editor's value stays and the report says so.
Rows are matched by their external key (an O*NET Task ID, an alternate title, ...). A row the
importer created and an editor deleted stays deleted; rows editors added are never touched;
rows gone from a newer release are reported, not deleted.

Profiles are written a batch at a time, each batch one transaction with one bulk statement
per collection; the batch's changed profiles go through `content_changed` in one call and
each gets one revision and one audit line, recorded in bulk.
"""

import json
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Max

from editorial.audit import audit_records
from editorial.enums import AuditAction
from occupations import models as content
from occupations.changes import content_changed
from occupations.registry import COLLECTIONS_BY_KEY
from occupations.revisions import load_profiles, record_revisions

from .models import ImportSnapshot
from .report import Report

CHUNK = 100  # profiles loaded and written per transaction: bounded memory and lock time
BATCH = 1000  # rows per INSERT/UPDATE statement


@dataclass(frozen=True, eq=False)
class RowSet:
    """How one registered collection's imported rows are found again and compared."""

    collection: str  # registry key
    key_of: Callable[[Any], str | None]  # a database row -> its external key (None: not ours)
    fields: tuple[str, ...]  # compared, and remembered in the snapshot
    create_only: tuple[str, ...] = ()  # set when the row is created (e.g. the linked skill)
    defaults: dict = field(default_factory=dict)  # constant values of created rows
    filters: dict = field(default_factory=dict)  # the rows this source looks at
    annotations: dict = field(default_factory=dict)  # what `key_of` reads across relations
    creates: bool = True  # False: only rows that already exist are filled in

    @property
    def model(self):
        return COLLECTIONS_BY_KEY[self.collection].model

    @property
    def related_name(self):
        return COLLECTIONS_BY_KEY[self.collection].related_name


@dataclass
class Incoming:
    """One profile's data from the source."""

    code: str  # the O*NET-SOC code: the profile's identity
    fields: dict = field(default_factory=dict)  # Occupation attname -> value
    rows: dict = field(default_factory=dict)  # collection -> {key: {attname: value}}
    label: str = ""  # for the report


@dataclass
class Plan:
    field_changes: dict = field(default_factory=dict)
    creates: dict = field(default_factory=lambda: defaultdict(list))  # rowset -> [values]
    updates: dict = field(default_factory=lambda: defaultdict(list))  # rowset -> [(row, {})]
    snapshot: dict = field(default_factory=dict)

    @property
    def changes_content(self):
        return bool(self.field_changes or any(self.creates.values()) or any(self.updates.values()))


def plain(value):
    """A value as remembered in the snapshot and compared (JSON-safe)."""
    if isinstance(value, Decimal):
        return str(value)
    return value


def is_empty(value):
    return value is None or value == "" or value == {}


def update_rows(model, changes):
    """Write [(pk, {field: value})]: one UPDATE per set of new values that several rows
    share (thousands of tasks get the same pair of AI-exposure labels), and the rows whose
    new values are theirs alone in one bulk update per set of fields."""
    shared = defaultdict(list)
    for pk, values in changes:
        shared[json.dumps(values, sort_keys=True, cls=DjangoJSONEncoder)].append((pk, values))
    alone = defaultdict(list)  # field names -> [instance]
    for group in shared.values():
        values = group[0][1]
        if len(group) > 1:
            model.objects.filter(pk__in=[pk for pk, _ in group]).update(**values)
        else:
            alone[tuple(sorted(values))].append(model(pk=group[0][0], **values))
    for names, instances in alone.items():
        model.objects.bulk_update(instances, names, batch_size=BATCH)


class Synchroniser:
    """Applies a source's profiles; the command builds `Incoming` records from a reader."""

    def __init__(
        self,
        *,
        source: str,
        release: str,
        source_label: str,
        rowsets: Iterable[RowSet],
        document: content.Source,
        user=None,
        report: Report,
    ):
        self.source, self.release, self.source_label = source, release, source_label
        self.rowsets = tuple(rowsets)
        self.document = document
        self.user = user
        self.report = report
        self.comment = f"Imported from {source_label}"

    # --- reading the current state ---------------------------------------------------------

    def _load(self, occupation_ids):
        rows = {}
        next_order = {}
        for rowset in self.rowsets:
            model = rowset.model
            # Plain tuples, not model instances: a re-run reads every imported row of every
            # profile, and building ~125,000 instances was most of its time.
            names = [field.attname for field in model._meta.concrete_fields]
            queryset = (
                model.objects.filter(occupation__in=occupation_ids, **rowset.filters)
                .annotate(**rowset.annotations)
                .order_by("pk")
                .values_list(*names, *rowset.annotations, named=True)
            )
            found = defaultdict(dict)
            for row in queryset:
                key = rowset.key_of(row)
                if key is not None:
                    found[row.occupation_id].setdefault(key, row)
            rows[rowset.collection] = found
            orders = (
                rowset.model.objects.filter(occupation__in=occupation_ids)
                .values("occupation")
                .annotate(highest=Max("order"))
                .values_list("occupation", "highest")
            )
            next_order[rowset.collection] = {pk: highest + 1 for pk, highest in orders}
        snapshots = {
            snapshot.occupation_id: snapshot
            for snapshot in ImportSnapshot.objects.filter(
                occupation__in=occupation_ids, source=self.source
            )
        }
        return rows, next_order, snapshots

    # --- deciding --------------------------------------------------------------------------

    def _decide(self, what, current, incoming, remembered, has_memory, code):
        """Whether to write `incoming` (True) over `current`, by the editor-value rule."""
        current, incoming = plain(current), plain(incoming)
        if current == incoming:
            return False
        if (has_memory and current == remembered) or (not has_memory and is_empty(current)):
            return True
        self.report.kept(code, f"{what}: differs from {self.source_label}, kept the editor's value")
        return False

    def plan(self, occupation, incoming: Incoming, rows, snapshot) -> Plan:
        plan = Plan()
        memory = snapshot.values if snapshot is not None else {}
        remembered_fields = memory.get("fields", {})
        for name, value in incoming.fields.items():
            if self._decide(
                name,
                getattr(occupation, name),
                value,
                remembered_fields.get(name),
                name in remembered_fields,
                incoming.code,
            ):
                plan.field_changes[name] = value
        plan.snapshot["fields"] = {name: plain(v) for name, v in incoming.fields.items()}
        plan.snapshot["rows"] = {}
        remembered_rows = memory.get("rows", {})
        for rowset in self.rowsets:
            wanted = incoming.rows.get(rowset.collection)
            if wanted is None:
                continue
            current = rows[rowset.collection].get(occupation.pk, {})
            remembered = remembered_rows.get(rowset.collection, {})
            for key, values in wanted.items():
                compared = {name: values[name] for name in rowset.fields}
                row = current.get(key)
                if row is None:
                    if key in remembered:
                        self.report.kept(
                            incoming.code,
                            f"{rowset.collection} “{key}”: deleted by an editor, not re-added",
                        )
                    elif rowset.creates:
                        plan.creates[rowset].append(values)
                    else:
                        self.report.skipped(
                            f"{rowset.collection}: not on the profile", f"{incoming.code} {key}"
                        )
                        continue
                else:
                    memory_row = remembered.get(key, {})
                    changes = {
                        name: value
                        for name, value in compared.items()
                        if self._decide(
                            f"{rowset.collection} “{key}” {name}",
                            getattr(row, name),
                            value,
                            memory_row.get(name),
                            name in memory_row,
                            incoming.code,
                        )
                    }
                    if changes:
                        plan.updates[rowset].append((row, changes))
                plan.snapshot["rows"].setdefault(rowset.collection, {})[key] = {
                    name: plain(v) for name, v in compared.items()
                }
            for key in remembered.keys() - wanted.keys():
                if key in current:
                    self.report.gone_row(
                        incoming.code,
                        f"{rowset.collection} “{key}” is no longer in {self.source_label}; "
                        "left on the profile",
                    )
        return plan

    # --- writing ---------------------------------------------------------------------------

    def apply(self, plans: dict, snapshots: dict, next_order: dict, created_ids) -> None:
        """Write a batch of profiles' plans in one transaction, set-based: one bulk statement
        per collection, then the changed profiles through the content door in one call, and
        their revisions and audit lines in bulk."""
        creates, updates = defaultdict(list), defaultdict(list)
        field_updates = defaultdict(list)  # changed field names -> [profile]
        new_snapshots, changed_snapshots, changed_ids = [], [], []
        for pk, plan in plans.items():
            if plan.field_changes:
                field_updates[tuple(sorted(plan.field_changes))].append(
                    content.Occupation(pk=pk, **plan.field_changes)
                )
            for rowset, values_list in plan.creates.items():
                order = next_order[rowset.collection].get(pk, 1)
                for values in values_list:
                    creates[rowset].append(
                        rowset.model(
                            occupation_id=pk,
                            order=order,
                            source=self.document,
                            **rowset.defaults,
                            **values,
                        )
                    )
                    order += 1
            for rowset, row_changes in plan.updates.items():
                for row, changes in row_changes:
                    updates[rowset].append((getattr(row, rowset.model._meta.pk.attname), changes))
            snapshot = snapshots.get(pk)
            if snapshot is None:
                new_snapshots.append(
                    ImportSnapshot(
                        occupation_id=pk,
                        source=self.source,
                        release=self.release,
                        values=plan.snapshot,
                    )
                )
            elif snapshot.values != plan.snapshot or snapshot.release != self.release:
                snapshot.values, snapshot.release = plan.snapshot, self.release
                changed_snapshots.append(snapshot)
            if plan.changes_content or pk in created_ids:
                changed_ids.append(pk)
        for names, profiles in field_updates.items():
            content.Occupation.objects.bulk_update(profiles, names, batch_size=BATCH)
        for rowset, rows in creates.items():
            rowset.model.objects.bulk_create(rows, batch_size=BATCH)
            self.report.rows_created += len(rows)
        for rowset, changes in updates.items():
            update_rows(rowset.model, changes)
            self.report.rows_updated += len(changes)
        ImportSnapshot.objects.bulk_create(new_snapshots, batch_size=BATCH)
        ImportSnapshot.objects.bulk_update(
            changed_snapshots, ["values", "release"], batch_size=BATCH
        )
        if changed_ids:
            self._record_changes(changed_ids)

    def _record_changes(self, changed_ids):
        """The changed profiles, each with every row, read a collection at a time: the
        content door builds their search text from them, and each gets its revision (the
        whole profile, as the admin's history reverts and compares it) and its audit line."""
        occupations = load_profiles(changed_ids)
        content_changed(occupations=changed_ids, loaded=occupations)
        record_revisions(occupations, user=self.user, comment=self.comment)
        audit_records(
            action=AuditAction.IMPORT,
            occupations=occupations,
            user=self.user,
            detail=self.comment,
        )

    def run(self, profiles: dict[int, Incoming], *, created_ids=frozenset(), progress=None):
        """Plan and apply every profile (by occupation pk), a batch at a time.

        Each batch is one transaction, so a profile is never half-applied and a failure
        leaves every earlier batch in place."""
        ids = list(profiles)
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start : start + CHUNK]
            occupations = content.Occupation.objects.in_bulk(chunk)
            rows, next_order, snapshots = self._load(chunk)
            plans = {}
            for pk in chunk:
                snapshot = snapshots.get(pk)
                plan = self.plan(occupations[pk], profiles[pk], rows, snapshot)
                if pk in created_ids:
                    self.report.created += 1
                elif plan.changes_content:
                    self.report.updated += 1
                else:
                    self.report.unchanged += 1
                remembered = (
                    snapshot is not None
                    and snapshot.values == plan.snapshot
                    and snapshot.release == self.release
                )
                if plan.changes_content or pk in created_ids or not remembered:
                    plans[pk] = plan
            if plans:
                with transaction.atomic():
                    self.apply(plans, snapshots, next_order, created_ids)
            if progress is not None:
                progress.update(len(chunk))
