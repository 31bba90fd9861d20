"""The "Reviewers" group (approve or reject review requests), and the audit log and review
requests made readable to Editors and Reviewers."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

REVIEWERS = "Reviewers"
EDITORS = "Editors"
READ = [("editorial", "view_auditevent"), ("editorial", "view_reviewrequest")]
REVIEWERS_ONLY = [("editorial", "decide_reviewrequest"), ("occupations", "view_occupation")]


def _permissions(apps, pairs):
    Permission = apps.get_model("auth", "Permission")
    return [
        Permission.objects.get(content_type__app_label=app_label, codename=codename)
        for app_label, codename in pairs
    ]


def create_reviewers_group(apps, schema_editor):
    # post_migrate, which normally creates permission rows, has not run yet.
    for app_label in ("editorial", "occupations"):
        app_config = apps.get_app_config(app_label)
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    reviewers, _ = Group.objects.get_or_create(name=REVIEWERS)
    reviewers.permissions.set(_permissions(apps, [*READ, *REVIEWERS_ONLY]))
    editors, _ = Group.objects.get_or_create(name=EDITORS)
    editors.permissions.add(*_permissions(apps, READ))


def delete_reviewers_group(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.filter(name=REVIEWERS).delete()
    editors = Group.objects.filter(name=EDITORS).first()
    if editors is not None:
        editors.permissions.remove(*_permissions(apps, READ))


class Migration(migrations.Migration):
    dependencies = [
        ("editorial", "0001_initial"),
        ("occupations", "0002_editors_group"),
    ]

    operations = [migrations.RunPython(create_reviewers_group, delete_reviewers_group)]
