"""Chain backends. Each turns a JSON-RPC request into a JSON-RPC response, errors included."""
