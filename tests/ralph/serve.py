"""Start Ralph's LRS API (FastAPI, under uvicorn) with its file-system backend.

Run with .venv-ralph's Python: ``serve.py HOST PORT``; the rest is Ralph's own settings,
from the environment (RALPH_RUNSERVER_BACKEND=fs, RALPH_BACKENDS__LRS__FS__DEFAULT_DIRECTORY_PATH,
RALPH_AUTH_FILE), as `ralph runserver` reads them. Not `ralph runserver` itself: it watches
the working folder and reloads.

One setting Ralph 5.1.0 does not expose: its file-system backend writes every batch of
statements with the "create" operation, which refuses once the statements file exists, so
only the first POST would ever be stored. The backend's documented "append" operation is
what an LRS needs, so it is made the default here; everything else (the xAPI API, its
validation, conflicts on statement ids, queries) is Ralph's, unchanged.
"""

import sys

import uvicorn
from ralph.backends.data.base import BaseOperationType
from ralph.backends.data.fs import FSDataBackend

FSDataBackend.default_operation_type = BaseOperationType.APPEND

from ralph.api import app  # noqa: E402  (after the backend's default is set)

uvicorn.run(app, host=sys.argv[1], port=int(sys.argv[2]), log_level="warning")
