"""One router per resource: datasets, requests, grants, audit."""
