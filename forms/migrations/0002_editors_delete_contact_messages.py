"""Editors may delete contact messages; the front desk reads and exports them only."""

from django.db import migrations


def delete_permission(apps):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    content_type, _ = ContentType.objects.get_or_create(
        app_label="clinic_forms", model="contactsubmission"
    )
    permission, _ = Permission.objects.get_or_create(
        content_type=content_type,
        codename="delete_contactsubmission",
        defaults={"name": "Can delete contact message"},
    )
    return permission


def grant(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for editors in Group.objects.filter(name="Editors"):
        editors.permissions.add(delete_permission(apps))


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for editors in Group.objects.filter(name="Editors"):
        editors.permissions.remove(delete_permission(apps))


class Migration(migrations.Migration):
    dependencies = [
        ("clinic_forms", "0001_initial"),
        ("procedures", "0002_staff_roles_and_clinical_review"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
