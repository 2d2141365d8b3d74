from django.apps import AppConfig


class CommunityConfig(AppConfig):
    name = "community"
    verbose_name = "Community"

    def ready(self) -> None:
        from catalog.signals import project_merged
        from community import funnel, signin
        from community.receivers import contributions_recorded_receiver, project_merged_receiver
        from metrics.signals import contributions_recorded

        contributions_recorded.connect(
            contributions_recorded_receiver, dispatch_uid="community.evaluate_people_on_contributions"
        )
        project_merged.connect(project_merged_receiver, dispatch_uid="community.memberships_move_on_merge")
        # What signing in proves (the sign-on's unit claim, forge logins, verified addresses).
        signin.connect()
        # The onboardings and the journey funnel in the metrics report (metrics never imports community).
        funnel.report_sections_register()
