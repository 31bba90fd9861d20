import django.db.models.deletion
from django.db import migrations, models
from django.db.models import F


def forget_current_slugs(apps, schema_editor):
    """0004 recorded every profile's current slug; only the slugs a rename replaced remain."""
    FormerSlug = apps.get_model("occupations", "FormerSlug")
    FormerSlug.objects.filter(slug=F("occupation__slug")).delete()


class Migration(migrations.Migration):

    dependencies = [
        ('occupations', '0004_occupation_slugs'),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='occupationslug',
            name='occupations_occupationslug_unique_slug',
        ),
        migrations.RenameModel(
            old_name='OccupationSlug',
            new_name='FormerSlug',
        ),
        migrations.AlterField(
            model_name='formerslug',
            name='occupation',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='former_slugs', to='occupations.occupation'),
        ),
        migrations.AddConstraint(
            model_name='formerslug',
            constraint=models.UniqueConstraint(fields=('slug',), name='occupations_formerslug_unique_slug'),
        ),
        migrations.RunPython(forget_current_slugs, migrations.RunPython.noop),
    ]
