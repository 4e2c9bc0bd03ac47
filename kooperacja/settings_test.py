"""Settings for the test suite: fast hashing, no real e-mail, no manifest storage."""

from kooperacja.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
AXES_ENABLED = True
LOGGING = {"version": 1, "disable_existing_loggers": False}
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
SECRET_KEY = "test-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEFG"
# Tests talk plain HTTP to the test client and the live server.
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = False
SECURE_HSTS_PRELOAD = False
# load_demo in tests: one case per stage and pilot gmina instead of 60 (each case goes through the services).
DEMO_CASES_PER_GMINA = 8
