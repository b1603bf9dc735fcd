"""badgeline credential core.

Pure: no Flask, Celery, Redis, SQLAlchemy, environment variables, clock or network.
Time, keys and resolvers come in as arguments (see ../DESIGN.md in the shared folder).
"""
