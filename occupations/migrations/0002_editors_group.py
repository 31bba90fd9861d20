"""The "Editors" group: exactly the content permissions, and their own API token.

Editors get add/change/delete/view on every model of this app and on DRF's token proxy
(the admin only shows them their own token, see `admin.OwnTokenAdmin`). Nothing on users
or groups. No permission on reversion's Version/Revision either: the history, compare and
revert views of `VersionAdmin` check the occupation model's own view/change/add
permissions, never reversion's, and Version/Revision have no admin of their own.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP_NAME = "Editors"
ACTIONS = ("add", "change", "delete", "view")
TOKEN_MODELS = [("authtoken", "tokenproxy")]


def _ensure_permissions(apps):
    """Create the permission rows now: post_migrate, which normally does it, has not run."""
    for app_label in ("occupations", "authtoken"):
        app_config = apps.get_app_config(app_label)
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None


def create_editors_group(apps, schema_editor):
    _ensure_permissions(apps)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")

    models = [("occupations", model._meta.model_name)
              for model in apps.get_app_config("occupations").get_models()]
    permissions = []
    for app_label, model_name in [*models, *TOKEN_MODELS]:
        content_type = ContentType.objects.get(app_label=app_label, model=model_name)
        for action in ACTIONS:
            permissions.append(
                Permission.objects.get(
                    content_type=content_type, codename=f"{action}_{model_name}"
                )
            )
    group, _ = Group.objects.get_or_create(name=GROUP_NAME)
    group.permissions.set(permissions)


def delete_editors_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("occupations", "0001_initial"),
        ("authtoken", "0004_alter_tokenproxy_options"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_editors_group, delete_editors_group)]
