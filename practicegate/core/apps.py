from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "practicegate.core"
    label = "core"
