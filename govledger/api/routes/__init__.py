"""One router per resource; the app factory includes them."""
