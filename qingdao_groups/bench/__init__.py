"""`make bench` (issue 7): every key page measured against the floor page F in the same run.

The package holds the two small pieces that live inside the application — the floor view is in
qingdao_groups.views, the query-count middleware here, active only under ``DJANGO_BENCH=1`` —
and the driver that runs outside it: ``manage.py bench --scale city`` makes sure the data set
exists, starts gunicorn with the production settings on PostgreSQL, logs each role in and drives
load with ``wrk`` (a separate process, on loopback), then downloads the whole school export
(XLSX and CSV) while sampling the workers' memory (``exports.py``). See README "Benchmark".
"""
