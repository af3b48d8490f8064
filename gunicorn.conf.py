"""gunicorn's settings for the clinic site; gunicorn reads this file from the directory it
starts in (`gunicorn clinic_site.wsgi`). Each can be changed from the environment.

Run it behind a reverse proxy that buffers whole requests (see docs/deploying.md): a
client that sends its request slowly then holds the proxy, not a worker thread."""

import os

wsgi_app = "clinic_site.wsgi"
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")

# Threads, so that one slow request (a client sending its body slowly, a slow database)
# holds one thread, not a whole process. Processes x threads requests run at once.
worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))

# A worker that does not answer gunicorn for this long is restarted; every outside service
# the site waits for has its own, shorter timeout (database, Redis, mail in the worker).
timeout = 30
graceful_timeout = 30
keepalive = 5

# Addresses of the proxies allowed to say the request came over HTTPS (X-Forwarded-Proto).
# The client's own address is read by the site itself (TRUSTED_PROXY_COUNT).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# Logs on stderr: gunicorn's own, the site's (tracebacks of server errors) and the requests.
errorlog = "-"
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
