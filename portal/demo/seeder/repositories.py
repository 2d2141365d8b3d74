"""The demo's repositories: forges, statistics, readiness files and the links they give their projects."""

import hashlib
from datetime import datetime, timedelta

from catalog.models import Forge, Lifecycle, Project, Repository
from portal.demo import words as data
from portal.demo.seeder.base import RETIRED, SeederBase, duration


def demo_readme(project: Project, name: str) -> str:
    """A short README as a synced repository has one, with a relative link and a relative image (which
    the project page resolves to the forge); made from the project, so the seed's random draws stay."""
    return (
        f"# {name}\n\n{project.description}\n\n"
        "![Architecture overview](docs/architecture.png)\n\n"
        "## Getting started\n\n"
        f"Add `{name}` to your build, then read the [usage guide](docs/usage.md).\n\n"
        "## Contributing\n\n"
        "Contributions are welcome: see [CONTRIBUTING.md](CONTRIBUTING.md) and the issues labelled "
        "*good first issue*.\n"
    )


class RepositorySteps(SeederBase):
    """One or two repositories a project, on the forge its unit uses, one of them failing to sync."""

    def participation(self, busy: float, lifecycle: str, created: datetime) -> list[int]:
        """52 weekly commit counts, oldest first: none before the repository existed, fading when retired."""
        weeks = []
        for week in range(52):
            mean = max(0.0, 4 * (1 - week / 30)) if lifecycle in RETIRED else busy * 18
            started = self.base - timedelta(weeks=52 - week) >= created
            weeks.append(max(0, round(self.rng.gauss(mean, mean / 2))) if started else 0)
        return weeks

    def create_repositories(self) -> None:
        rng = self.rng
        broken_project, broken_name, broken_error = data.BROKEN_REPOSITORY
        repositories, synced_projects = [], 0
        for spec, project in self.projects:
            owner = self.unit_specs[spec.unit].repo_owner
            forge = rng.choices([Forge.GITHUB, Forge.GITLAB, Forge.GIT], [75, 18, 7])[0]
            if spec.name == broken_project:
                forge = Forge.GITHUB  # its error message is GitHub's
            # Plain git hosts have no API to sync from. All statistics came with the import from the
            # previous portal, which is why repositories that were never synced have some too.
            synced = forge != Forge.GIT and rng.random() < 0.76
            synced_projects += synced
            names = [(project.slug, project.description)]
            if spec.name == broken_project:
                names.append((broken_name, f"The rules engine that {spec.name} replaced."))
            elif rng.random() < 0.3:
                suffix, template = rng.choice(data.SECOND_REPOSITORIES)
                names.append((project.slug + suffix, template.format(name=spec.name)))
            quiet_days, busy_range = data.ACTIVITY[project.lifecycle]
            if (project.featured or project.verified) and project.lifecycle not in RETIRED:
                # What the office features or verifies is worked on now: its recent activity
                # (metrics.demo) matches a repository updated in the last days.
                quiet_days = (quiet_days[0], min(quiet_days[1], 10))
            busy = max(rng.uniform(*busy_range), 0.7 if project.featured else 0)
            young = project.lifecycle in (Lifecycle.PROPOSED, Lifecycle.INCUBATING)
            for index, (name, description) in enumerate(names):
                scale = 1.0 if index == 0 else 0.2  # a side repository is quieter than the main one
                created = project.created_at - duration(rng.uniform(0, 60 if young else 400))
                updated = max(created, self.ago(rng.uniform(*quiet_days)))
                stars = int((3 + busy**2 * rng.uniform(150, 450)) * scale)
                bonus = 0.2 if project.verified else 0
                files = [f for f, odds in data.FILE_ODDS.items() if rng.random() < odds + bonus]
                last_synced = self.ago(rng.uniform(0.05, 0.8)) if synced and name != broken_name else None
                readme = demo_readme(project, name) if last_synced and "README" in files else ""
                repositories.append(
                    Repository(
                        project=project,
                        forge=forge,
                        url=data.FORGE_URLS[forge].format(owner=owner, name=name),
                        full_name=f"{owner}/{name}",
                        default_branch="main" if rng.random() < 0.85 else "master",
                        description=description,
                        stars=stars,
                        forks=int(stars * rng.uniform(0.08, 0.35)),
                        watchers=int(2 + stars * rng.uniform(0.05, 0.2)),
                        open_issues=int(rng.uniform(0, 8 + 40 * busy) * scale),
                        license="" if project.license.startswith("Proprietary") else project.license,
                        topics=spec.topics.split(),
                        participation=self.participation(busy * scale, project.lifecycle, created),
                        files_present=files,
                        has_good_first_issues=rng.random() < 0.25 + 0.3 * busy,
                        forge_created_at=created,
                        forge_updated_at=updated,
                        forge_pushed_at=max(created, updated - duration(rng.uniform(0, 2))),
                        last_synced_at=last_synced,
                        last_error=broken_error if name == broken_name else "",
                        readme_path="README.md" if readme else "",
                        readme_sha=hashlib.sha1(readme.encode()).hexdigest() if readme else "",
                        readme_text=readme,
                    )
                )
            main = repositories[-len(names)]
            self.link_documents(
                project, forge=forge, owner=owner, name=project.slug, branch=main.default_branch
            )
        Repository.objects.bulk_create(repositories)
        Project.objects.bulk_update([p for _spec, p in self.projects], ["docs_url", "contributing_url"])
        self.counts["repositories"] = len(repositories)
        self.counts["projects synced"] = synced_projects

    @staticmethod
    def link_documents(project: Project, *, forge: str, owner: str, name: str, branch: str) -> None:
        """The project's wiki and CONTRIBUTING.md where its main repository's forge shows them, on its
        default branch: the links work on the forge, and SAP's page builds the same contribution link
        from the repository URL, branch and path (the export's guidelines)."""
        url = data.FORGE_URLS[forge].format(owner=owner, name=name)
        if forge == Forge.GITHUB:
            wiki, contributing = f"{url}/wiki", f"{url}/blob/{branch}/CONTRIBUTING.md"
        elif forge == Forge.GITLAB:
            wiki, contributing = f"{url}/-/wikis/home", f"{url}/-/blob/{branch}/CONTRIBUTING.md"
        else:  # a Bitbucket Server style host: clones under /scm/, pages under /projects/
            browse = f"https://git.acme.example/projects/{owner.upper()}/repos/{name}"
            wiki = f"https://wiki.acme.example/display/{owner.upper()}/{name}"
            contributing = f"{browse}/browse/CONTRIBUTING.md?at=refs/heads/{branch}"
        project.docs_url = wiki if project.docs_url else ""
        project.contributing_url = contributing if project.contributing_url else ""
