"""Settings of the bench's ceiling: Django with nothing of the site. No middleware, no app, no
database, no cache, no templates; one URL (bench/bare_urls.py) whose view returns a fixed
page of about 19 KB, the size of a treatment page.

gunicorn serves it as it serves the site (clinic_site.wsgi, gunicorn.conf.py unchanged, the
same workers and threads): only DJANGO_SETTINGS_MODULE=bench.bare_settings differs. What a
request costs there is what Django and gunicorn cost at the least; the site's rows are
compared with it.
"""

import os

DEBUG = False
SECRET_KEY = os.environ.get("SECRET_KEY") or "bench-bare-view-signs-nothing"
ALLOWED_HOSTS = ["localhost", "127.0.0.1"]
ROOT_URLCONF = "bench.bare_urls"
INSTALLED_APPS = []
MIDDLEWARE = []
DATABASES = {}
CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
TEMPLATES = []
USE_TZ = True
