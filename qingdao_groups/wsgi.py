import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qingdao_groups.settings.production")
application = get_wsgi_application()
