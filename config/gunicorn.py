"""gunicorn on production settings: `make serve`, or `gunicorn -c config/gunicorn.py config.wsgi`.

Settings come from the environment: CASEWORK_BIND (default 127.0.0.1:8000, behind the TLS
proxy), WEB_CONCURRENCY worker processes (default two per core plus one), CASEWORK_WEB_THREADS
threads in each (default 4), CASEWORK_WEB_TIMEOUT seconds before a stuck request's worker is
replaced (default 60: the payment file and PDFs are the slowest pages).
"""

import multiprocessing
import os

bind = os.environ.get("CASEWORK_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("CASEWORK_WEB_THREADS", "4"))
worker_class = "gthread"
timeout = int(os.environ.get("CASEWORK_WEB_TIMEOUT", "60"))
graceful_timeout = 30
# A worker is replaced after this many requests, so a slow leak cannot grow without bound.
max_requests = 2000
max_requests_jitter = 200
# Only the proxy on this host may set X-Forwarded-For / -Proto.
forwarded_allow_ips = os.environ.get("CASEWORK_PROXY_IPS", "127.0.0.1")
accesslog = "-"
errorlog = "-"
# One line per request, with the id that the application's own log lines carry.
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms request_id=%({x-request-id}o)s'
