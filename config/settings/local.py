"""A developer's machine: `make run`."""

from .base import *  # noqa: F403
from .base import BASE_DIR, env

DEBUG = env.bool("DJANGO_DEBUG", default=True)

# Fixed local keys so demo data stays readable across restarts; production must set its own.
FIELD_ENCRYPTION_KEYS = env.list(
    "CASEWORK_FIELD_ENCRYPTION_KEYS", default=["ef-ZuiCiQGf_GVwuK2qRLU9lb-JT2RUykM6mu_fgdBk="]
)
IDENTIFIER_HASH_KEY = env("CASEWORK_IDENTIFIER_HASH_KEY", default="local-identifier-hash-key")
PRIVATE_MEDIA_ROOT = BASE_DIR / "private_media"
# Email to clients is written to files (correspondence/), where a developer can read it.
EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
EMAIL_FILE_PATH = PRIVATE_MEDIA_ROOT / "outbox" / "email"
CORRESPONDENCE_TEXT_FILE_PATH = PRIVATE_MEDIA_ROOT / "outbox" / "texts"

# The demo signs in with passwords only unless asked (CASEWORK_SECOND_FACTOR=1); production
# always asks admins, supervisors, auditors and finance staff for a code.
SECOND_FACTOR_ENFORCED = env.bool("CASEWORK_SECOND_FACTOR", default=False)
