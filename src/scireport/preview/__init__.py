"""Live browser preview of the book (``scireport preview``): see :mod:`.server`."""
