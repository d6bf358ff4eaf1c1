"""The thin HTTP service layer (FastAPI is imported only here). Routes arrive with the service
issue; the package exists now so the layering contract covers it from the start."""
