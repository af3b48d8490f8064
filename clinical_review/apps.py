from django.apps import AppConfig


class ClinicalReviewConfig(AppConfig):
    name = "clinical_review"
    verbose_name = "Clinical review"
