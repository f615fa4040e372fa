"""`python manage.py demo_code`: the current two-factor code of the demo logins (their shared,
published demo-only authenticator secret; qingdao_groups.demo.two_factor)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from qingdao_groups.demo.two_factor import demo_code


class Command(BaseCommand):
    help = "Print the demo logins' current two-factor code (demo and development only)."

    def handle(self, *args, **options):
        module = getattr(settings, "SETTINGS_MODULE", "") or ""
        if not settings.DEBUG and module.endswith(".production"):
            raise CommandError(_("demo_code 只用于演示和开发环境。"))
        self.stdout.write(demo_code())
