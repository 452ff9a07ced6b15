import os

from django.core.wsgi import get_wsgi_application

from osseo.bodylimit import BodyLimit

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "osseo.settings")
# Bodies over the limits are refused before Django reads them (osseo/bodylimit.py).
application = BodyLimit(get_wsgi_application())
