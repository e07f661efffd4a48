"""The API's documentation pages, ``/docs`` (Swagger UI) and ``/redoc`` (ReDoc), served
entirely from this process so they work offline and under the web app's CSP (docs/api-docs.md).
"""
