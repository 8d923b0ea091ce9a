"""Where the project's data files live."""

from django.conf import settings

DATA_DIR = settings.BASE_DIR / "data"
