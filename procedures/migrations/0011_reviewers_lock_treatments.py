"""Clinical reviewers may lock the treatments under review, which also lets them compare a page
under review with its live version (Wagtail opens that view only to holders of a page
permission)."""

from django.db import migrations


def grant_lock(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")
    ProcedureIndexPage = apps.get_model("procedures", "ProcedureIndexPage")
    ClinicalReviewTask = apps.get_model("procedures", "ClinicalReviewTask")
    lock = Permission.objects.filter(
        content_type__app_label="wagtailcore", codename="lock_page"
    ).first()
    if lock is None:
        return
    for index_page in ProcedureIndexPage.objects.all():
        for task in ClinicalReviewTask.objects.filter(active=True):
            for group in task.groups.all():
                GroupPagePermission.objects.get_or_create(
                    group=group, page_id=index_page.pk, permission=lock
                )


class Migration(migrations.Migration):
    dependencies = [("procedures", "0010_clinical_review_task")]

    operations = [migrations.RunPython(grant_lock, migrations.RunPython.noop)]
