"""Staff roles as groups, and the "Clinical review" workflow for procedure pages.

- Editors: create, edit and publish every page (procedure pages go live through the
  clinical review); see and export contact submissions; approve marketing's other changes.
- Marketing: create and edit pages, publish none; no contact submissions.
- Clinical reviewers: approve or reject procedure pages in the "Clinical review" workflow.
- Front desk: see and export contact submissions; nothing else.
"""

from django.db import migrations

PAGE_ROOT_DEPTH = 1


def permission(apps, app_label, model, codename, name):
    """A permission, created here if Django has not made it yet (it does so after migrating)."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    content_type, _ = ContentType.objects.get_or_create(app_label=app_label, model=model)
    perm, _ = Permission.objects.get_or_create(
        content_type=content_type, codename=codename, defaults={"name": name}
    )
    return perm


def model_permissions(apps, app_label, model, verbose_name, actions):
    return [
        permission(apps, app_label, model, f"{action}_{model}", f"Can {action} {verbose_name}")
        for action in actions
    ]


def create_roles(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Page = apps.get_model("wagtailcore", "Page")
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")
    Collection = apps.get_model("wagtailcore", "Collection")
    GroupCollectionPermission = apps.get_model("wagtailcore", "GroupCollectionPermission")
    Workflow = apps.get_model("wagtailcore", "Workflow")
    WorkflowTask = apps.get_model("wagtailcore", "WorkflowTask")
    WorkflowPage = apps.get_model("wagtailcore", "WorkflowPage")
    GroupApprovalTask = apps.get_model("wagtailcore", "GroupApprovalTask")

    access_admin = permission(apps, "wagtailadmin", "admin", "access_admin", "Can access Wagtail admin")
    view_submissions = permission(
        apps, "clinic_forms", "contactsubmission", "view_contactsubmission",
        "Can view contact submission",
    )
    root = Page.objects.filter(depth=PAGE_ROOT_DEPTH).first()
    root_collection = Collection.objects.filter(depth=1).first()

    def page_permissions(group, codenames):
        for codename in codenames:
            perm = permission(apps, "wagtailcore", "page", codename, f"Can {codename}")
            GroupPagePermission.objects.get_or_create(group=group, page=root, permission=perm)

    def collection_permissions(group, app_label, model, actions):
        for action in actions:
            perm = permission(apps, app_label, model, f"{action}_{model}", f"Can {action} {model}")
            GroupCollectionPermission.objects.get_or_create(
                group=group, collection=root_collection, permission=perm
            )

    content_models = [
        ("reference", "reference"),
        ("cliniclocation", "clinic location"),
        ("bodyarea", "body area"),
    ]

    editors, _ = Group.objects.get_or_create(name="Editors")
    editors.permissions.add(access_admin, view_submissions)
    for model, verbose_name in content_models:
        editors.permissions.add(
            *model_permissions(apps, "procedures", model, verbose_name, ["add", "change", "delete", "view"])
        )
    page_permissions(editors, ["add_page", "change_page", "publish_page", "lock_page", "unlock_page"])
    collection_permissions(editors, "wagtailimages", "image", ["add", "change", "choose", "delete"])
    collection_permissions(editors, "wagtaildocs", "document", ["add", "change", "choose", "delete"])

    marketing, _ = Group.objects.get_or_create(name="Marketing")
    marketing.permissions.add(access_admin)
    marketing.permissions.add(
        *model_permissions(apps, "procedures", "reference", "reference", ["add", "change", "view"]),
        *model_permissions(apps, "procedures", "bodyarea", "body area", ["add", "change", "view"]),
        *model_permissions(apps, "procedures", "cliniclocation", "clinic location", ["view"]),
    )
    page_permissions(marketing, ["add_page", "change_page"])
    collection_permissions(marketing, "wagtailimages", "image", ["add", "choose"])

    reviewers, _ = Group.objects.get_or_create(name="Clinical reviewers")
    reviewers.permissions.add(access_admin)

    front_desk, _ = Group.objects.get_or_create(name="Front desk")
    front_desk.permissions.add(access_admin, view_submissions)

    # The clinical review: one task, for the clinical reviewers.
    ContentType = apps.get_model("contenttypes", "ContentType")
    task_type, _ = ContentType.objects.get_or_create(app_label="wagtailcore", model="groupapprovaltask")
    task = GroupApprovalTask.objects.filter(name="Clinical review").first()
    if task is None:
        task = GroupApprovalTask.objects.create(name="Clinical review", content_type=task_type, active=True)
    task.groups.add(reviewers)
    workflow, _ = Workflow.objects.get_or_create(name="Clinical review", defaults={"active": True})
    WorkflowTask.objects.get_or_create(workflow=workflow, task=task, defaults={"sort_order": 0})
    for index in Page.objects.filter(
        content_type__app_label="procedures", content_type__model="procedureindexpage"
    ):
        WorkflowPage.objects.get_or_create(page=index, defaults={"workflow": workflow})

    # Editors also approve the other changes marketing submits (Wagtail's default workflow).
    for moderation in GroupApprovalTask.objects.filter(name="Moderators approval"):
        moderation.groups.add(editors)


class Migration(migrations.Migration):
    dependencies = [
        ("procedures", "0001_initial"),
        ("clinic_forms", "0001_initial"),
        ("wagtailcore", "0098_apitoken"),
        ("wagtailadmin", "0006_formstate"),
        ("wagtailimages", "0027_image_description"),
        ("wagtaildocs", "0014_alter_document_file_size"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
