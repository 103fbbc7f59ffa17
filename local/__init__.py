"""The embedded local runtime: moto in-process, the real resources and handlers, an HTTP gateway, seed data.

See docs/local-runtime.md. ``python -m local`` starts it; ``local.environment.LocalEnvironment`` is the same
environment for tests.
"""

from local import botocore_data
from local.invoke import ensure_source_paths

# The handlers and the layer live beside this package, not in site-packages: put them on the path the way the
# Lambda runtime does, so ``python -m local`` works from a checkout without PYTHONPATH.
ensure_source_paths()
botocore_data.install()  # before moto or any session loads botocore's JSON
