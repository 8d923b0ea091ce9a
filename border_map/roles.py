"""The two roles of the editors' pages, as Django groups: an *editor* adds articles, reviews
places and drafts claims; a *reviewer* also publishes and rejects claims. Superusers can do
everything. The groups are made (and their permissions set) after every migrate and by
``manage.py add_editor``."""

from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, Group, Permission, User

EDITOR = "editor"
REVIEWER = "reviewer"
ROLES = (EDITOR, REVIEWER)

# app_label.codename of what each role may do.
EDITOR_PERMISSIONS = [
    "border_map.view_article",
    "border_map.add_article",
    "border_map.change_article",
    "border_map.view_place",
    "border_map.add_place",
    "border_map.change_place",
    "border_map.view_mention",
    "border_map.change_mention",
    "border_map.add_mentiondecision",
    "border_map.change_mentiondecision",
    "border_map.view_excerpt",
    "border_map.add_excerpt",
    "border_map.change_excerpt",
    "border_map.view_incident",
    "border_map.add_incident",
    "border_map.change_incident",
]
REVIEWER_PERMISSIONS = [*EDITOR_PERMISSIONS, "border_map.publish_incident"]
# What opens the editors' pages at all, and what publishing takes.
EDIT = "border_map.change_article"
PUBLISH = "border_map.publish_incident"


def _permissions(names: list[str]) -> list[Permission]:
    found = []
    for name in names:
        app_label, codename = name.split(".")
        found.append(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    return found


def ensure_groups(**_signal: Any) -> None:
    """Create the two groups with exactly their permissions (a post_migrate receiver too)."""
    if not Permission.objects.filter(content_type__app_label="border_map").exists():
        return  # a migrate of another app, before ours has its permissions
    for role, names in ((EDITOR, EDITOR_PERMISSIONS), (REVIEWER, REVIEWER_PERMISSIONS)):
        group, _ = Group.objects.get_or_create(name=role)
        group.permissions.set(_permissions(names))


def can_edit(user: AbstractBaseUser | AnonymousUser) -> bool:
    return isinstance(user, User) and user.is_active and user.has_perm(EDIT)


def can_publish(user: AbstractBaseUser | AnonymousUser) -> bool:
    return isinstance(user, User) and user.is_active and user.has_perm(PUBLISH)
