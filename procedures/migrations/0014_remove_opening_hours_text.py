"""The opening hours text is gone: its hours live in the opening times now."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("procedures", "0013_opening_hours_from_text")]

    operations = [migrations.RemoveField(model_name="cliniclocation", name="opening_hours")]
