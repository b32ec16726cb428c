"""policykg's HTTP API: a SPARQL 1.1 endpoint, named queries as REST, resources for planners and
linked-data IRIs, over the library's :class:`policykg.service.QueryService`."""

from api.app import create_app

__all__ = ["create_app"]
