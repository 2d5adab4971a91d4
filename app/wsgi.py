"""WSGI entry for a production server: ``gunicorn 'app.wsgi:server'``.

The app is built when a worker imports this module (not when the package is imported).
"""

from app import create_app
from app.demo import ensure_demo

application = create_app()
ensure_demo(application.services.workspace, application.services.settings)
server = application.server
