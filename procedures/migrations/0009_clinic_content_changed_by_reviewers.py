"""References, clinic locations and body areas show on live procedure pages, so only the
roles that approve clinical content change or delete them: Clinical reviewers (and
superusers). Editors and Marketing may add new ones and see them all; a new one reaches a
live page only through the clinical review of a page that uses it."""

from django.db import migrations

CONTENT_MODELS = {
    "reference": "reference",
    "cliniclocation": "clinic location",
    "bodyarea": "body area",
}
ALL_ACTIONS = ["add", "change", "delete", "view"]

# The grants of 0002, for reversing.
BEFORE = {
    "Editors": {model: ALL_ACTIONS for model in CONTENT_MODELS},
    "Marketing": {
        "reference": ["add", "change", "view"],
        "bodyarea": ["add", "change", "view"],
        "cliniclocation": ["view"],
    },
    "Clinical reviewers": {},
}
AFTER = {
    "Editors": {model: ["add", "view"] for model in CONTENT_MODELS},
    "Marketing": {model: ["add", "view"] for model in CONTENT_MODELS},
    "Clinical reviewers": {model: ALL_ACTIONS for model in CONTENT_MODELS},
}


def permission(apps, model, action):
    """A permission, created here if Django has not made it yet (it does so after migrating)."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    content_type, _ = ContentType.objects.get_or_create(app_label="procedures", model=model)
    perm, _ = Permission.objects.get_or_create(
        content_type=content_type,
        codename=f"{action}_{model}",
        defaults={"name": f"Can {action} {CONTENT_MODELS[model]}"},
    )
    return perm


def grant(grants):
    def apply(apps, schema_editor):
        Group = apps.get_model("auth", "Group")
        for group in Group.objects.filter(name__in=grants):
            wanted = grants[group.name]
            for model in CONTENT_MODELS:
                for action in ALL_ACTIONS:
                    perm = permission(apps, model, action)
                    if action in wanted.get(model, []):
                        group.permissions.add(perm)
                    else:
                        group.permissions.remove(perm)

    return apply


class Migration(migrations.Migration):
    dependencies = [("procedures", "0008_opening_hours_help_text")]

    operations = [migrations.RunPython(grant(AFTER), grant(BEFORE))]
