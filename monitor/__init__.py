"""The service's stages from fetch to store, the pipeline, the service and the command line
(docs/ARCHITECTURE.md, "The map")."""
