"""The Celery worker entry for background callbacks when scaled out.

``celery -A app.worker:celery_app worker`` builds the same Dash app from the same
environment as the web workers (TP_BACKGROUND=celery, REDIS_URL / CELERY_BROKER_URL,
DATABASE_URL), so the background callbacks it registers are the tasks it runs.
"""

from app import create_app
from app.cache import make_celery
from app.settings import Settings

settings = Settings.from_env()
celery_app = make_celery(settings)
dash_app = create_app(settings.with_(background="celery"), celery_app=celery_app)
