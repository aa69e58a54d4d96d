"""The service as `make run` serves it, plus one bare Flask JSON endpoint to measure the framework floor."""

from flask import jsonify, request

from api import create_app

app = create_app()


@app.post("/bench/bare")
def bare():  # type: ignore[no-untyped-def]
    """Parse the JSON body and answer with JSON: what any Flask endpoint costs on this server."""
    body = request.get_json()
    return jsonify(received=len(body or {}), status="ok"), 201
