from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "catalog"
    verbose_name = "Catalog"

    def ready(self) -> None:
        import catalog.lookups  # noqa: F401  (registers the `__any_of` lookup)
        from catalog.signals import consumer_notices_recorded, entries_rebuilt
        from catalog.tasks import consumer_notices_recorded_receiver, entries_rebuilt_receiver

        entries_rebuilt.connect(entries_rebuilt_receiver, dispatch_uid="catalog.meaning.entries_rebuilt")
        consumer_notices_recorded.connect(
            consumer_notices_recorded_receiver, dispatch_uid="catalog.notices.consumer_notices_recorded"
        )
