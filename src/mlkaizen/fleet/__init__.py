"""Fleet runs: every repository of a manifest assessed as one job each, on a local process
pool or on Celery workers, the run's state kept in the store so that a killed run resumes.

- :mod:`~mlkaizen.fleet.manifest`: the manifest (lines or YAML) read into entries;
- :mod:`~mlkaizen.fleet.fetch`: git URLs fetched into a bare cache, safely;
- :mod:`~mlkaizen.fleet.job`: one entry assessed (from git objects, nothing checked out);
- :mod:`~mlkaizen.fleet.worker`: one job run by a worker: claim, scan, store or fail;
- :mod:`~mlkaizen.fleet.runner`: the controller that drives a run through an executor;
- :mod:`~mlkaizen.fleet.local` and :mod:`~mlkaizen.fleet.celery_app`: the executors;
- :mod:`~mlkaizen.fleet.summary` and :mod:`~mlkaizen.fleet.report`: what a run found;
- :mod:`~mlkaizen.fleet.schedule`: cron schedules the server re-scans on.
"""
