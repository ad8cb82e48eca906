"""HTTP pieces the app factory mounts: dependencies, the problem+json handler, the auth routes."""
