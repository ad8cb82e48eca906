"""Templates and assets of the portal."""

from __future__ import annotations

from pathlib import Path

from fastapi.templating import Jinja2Templates

PORTAL_DIR = Path(__file__).resolve().parent
STATIC_DIR = PORTAL_DIR / "static"

# A template loader, not state: it holds no settings and opens nothing.
TEMPLATES = Jinja2Templates(directory=PORTAL_DIR / "templates")
