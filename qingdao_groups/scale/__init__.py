"""`python manage.py generate_scale --scale city|province|nation`: generated registries for
measuring the system at any size (issue 7). See generate.py."""
