from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "branchsite.demo"
    label = "demo"
    verbose_name = "Demo data"
