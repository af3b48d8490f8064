from django.apps import AppConfig


class FormsConfig(AppConfig):
    name = "forms"
    label = "clinic_forms"
    verbose_name = "Contact forms"
