from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "catalog"
    verbose_name = "Catalog"

    def ready(self) -> None:
        from catalog.signals import entries_rebuilt
        from catalog.tasks import entries_rebuilt_receiver

        entries_rebuilt.connect(entries_rebuilt_receiver, dispatch_uid="catalog.meaning.entries_rebuilt")
