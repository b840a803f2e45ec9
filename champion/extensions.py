"""Extensions, created unbound and initialised by the app factory."""

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect

from champion.database import Base

# Objects stay readable after commit: building the redirect after saving a quiz must not
# need the database again (if it went away just then, a saved answer would look lost).
db = SQLAlchemy(model_class=Base, session_options={"expire_on_commit": False})
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
# Rate limits; the storage (memory, or Redis shared by every worker) is set in security.py.
limiter = Limiter(key_func=get_remote_address, default_limits=[])
