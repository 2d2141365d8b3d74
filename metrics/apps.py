from django.apps import AppConfig


class MetricsConfig(AppConfig):
    name = "metrics"
    verbose_name = "Metrics"

    def ready(self) -> None:
        from allauth.account.signals import user_signed_up

        from catalog.project_panels import project_panels_register
        from catalog.signals import asset_adopted, asset_package_changed
        from metrics.daily import receivers as daily_receivers
        from metrics.project_panel import ACTIVITY_PANEL
        from metrics.receivers import asset_adopted_receiver, user_signed_up_receiver
        from metrics.tasks import asset_package_changed_receiver

        project_panels_register(ACTIVITY_PANEL)
        daily_receivers.connect()
        asset_adopted.connect(asset_adopted_receiver, dispatch_uid="metrics.usage.asset_adopted")
        user_signed_up.connect(user_signed_up_receiver, dispatch_uid="metrics.usage.user_signed_up")
        asset_package_changed.connect(
            asset_package_changed_receiver, dispatch_uid="metrics.adoptions.asset_package_changed"
        )
