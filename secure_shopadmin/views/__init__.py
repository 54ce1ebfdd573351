from .login import LoginView, cancel_login, console_login  # noqa: F401
