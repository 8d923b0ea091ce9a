"""Who changed what and when (django-simple-history on articles, places, claims, excerpts),
kept to real changes: loaders re-save every row at each run (`make run` loads data/), and a
save that changes no field must neither add a history record nor move a claim's version
(Incident.updated, which the editors' forms carry to refuse stale saves)."""

from typing import Any

from django.db.models import Model
from django.utils import timezone

# Fields that do not make a change by themselves.
IGNORED = {"updated"}


def changed_fields(instance: Model) -> list[str] | None:
    """The fields whose value differs from the stored row; None for a new row."""
    model = type(instance)
    if instance.pk is None:
        return None
    fields = [f.attname for f in model._meta.concrete_fields if f.attname not in IGNORED]
    stored = model._default_manager.filter(pk=instance.pk).values(*fields).first()
    if stored is None:
        return None
    return [f for f in fields if stored[f] != getattr(instance, f)]


def keep_real_changes(sender: type[Model], instance: Model, raw: bool = False, **_: Any) -> None:
    """pre_save receiver: an unchanged row is saved without a history record (simple_history
    skips an instance with skip_history_when_saving); a changed claim gets a new version."""
    if raw:
        return
    changed = changed_fields(instance)
    if changed == []:
        instance.skip_history_when_saving = True  # type: ignore[attr-defined]
        return
    instance.__dict__.pop("skip_history_when_saving", None)
    if hasattr(instance, "updated"):
        instance.updated = timezone.now()
