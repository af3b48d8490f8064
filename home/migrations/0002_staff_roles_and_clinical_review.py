"""Staff roles as groups, and the "Clinical review" workflow.

- Editors: create, edit and publish pages (treatments and clinician profiles go live through
  the clinical review); add references, clinic locations and body areas; read, export and
  delete contact messages; approve marketing's other changes (Wagtail's "Moderators
  approval").
- Marketing: create and edit pages, publish none; add references, locations and body areas;
  no contact messages.
- Clinical reviewers: approve treatments in the "Clinical review" workflow (which publishes
  them), and change or delete references, locations and body areas, which live pages show.
- Front desk: read and export contact messages; nothing else.

Written against the historical models; the sections under review (the treatments index, the
clinicians index) join the workflow when they are created (clinical_review.workflows).
"""

from django.db import migrations

CONTENT_MODELS = [
    ("procedures", "reference", "reference"),
    ("procedures", "bodyarea", "body area"),
    ("locations", "cliniclocation", "clinic location"),
]
ALL_ACTIONS = ["add", "change", "delete", "view"]


def create_roles(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    Page = apps.get_model("wagtailcore", "Page")
    Collection = apps.get_model("wagtailcore", "Collection")
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")
    GroupCollectionPermission = apps.get_model("wagtailcore", "GroupCollectionPermission")
    Workflow = apps.get_model("wagtailcore", "Workflow")
    WorkflowTask = apps.get_model("wagtailcore", "WorkflowTask")
    GroupApprovalTask = apps.get_model("wagtailcore", "GroupApprovalTask")
    ClinicalReviewTask = apps.get_model("clinical_review", "ClinicalReviewTask")

    def permission(app_label, model, codename, name):
        """A permission, created here if Django has not made it yet (it does after migrating)."""
        content_type, _ = ContentType.objects.get_or_create(app_label=app_label, model=model)
        perm, _ = Permission.objects.get_or_create(
            content_type=content_type, codename=codename, defaults={"name": name}
        )
        return perm

    def content_permissions(actions):
        return [
            permission(app_label, model, f"{action}_{model}", f"Can {action} {verbose_name}")
            for app_label, model, verbose_name in CONTENT_MODELS
            for action in actions
        ]

    root = Page.objects.filter(depth=1).first()
    root_collection = Collection.objects.filter(depth=1).first()

    def page_permissions(group, codenames):
        for codename in codenames:
            perm = permission("wagtailcore", "page", codename, f"Can {codename}")
            GroupPagePermission.objects.get_or_create(group=group, page=root, permission=perm)

    def collection_permissions(group, app_label, model, actions):
        for action in actions:
            perm = permission(app_label, model, f"{action}_{model}", f"Can {action} {model}")
            GroupCollectionPermission.objects.get_or_create(
                group=group, collection=root_collection, permission=perm
            )

    access_admin = permission("wagtailadmin", "admin", "access_admin", "Can access Wagtail admin")
    view_messages = permission(
        "clinic_forms", "contactsubmission", "view_contactsubmission", "Can view contact message"
    )
    delete_messages = permission(
        "clinic_forms", "contactsubmission", "delete_contactsubmission", "Can delete contact message"
    )
    approve = permission(
        "clinical_review",
        "clinicalreviewtask",
        "approve_clinical_content",
        "Can approve treatments in clinical review",
    )

    editors, _ = Group.objects.get_or_create(name="Editors")
    editors.permissions.add(access_admin, view_messages, delete_messages)
    editors.permissions.add(*content_permissions(["add", "view"]))
    page_permissions(editors, ["add_page", "change_page", "publish_page", "lock_page", "unlock_page"])
    collection_permissions(editors, "wagtailimages", "image", ["add", "change", "choose", "delete"])
    collection_permissions(editors, "wagtaildocs", "document", ["add", "change", "choose", "delete"])

    marketing, _ = Group.objects.get_or_create(name="Marketing")
    marketing.permissions.add(access_admin, *content_permissions(["add", "view"]))
    page_permissions(marketing, ["add_page", "change_page"])
    collection_permissions(marketing, "wagtailimages", "image", ["add", "choose"])

    reviewers, _ = Group.objects.get_or_create(name="Clinical reviewers")
    reviewers.permissions.add(access_admin, approve, *content_permissions(ALL_ACTIONS))

    front_desk, _ = Group.objects.get_or_create(name="Front desk")
    front_desk.permissions.add(access_admin, view_messages)

    # The clinical review: one task, for the clinical reviewers, in its own workflow.
    task = ClinicalReviewTask.objects.filter(name="Clinical review").first()
    if task is None:
        task_type, _ = ContentType.objects.get_or_create(
            app_label="clinical_review", model="clinicalreviewtask"
        )
        task = ClinicalReviewTask.objects.create(
            name="Clinical review", content_type=task_type, active=True
        )
    task.groups.add(reviewers)
    workflow, _ = Workflow.objects.get_or_create(name="Clinical review", defaults={"active": True})
    WorkflowTask.objects.get_or_create(workflow=workflow, task=task, defaults={"sort_order": 0})

    # Editors also approve the other changes marketing submits (Wagtail's default workflow).
    for moderation in GroupApprovalTask.objects.filter(name="Moderators approval"):
        moderation.groups.add(editors)


class Migration(migrations.Migration):
    dependencies = [
        ("home", "0001_initial"),
        ("procedures", "0001_initial"),
        ("locations", "0001_initial"),
        ("clinical_review", "0001_initial"),
        ("clinic_forms", "0001_initial"),
        ("wagtailcore", "0098_apitoken"),
        ("wagtailadmin", "0006_formstate"),
        ("wagtailimages", "0027_image_description"),
        ("wagtaildocs", "0014_alter_document_file_size"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
