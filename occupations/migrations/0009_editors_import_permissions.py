"""Editors get the same add/change/delete/view permissions on the imported-data models."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP_NAME = "Editors"
ACTIONS = ("add", "change", "delete", "view")
MODELS = ("jobzone", "task", "wagestatistic", "educationlevelshare", "aiexposurescore")


def grant(apps, schema_editor):
    app_config = apps.get_app_config("occupations")
    app_config.models_module = True  # post_migrate, which creates permissions, has not run
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=GROUP_NAME)
    group.permissions.add(
        *Permission.objects.filter(
            content_type__app_label="occupations",
            codename__in=[f"{action}_{model}" for model in MODELS for action in ACTIONS],
        )
    )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group in Group.objects.filter(name=GROUP_NAME):
        group.permissions.remove(
            *Permission.objects.filter(
                content_type__app_label="occupations",
                codename__in=[f"{action}_{model}" for model in MODELS for action in ACTIONS],
            )
        )


class Migration(migrations.Migration):
    dependencies = [("occupations", "0008_onet_import")]

    operations = [migrations.RunPython(grant, revoke)]
