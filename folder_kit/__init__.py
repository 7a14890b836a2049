"""folder-kit: an export salesperson's customer folders as a follow-up system."""

__version__ = "0.1.0"
