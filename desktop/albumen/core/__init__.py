"""The Qt-free heart of the client: everything here runs and is tested without a display."""
